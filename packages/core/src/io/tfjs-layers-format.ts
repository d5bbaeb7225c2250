import { dirname } from 'node:path';
import { readLayersModel, saveModel } from './model-io.js';
import type { ModelFormat } from './model-format.js';

/**
 * TF.js/Keras layers-model JSON (`model.json` + weight files, as `tensorflowjs_converter` and omniprune write them).
 * Writing goes to the file's folder (`model.json` + `weights.bin`).
 */
export const tfjsLayersFormat: ModelFormat = {
  name: 'tfjs-layers',
  description: 'TF.js / Keras layers model (model.json + weights), Sequential or functional',
  extensions: ['.json'],
  fileName: 'model.json',
  read: (file) => readLayersModel(file),
  write: (model, file) => saveModel(model, dirname(file)),
};
