export { kerasH5Format, kerasFormat, readKerasH5, readKeras } from './formats.js';
export { kerasH5Artifacts } from './keras-h5.js';
export { kerasV3Artifacts } from './keras-v3.js';
export { loadKerasArtifacts } from './load-keras-model.js';
export type { KerasArtifacts } from './keras-artifacts.js';
