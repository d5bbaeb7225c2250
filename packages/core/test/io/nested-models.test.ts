import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOmnipruneError } from '../../src/errors/omniprune-error.js';
import { buildDependencyGraph } from '../../src/graph/index.js';
import { normalizeLayersArtifacts } from '../../src/io/keras-topology.js';
import { readLayersModel } from '../../src/io/model-io.js';
import { expectClose, predictValues, useCpu } from '../../src/testing/index.js';
import { artifactsOf, loadWithTfjs, nestedSequential, randomizeWeights, removeTempDirs, writeModelJson } from './keras-fixtures.js';

beforeAll(useCpu);
afterAll(removeTempDirs);

describe('nested models', () => {
  it('flattens a Sequential called once inside a functional model: same names, same outputs, prunable inside', async () => {
    const outer = nestedSequential();
    randomizeWeights(outer, 2);
    const saved = await artifactsOf(outer);
    expect(saved.weightSpecs.map((w) => w.name)).toContain('block_dense/kernel');
    const { model, notes } = await readLayersModel(await writeModelJson(saved));
    expect(model.layers.map((l) => l.name)).toEqual(['features', 'pre', 'block_dense', 'block_bn', 'block_out', 'head']);
    expect(notes.join('\n')).toMatch(/nested model "block" flattened into "outer": 3 layers keep their names/);
    const graph = buildDependencyGraph(model);
    expect(
      graph.groups
        .filter((g) => !g.frozenReason)
        .map((g) => g.id)
        .sort(),
    ).toEqual(['block_dense', 'block_out', 'pre']);
    const original = await loadWithTfjs(saved);
    const x = tf.randomNormal([3, 7], 0, 1, 'float32', 4);
    expectClose(predictValues(model, x), predictValues(original, x), 1e-5);
    tf.dispose([x]);
  });

  it('renames weights saved with the nested model prefix (Keras 3, TF 1: block/block_dense/kernel)', async () => {
    const outer = nestedSequential();
    randomizeWeights(outer, 6);
    const saved = await artifactsOf(outer);
    const prefixed = saved.weightSpecs.map((w) => (w.name.startsWith('block_') ? { ...w, name: `block/${w.name}` } : w));
    const { weightSpecs, notes } = normalizeLayersArtifacts({ modelTopology: saved.modelTopology, weightSpecs: prefixed });
    expect(weightSpecs.map((w) => w.name)).toEqual(saved.weightSpecs.map((w) => w.name));
    expect(notes.join('\n')).toMatch(/8 weight names follow their layer in the flat graph \(e\.g\. block\/block_dense\/kernel -> block_dense\/kernel\)/);
    const { model } = await readLayersModel(await writeModelJson({ ...saved, weightSpecs: prefixed }));
    const original = await loadWithTfjs(saved);
    const x = tf.randomNormal([2, 7], 0, 1, 'float32', 8);
    expectClose(predictValues(model, x), predictValues(original, x), 1e-5);
    x.dispose();
  });

  it('renames an inner layer whose name the outer graph already uses', async () => {
    const block = tfl.sequential({ name: 'tower', layers: [tfl.layers.dense({ inputShape: [3], units: 3, name: 'dense' })] });
    const input = tfl.input({ shape: [3], name: 'x' });
    const first = tfl.layers.dense({ units: 3, name: 'dense_outer' }).apply(input) as tfl.SymbolicTensor;
    const out = block.apply(first) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out, name: 'm' });
    const saved = await artifactsOf(model);
    const topology = JSON.parse(JSON.stringify(saved.modelTopology).replaceAll('"dense_outer"', '"dense"'));
    const specs = saved.weightSpecs.map((w) => ({
      ...w,
      name: w.name.startsWith('dense_outer/') ? w.name.replace('dense_outer', 'dense') : `tower/${w.name}`,
    }));
    const { modelTopology, weightSpecs, notes } = normalizeLayersArtifacts({ modelTopology: topology, weightSpecs: specs });
    const names = (modelTopology.config as { layers: { name: string }[] }).layers.map((l) => l.name);
    expect(names).toEqual(['x', 'dense', 'tower_dense']);
    expect(weightSpecs.map((w) => w.name)).toEqual(['dense/kernel', 'dense/bias', 'tower_dense/kernel', 'tower_dense/bias']);
    expect(notes.join('\n')).toMatch(/renamed to avoid clashes: dense -> tower_dense/);
  });

  it('flattens a Sequential inside a Sequential and carries a frozen nested model onto its layers', async () => {
    const inner = tfl.sequential({
      name: 'stem',
      layers: [tfl.layers.dense({ inputShape: [4], units: 5, name: 'stem_fc' }), tfl.layers.dense({ units: 3, name: 'stem_fc2' })],
    });
    const outer = tfl.sequential({ name: 'net', layers: [inner, tfl.layers.dense({ units: 2, name: 'head' })] });
    randomizeWeights(outer, 12);
    const saved = await artifactsOf(outer);
    // Keras writes `trainable: false` on a frozen nested model's config (TF.js does not save it).
    const frozen = structuredClone(saved.modelTopology) as { config: { layers: { config: Record<string, unknown> }[] } };
    frozen.config.layers[0].config.trainable = false;
    const { model, notes } = await readLayersModel(await writeModelJson({ ...saved, modelTopology: frozen }));
    expect(model.layers.map((l) => l.name)).toEqual(['stem_input', 'stem_fc', 'stem_fc2', 'head']);
    expect(model.layers.slice(1).map((l) => l.trainable)).toEqual([false, false, true]);
    expect(notes.join('\n')).toMatch(/nested model "stem" flattened into "net"/);
    const original = await loadWithTfjs(saved);
    const x = tf.randomNormal([3, 4], 0, 1, 'float32', 5);
    expectClose(predictValues(model, x), predictValues(original, x), 1e-5);
    x.dispose();
  });

  it('keeps a model called twice nested, saying why', async () => {
    const shared = tfl.sequential({ name: 'shared', layers: [tfl.layers.dense({ inputShape: [4], units: 4, name: 'sd' })] });
    const input = tfl.input({ shape: [4], name: 'x' });
    const a = shared.apply(input) as tfl.SymbolicTensor;
    const b = shared.apply(a) as tfl.SymbolicTensor;
    const saved = await artifactsOf(tfl.model({ inputs: input, outputs: b, name: 'twice' }));
    const { notes } = normalizeLayersArtifacts({ modelTopology: saved.modelTopology, weightSpecs: saved.weightSpecs });
    expect(notes.join('\n')).toMatch(/nested model "shared" kept as one layer: it is called 2 times/);
    const { model } = await readLayersModel(await writeModelJson(saved));
    expect(model.layers.map((l) => l.name)).toEqual(['x', 'shared']);
  });
});

describe('unsupported layers and models', () => {
  it('names an unknown layer class and how to register it', async () => {
    const saved = await artifactsOf(tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2, name: 'fc' })] }));
    const text = JSON.stringify(saved.modelTopology).replace('"class_name":"Dense"', '"class_name":"MyCustomDense"');
    const file = await writeModelJson({ ...saved, modelTopology: JSON.parse(text) });
    const err = await readLayersModel(file).catch((e: unknown) => e);
    expect(isOmnipruneError(err, 'E_UNSUPPORTED_LAYER')).toBe(true);
    expect((err as Error).message).toMatch(/uses layer class MyCustomDense\b.*which TensorFlow\.js cannot deserialize[\s\S]*registerClass\(MyCustomDense\b/);
  });

  it('refuses a subclassed model topology', () => {
    expect(() => normalizeLayersArtifacts({ modelTopology: { class_name: 'MyModel', config: {} }, weightSpecs: [] })).toThrow(
      /is a "MyModel", not a Sequential or functional model/,
    );
  });
});
