import { badInput, readPair, type FeatureMatrix } from '@omniprune/criteria-cka';
import type { Representation } from '@omniprune/plugin-api';

function logitPair(x: Representation, y: Representation, metric: string): [FeatureMatrix, FeatureMatrix] {
  const [a, b] = readPair(x, y, metric, 1);
  if (a.cols !== b.cols) badInput(metric, `x has ${a.cols} classes, y has ${b.cols}`, 'compare logits of the same classes: set similarity.layer to logits');
  return [a, b];
}

function logSoftmaxRow(m: FeatureMatrix, i: number): Float64Array {
  const row = Float64Array.from({ length: m.cols }, (_, j) => m.data[i * m.cols + j]);
  const max = Math.max(...row);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  const lse = max + Math.log(sum);
  return row.map((v) => v - lse);
}

/**
 * Output-level baseline on logits: `exp(-mean_i KL(softmax(y_i) || softmax(x_i)))`, x the parent's logits and y
 * the candidate's (the direction of the KL importance scores). In (0, 1], 1 for identical predictions. Use it with
 * `similarity.layer: logits`.
 * @example
 * outputKlSimilarity(parentLogits, candidateLogits)
 */
export function outputKlSimilarity(x: Representation, y: Representation): number {
  const [a, b] = logitPair(x, y, 'output-kl');
  let kl = 0;
  for (let i = 0; i < a.rows; i++) {
    const lp = logSoftmaxRow(a, i);
    const lq = logSoftmaxRow(b, i);
    for (let j = 0; j < a.cols; j++) kl += Math.exp(lq[j]) * (lq[j] - lp[j]);
  }
  return Math.exp(-kl / a.rows);
}

/**
 * Output-level baseline: the share of samples whose arg-max (predicted class) agrees. Use with
 * `similarity.layer: logits`.
 * @example
 * predictionAgreement(parentLogits, candidateLogits) // e.g. 0.97
 */
export function predictionAgreement(x: Representation, y: Representation): number {
  const [a, b] = logitPair(x, y, 'output-agreement');
  const argmax = (m: FeatureMatrix, i: number): number => {
    let best = 0;
    for (let j = 1; j < m.cols; j++) if (m.data[i * m.cols + j] > m.data[i * m.cols + best]) best = j;
    return best;
  };
  let same = 0;
  for (let i = 0; i < a.rows; i++) if (argmax(a, i) === argmax(b, i)) same++;
  return same / a.rows;
}
