import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDependencyGraph } from '../../src/graph/index.js';
import { modelToJson } from '../../src/graph/model-json.js';
import { normalizeLayersArtifacts } from '../../src/io/keras-topology.js';
import { readLayersModel } from '../../src/io/model-io.js';
import { expectClose, predictValues, useCpu } from '../../src/testing/index.js';
import {
  artifactsOf,
  asKeras3,
  defaultNamedResidual,
  loadWithTfjs,
  randomizeWeights,
  removeTempDirs,
  sequentialCnn,
  writeModelJson,
  type SavedArtifacts,
} from './keras-fixtures.js';

beforeAll(useCpu);
afterAll(removeTempDirs);

/** Outputs of the file read by omniprune and of the original artifacts read by plain TF.js, on the same input. */
async function expectSameOutputs(model: tfl.LayersModel, reference: SavedArtifacts, shape: number[]): Promise<void> {
  const original = await loadWithTfjs(reference);
  const x = tf.randomNormal(shape, 0, 1, 'float32', 7);
  expectClose(predictValues(model, x), predictValues(original, x), 1e-5);
  x.dispose();
  original.dispose();
}

describe('Sequential model.json', () => {
  it('loads as a functional graph with its layer names, the engine reads it and outputs match TF.js', async () => {
    const seq = sequentialCnn();
    randomizeWeights(seq);
    const saved = await artifactsOf(seq);
    const { model, notes } = await readLayersModel(await writeModelJson(saved));
    const names = seq.layers.map((l) => l.name);
    expect(model.layers.map((l) => l.name)).toEqual([`${names[0]}_input`, ...names]);
    expect(modelToJson(model).config.layers[1].inbound_nodes).toEqual([[[`${names[0]}_input`, 0, 0, {}]]]);
    expect(notes.join('\n')).toMatch(/Sequential model ".+" read as a functional graph of 7 layers/);
    expect(notes.join('\n')).toMatch(/input layer ".+_input" added .* batch shape \[null,8,8,3\] from .*batch_input_shape/);
    const graph = buildDependencyGraph(model);
    expect(graph.groups.filter((g) => !g.frozenReason).map((g) => g.id)).toEqual([names[0], names[3]]);
    await expectSameOutputs(model, saved, [2, 8, 8, 3]);
  });

  it('reads Keras 2 forms: config as a bare list, an explicit InputLayer first, weights unchanged', async () => {
    const seq = sequentialCnn();
    randomizeWeights(seq, 3);
    const saved = await artifactsOf(seq);
    const config = structuredClone(saved.modelTopology.config) as {
      name: string;
      layers: Record<string, Record<string, unknown> & { config: Record<string, unknown> }>[];
    };
    const first = config.layers[0].config;
    const inputLayer = {
      class_name: 'InputLayer',
      config: { batch_input_shape: first.batch_input_shape, dtype: 'float32', sparse: false, ragged: false, name: 'conv2d_input' },
    };
    delete first.batch_input_shape;
    const asList = {
      ...saved,
      modelTopology: { class_name: 'Sequential', config: [inputLayer, ...config.layers], keras_version: '2.15.0', backend: 'tensorflow' },
    };
    const { model } = await readLayersModel(await writeModelJson(asList));
    expect(model.layers[0].name).toBe('conv2d_input');
    await expectSameOutputs(model, saved, [2, 8, 8, 3]);
  });

  it('refuses a Sequential model without an input shape, saying what to do', () => {
    const topology = { class_name: 'Sequential', config: { name: 's', layers: [{ class_name: 'Dense', config: { name: 'dense', units: 2 } }] } };
    expect(() => normalizeLayersArtifacts({ modelTopology: topology, weightSpecs: [] })).toThrow(
      /Sequential model "s" does not say its input shape[\s\S]*hint: give the first layer an input shape/,
    );
  });
});

describe('functional model.json', () => {
  it('keeps Keras default names and class Functional, with no notes when nothing changes', async () => {
    const m = defaultNamedResidual();
    randomizeWeights(m, 5);
    const saved = await artifactsOf(m);
    const asFunctional = { ...saved, modelTopology: { ...saved.modelTopology, class_name: 'Functional' } };
    const { model, notes } = await readLayersModel(await writeModelJson(asFunctional));
    expect(notes).toEqual([]);
    expect(model.layers.map((l) => l.name)).toEqual([
      'input_1',
      'conv2d',
      'batch_normalization',
      'activation',
      'conv2d_1',
      'add',
      'global_average_pooling2d',
      'dense',
    ]);
    expect(buildDependencyGraph(model).groups.find((g) => g.id === 'conv2d')!.residual).toBe(true);
    await expectSameOutputs(model, saved, [2, 6, 6, 2]);
  });
});

