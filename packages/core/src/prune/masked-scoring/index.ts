export { scoreMasked } from './score-masked.js';
export type { MaskedScoring, MaskedReadout } from './score-masked.js';
export { scoringSample } from './scoring-sample.js';
export { predictionKl } from './prediction-kl.js';
