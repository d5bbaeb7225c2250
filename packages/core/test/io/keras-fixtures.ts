import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What `model.save` hands a save handler: topology, weight specs and the weight bytes. */
export interface SavedArtifacts {
  modelTopology: Record<string, unknown>;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
}

type S = tfl.SymbolicTensor;

/** Sequential CNN with TF.js default layer names: Conv2D, BN, MaxPool, Conv2D, GAP, Dense softmax. */
export function sequentialCnn(): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
  model.add(tfl.layers.batchNormalization());
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu' }));
  model.add(tfl.layers.globalAveragePooling2d({}));
  model.add(tfl.layers.dense({ units: 3, activation: 'softmax' }));
  return model;
}

/** Functional model with Keras default names (`conv2d`, `conv2d_1`, `add`, `dense`), a residual Add and a linear head. */
export function defaultNamedResidual(): tfl.LayersModel {
  const input = tfl.input({ shape: [6, 6, 2], name: 'input_1' });
  const c0 = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv2d' }).apply(input) as S;
  const b0 = tfl.layers.batchNormalization({ name: 'batch_normalization' }).apply(c0) as S;
  const r0 = tfl.layers.activation({ activation: 'relu', name: 'activation' }).apply(b0) as S;
  const c1 = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv2d_1' }).apply(r0) as S;
  const add = tfl.layers.add({ name: 'add' }).apply([r0, c1]) as S;
  const gap = tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(add) as S;
  const out = tfl.layers.dense({ units: 3, name: 'dense' }).apply(gap) as S;
  return tfl.model({ inputs: input, outputs: out, name: 'model' });
}

/** Functional model that calls a Sequential block (Dense, BN, Dense) between two of its own layers. */
export function nestedSequential(): tfl.LayersModel {
  const block = tfl.sequential({
    name: 'block',
    layers: [
      tfl.layers.dense({ inputShape: [5], units: 6, activation: 'relu', name: 'block_dense' }),
      tfl.layers.batchNormalization({ name: 'block_bn' }),
      tfl.layers.dense({ units: 4, name: 'block_out' }),
    ],
  });
  const input = tfl.input({ shape: [7], name: 'features' });
  const pre = tfl.layers.dense({ units: 5, activation: 'tanh', name: 'pre' }).apply(input) as S;
  const mid = block.apply(pre) as S;
  const out = tfl.layers.dense({ units: 2, name: 'head' }).apply(mid) as S;
  return tfl.model({ inputs: input, outputs: out, name: 'outer' });
}

/** Give every weight random values (variances positive) so output comparisons mean something. */
export function randomizeWeights(model: tfl.LayersModel, seed = 1): void {
  let s = seed;
  for (const layer of model.layers) {
    const values = layer.getWeights().map((w, i) => {
      const isVariance = /moving_variance/.test(layer.weights[i].originalName);
      return tf.tidy(() => {
        const r = tf.randomNormal(w.shape, 0, 0.5, 'float32', s++);
        return isVariance ? tf.add(tf.abs(r), 0.5) : r;
      });
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** The artifacts `model.save` produces. */
export async function artifactsOf(model: tfl.LayersModel): Promise<SavedArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const weightData = tf.io.CompositeArrayBuffer.join(saved!.weightData as ArrayBuffer | ArrayBuffer[]);
  return { modelTopology: saved!.modelTopology as Record<string, unknown>, weightSpecs: saved!.weightSpecs!, weightData };
}

const tempDirs: string[] = [];

/** Delete the folders {@link writeModelJson} made (call in `afterAll`). */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Write `model.json` + `weights.bin` into a fresh temporary folder; returns the model.json path. */
export async function writeModelJson(artifacts: Pick<SavedArtifacts, 'modelTopology' | 'weightSpecs' | 'weightData'>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'omniprune-keras-'));
  tempDirs.push(dir);
  await writeFile(join(dir, 'weights.bin'), new Uint8Array(artifacts.weightData));
  const json = {
    format: 'layers-model',
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
  };
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  return join(dir, 'model.json');
}

/** Load the artifacts with plain TF.js (the reference the normalised model must match). */
export function loadWithTfjs(artifacts: SavedArtifacts): Promise<tfl.LayersModel> {
  return tfl.loadLayersModel(
    tf.io.fromMemory({ modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs, weightData: artifacts.weightData }),
  );
}

type Json = Record<string, unknown>;
const tensor = (ref: unknown[]): Json => ({ class_name: '__keras_tensor__', config: { shape: null, dtype: 'float32', keras_history: ref.slice(0, 3) } });
const wrap = (module: string, obj: Json): Json => ({ module, class_name: obj.class_name, config: obj.config, registered_name: null });

/**
 * A TF.js functional topology rewritten the way Keras 3 serialises it (and tensorflowjs_converter copies it):
 * module/registered_name wrappers, `DTypePolicy` dtypes, `batch_shape`, `{args, kwargs}` inbound nodes with
 * `__keras_tensor__`, flat `input_layers`/`output_layers`, `build_config`/`compile_config`.
 */
export function asKeras3(topology: Json): Json {
  const model = structuredClone(topology) as {
    class_name: string;
    config: { name: string; layers: Json[]; input_layers: unknown[][]; output_layers: unknown[][] };
  };
  const layers = model.config.layers.map((layer) => {
    const config = { ...(layer.config as Json) };
    for (const key of Object.keys(config)) {
      const v = config[key];
      if (v && typeof v === 'object' && 'class_name' in (v as Json)) {
        const module = key.endsWith('_initializer') ? 'keras.initializers' : key.endsWith('_regularizer') ? 'keras.regularizers' : 'keras.constraints';
        config[key] = wrap(module, v as Json);
      }
    }
    if (layer.class_name === 'InputLayer') {
      config.batch_shape = config.batch_input_shape;
      delete config.batch_input_shape;
    } else {
      config.dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    }
    const nodes = (layer.inbound_nodes as unknown[][][]).map((refs) => ({
      args: refs.length === 1 ? [tensor(refs[0])] : [refs.map(tensor)],
      kwargs: {},
    }));
    return {
      ...wrap('keras.layers', { class_name: layer.class_name, config }),
      name: layer.name,
      build_config: { input_shape: [null, 1] },
      inbound_nodes: nodes,
    };
  });
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: { name: model.config.name, trainable: true, layers, input_layers: model.config.input_layers[0], output_layers: model.config.output_layers[0] },
    registered_name: 'Functional',
    build_config: { input_shape: null },
    compile_config: { optimizer: 'adam', loss: 'categorical_crossentropy' },
  };
}
