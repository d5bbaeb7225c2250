import type { Features } from '../capture.js';
import { meanKlDivergence, softmaxRows } from '../prediction-divergence.js';

/**
 * The measure of the KL criteria (`block-kl`, `kl`; Luo & Wu 2020) on two logit readouts of the same images:
 * mean over rows of `KL(softmax(masked) || softmax(parent))`, 0 for identical predictions, never negative.
 * @example
 * await scoreMasked(pc, { samplesPerClass: 50, masks, readout: { kind: 'logits' }, measure: predictionKl });
 */
export function predictionKl(parent: Features, masked: Features): number {
  return meanKlDivergence(softmaxRows(masked.data, masked.cols), softmaxRows(parent.data, parent.cols), parent.cols);
}
