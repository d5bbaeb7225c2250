import { defineModelFormat, type LoadedModel } from '@omniprune/plugin-api';
import { kerasH5Artifacts } from './keras-h5.js';
import { kerasV3Artifacts } from './keras-v3.js';
import { loadKerasArtifacts, readModelFile } from './load-keras-model.js';

/**
 * Read a Keras 2 HDF5 model file (`.h5`/`.hdf5`, written by `model.save("m.h5")`) as a TF.js layers model.
 * @example
 * const { model, origin, notes } = await readKerasH5('models/cnn.h5'); // origin.details.kerasVersion '2.15.0'
 */
export async function readKerasH5(file: string): Promise<LoadedModel> {
  return loadKerasArtifacts(await kerasH5Artifacts(await readModelFile(file), file), file, 'keras-h5');
}

/**
 * Read a Keras 3 `.keras` archive (written by `model.save("m.keras")`) as a TF.js layers model.
 * @example
 * const { model, notes } = await readKeras('models/cnn.keras');
 */
export async function readKeras(file: string): Promise<LoadedModel> {
  return loadKerasArtifacts(await kerasV3Artifacts(await readModelFile(file), file), file, 'keras');
}

/**
 * Model format `keras-h5`: Keras 2 HDF5 files. Read only: a pruned model leaves as a layers-model `model.json`
 * (`omniprune` writes it for every run) that `tf.loadLayersModel` loads and tensorflowjs_converter can turn back.
 * @example
 * registerPlugin(container, kerasH5Format);
 */
export const kerasH5Format = defineModelFormat({
  name: 'keras-h5',
  description: 'Keras 2 HDF5 model (model.save("m.h5")): Sequential or functional, read only',
  extensions: ['.h5', '.hdf5'],
  read: readKerasH5,
});

/**
 * Model format `keras`: Keras 3 `.keras` archives. Read only (see {@link kerasH5Format}).
 * @example
 * registerPlugin(container, kerasFormat);
 */
export const kerasFormat = defineModelFormat({
  name: 'keras',
  description: 'Keras 3 model archive (model.save("m.keras")): Sequential or functional, read only',
  extensions: ['.keras'],
  read: readKeras,
});