describe('Keras 3 topology (as tensorflowjs_converter copies it)', () => {
  it('normalises wrappers, DTypePolicy, batch_shape, __keras_tensor__ nodes and flat input/output layers, with notes', async () => {
    const m = defaultNamedResidual();
    randomizeWeights(m, 9);
    const saved = await artifactsOf(m);
    const keras3 = { keras_version: '3.6.0', backend: 'tensorflow', model_config: asKeras3(saved.modelTopology) };
    const { modelTopology, notes } = normalizeLayersArtifacts({ modelTopology: keras3, weightSpecs: saved.weightSpecs });
    const text = JSON.stringify(modelTopology);
    expect(text).not.toMatch(/__keras_tensor__|registered_name|"module"|DTypePolicy|batch_shape|build_config|compile_config/);
    const joined = notes.join('\n');
    expect(joined).toMatch(/removed module\/registered_name wrappers/);
    expect(joined).toMatch(/dtype policies of 7 layers replaced by the plain dtype "float32"/);
    expect(joined).toMatch(/inbound nodes .* of 7 layers converted to Keras 2 lists/);
    expect(joined).toMatch(/batch_shape -> batch_input_shape on "input_1"/);
    expect(joined).toMatch(/input_layers\/output_layers .* rewritten/);
    const { model } = await readLayersModel(await writeModelJson({ ...saved, modelTopology: keras3 }));
    expect(model.layers.map((l) => l.name)).toEqual(m.layers.map((l) => l.name));
    await expectSameOutputs(model, saved, [2, 6, 6, 2]);
  });

  it('maps Keras initializer, regularizer and activation names TF.js spells differently', () => {
    const dense = {
      module: 'keras.layers',
      class_name: 'Dense',
      registered_name: null,
      name: 'dense',
      config: {
        name: 'dense',
        units: 2,
        activation: 'silu',
        kernel_initializer: { module: 'keras.initializers', class_name: 'LecunNormal', config: { seed: null }, registered_name: null },
        kernel_regularizer: { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.001 }, registered_name: null },
        bias_regularizer: { module: 'keras.regularizers', class_name: 'OrthogonalRegularizer', config: {}, registered_name: null },
      },
      inbound_nodes: [{ args: [{ class_name: '__keras_tensor__', config: { keras_history: ['x', 0, 0] } }], kwargs: { mask: null } }],
    };
    const input = {
      module: 'keras.layers',
      class_name: 'InputLayer',
      registered_name: null,
      name: 'x',
      config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, ragged: false, name: 'x' },
      inbound_nodes: [],
    };
    const topology = {
      module: 'keras',
      class_name: 'Functional',
      registered_name: 'Functional',
      config: { name: 'f', layers: [input, dense], input_layers: [['x', 0, 0]], output_layers: [['dense', 0, 0]] },
    };
    const { modelTopology, notes } = normalizeLayersArtifacts({ modelTopology: topology, weightSpecs: [] });
    const layer = (modelTopology.config as { layers: { config: Record<string, unknown>; inbound_nodes: unknown }[] }).layers[1];
    expect(layer.config.activation).toBe('swish');
    expect(layer.config.kernel_initializer).toEqual({ class_name: 'LeCunNormal', config: { seed: null } });
    expect(layer.config.kernel_regularizer).toEqual({ class_name: 'L1L2', config: { l1: 0, l2: 0.001 } });
    expect(layer.config.bias_regularizer).toBeNull();
    expect(layer.inbound_nodes).toEqual([[['x', 0, 0, {}]]]);
    expect(notes.join('\n')).toMatch(/dropped .* dense\.bias_regularizer \(OrthogonalRegularizer\)/);
    expect(tfl.models.modelFromJSON({ modelTopology } as never)).resolves.toBeDefined();
  });

  it('reads Keras 3 saving paths (layers/<class>/vars/<i>) and leaves optimizer variables out', async () => {
    const seq = sequentialCnn();
    randomizeWeights(seq, 11);
    const saved = await artifactsOf(seq);
    const used = new Map<string, number>();
    const layerPath = new Map<string, string>();
    for (const layer of seq.layers) {
      const base = layer
        .getClassName()
        .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
        .replace(/([a-z])([A-Z])/g, '$1_$2')
        .toLowerCase();
      const k = used.get(base);
      used.set(base, k === undefined ? 0 : k + 1);
      layerPath.set(layer.name, `layers/${k === undefined ? base : `${base}_${k + 1}`}`);
    }
    expect([...layerPath.values()]).toEqual([
      'layers/conv2d',
      'layers/batch_normalization',
      'layers/max_pooling2d',
      'layers/conv2d_1',
      'layers/global_average_pooling2d',
      'layers/dense',
    ]);
    const specs = saved.weightSpecs.map((spec) => {
      const [layer] = spec.name.split('/');
      const index = seq.getLayer(layer).weights.findIndex((w) => w.originalName === spec.name);
      return { ...spec, name: `${layerPath.get(layer)}/vars/${index}` };
    });
    const optimizer = { name: 'optimizer/vars/0', shape: [], dtype: 'float32' as const };
    const withOptimizer = { ...saved, weightSpecs: [...specs, optimizer], weightData: concat(saved.weightData, new Float32Array([3]).buffer) };
    const { model, notes } = await readLayersModel(await writeModelJson(withOptimizer));
    expect(notes.join('\n')).toMatch(/Keras 3 weight paths \(e\.g\. layers\/conv2d\/vars\/0\) read as <layer>\/<index>/);
    expect(notes.join('\n')).toMatch(/1 variables that are not layer weights were left out .*optimizer\/vars\/0/);
    await expectSameOutputs(model, saved, [2, 8, 8, 3]);
  });
});

function concat(a: ArrayBuffer, b: ArrayBuffer): ArrayBuffer {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(new Uint8Array(a), 0);
  out.set(new Uint8Array(b), a.byteLength);
  return out.buffer;
}
