import { buildDependencyGraph } from '@omniprune/core/graph';
import { createPluginContainer, isOmnipruneError, readModel, registerPlugin, testPluginContext } from '@omniprune/core';
import { readLayersModel } from '@omniprune/core/io';
import type { ModelFormat } from '@omniprune/plugin-api';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCpu } from '@omniprune/core/testing';
import { kerasFormat, kerasH5Artifacts, kerasH5Format, loadKerasArtifacts, readKeras, readKerasH5 } from '../src/index.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const kerasFile = (name: string) => join(fixtures, 'keras', name);

/** Fixture name -> input shape for the comparisons. */
const MODELS: Record<string, number[]> = {
  'sequential-cnn': [4, 8, 8, 3],
  'functional-residual': [4, 6, 6, 2],
  'nested-sequential': [4, 7],
};

beforeAll(useCpu);

/** The TF.js original of a fixture, read by plain TF.js. */
async function tfjsOriginal(name: string): Promise<tfl.LayersModel> {
  const dir = join(fixtures, 'tfjs', name);
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const data = await readFile(join(dir, 'weights.bin'));
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0].weights,
      weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
    }),
  );
}

async function expectSameOutputs(model: tfl.LayersModel, name: string): Promise<void> {
  const original = await tfjsOriginal(name);
  const x = tf.randomNormal(MODELS[name], 0, 1, 'float32', 42);
  const [a, b] = [model.predict(x) as tf.Tensor, original.predict(x) as tf.Tensor];
  expect(a.shape).toEqual(b.shape);
  const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
  expect(diff).toBeLessThan(1e-4);
  tf.dispose([x, a, b]);
  original.dispose();
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => {
      throw new Error('expected an error');
    },
    (e: Error & { code?: string }) => e,
  );
}

const tempDirs: string[] = [];
afterAll(() => Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tempFile(name: string, bytes: Uint8Array | string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'omniprune-keras-'));
  tempDirs.push(dir);
  const file = join(dir, name);
  await writeFile(file, bytes);
  return file;
}

describe('Keras 2 .h5', () => {
  for (const name of Object.keys(MODELS)) {
    it(`${name}.h5 equals the TF.js original and the graph engine reads it`, async () => {
      const { model, origin, notes } = await readKerasH5(kerasFile(`${name}.h5`));
      expect(origin).toEqual({ format: 'keras-h5', file: kerasFile(`${name}.h5`), details: { kerasVersion: '2.15.0', backend: 'tensorflow' } });
      expect(buildDependencyGraph(model).groups.length).toBeGreaterThan(0);
      if (name === 'sequential-cnn') {
        expect(model.layers.map((l) => l.name)).toEqual([
          'conv2d_input',
          'conv2d',
          'batch_normalization',
          'max_pooling2d',
          'conv2d_1',
          'global_average_pooling2d',
          'dense',
        ]);
        expect(notes.join('\n')).toMatch(/BatchNormalization axis lists of 1 layers read as a single axis/);
      }
      if (name === 'nested-sequential') {
        expect(model.layers.map((l) => l.name)).toEqual(['input_2', 'dense_2', 'dense_3', 'batch_normalization_2', 'dense_4', 'dense_5']);
        expect(notes.join('\n')).toMatch(/nested model "sequential_1" flattened/);
      }
      await expectSameOutputs(model, name);
    });
  }

  it('explains a weights-only file', async () => {
    const err = await errorOf(readKerasH5(kerasFile('weights-only.h5')));
    expect(err.code).toBe('E_BAD_INPUT');
    expect(err.message).toMatch(
      /weights-only\.h5: this \.h5 holds weights only \(model\.save_weights\); save the whole model with model\.save\('m\.h5'\) or pass its model\.json/,
    );
  });

  it('refuses files that are not HDF5 or are truncated, naming them', async () => {
    const text = await tempFile('notes.h5', 'not a model');
    expect(await errorOf(readKerasH5(text))).toMatchObject({ code: 'E_CORRUPT_FILE', message: expect.stringMatching(/notes\.h5 is not an HDF5 file/) });
    const bytes = await readFile(kerasFile('sequential-cnn.h5'));
    const cut = await tempFile('cut.h5', bytes.subarray(0, 3000));
    const err = await errorOf(readKerasH5(cut));
    expect(err.code).toBe('E_CORRUPT_FILE');
    expect(err.message).toMatch(/cut\.h5 is a damaged HDF5 file \(truncated file: eof = 3000/);
  });

  it('says a missing file is missing', async () => {
    expect(await errorOf(readKerasH5(join(fixtures, 'nope.h5')))).toMatchObject({
      code: 'E_FILE_NOT_FOUND',
      message: expect.stringMatching(/no model at .*nope\.h5/),
    });
  });

  it('names a layer class TF.js cannot deserialize and how to register it', async () => {
    const file = kerasFile('sequential-cnn.h5');
    const artifacts = await kerasH5Artifacts(new Uint8Array(await readFile(file)), file);
    const text = JSON.stringify(artifacts.modelTopology).replace('"class_name":"MaxPooling2D"', '"class_name":"BlurPool2D"');
    const err = await errorOf(loadKerasArtifacts({ ...artifacts, modelTopology: JSON.parse(text) }, file, 'keras-h5'));
    expect(isOmnipruneError(err, 'E_UNSUPPORTED_LAYER')).toBe(true);
    expect(err.message).toMatch(
      /sequential-cnn\.h5 uses layer class BlurPool2D, which TensorFlow\.js cannot deserialize\n {2}hint: register a TF\.js implementation first \(tf\.serialization\.registerClass\(BlurPool2D\)/,
    );
  });
});

describe('Keras 3 .keras', () => {
  for (const name of Object.keys(MODELS)) {
    it(`${name}.keras equals the TF.js original and the graph engine reads it`, async () => {
      const { model, origin, notes } = await readKeras(kerasFile(`${name}.keras`));
      expect(origin).toEqual({ format: 'keras', file: kerasFile(`${name}.keras`), details: { kerasVersion: '3.6.0' } });
      const joined = notes.join('\n');
      expect(joined).toMatch(/Keras 3 weight paths .* read as <layer>\/<index>/);
      expect(joined).toMatch(/state outside the layers was not read \(optimizer\)/);
      expect(joined).toMatch(/removed module\/registered_name wrappers/);
      expect(buildDependencyGraph(model).groups.length).toBeGreaterThan(0);
      if (name === 'sequential-cnn') expect(model.layers[0].name).toBe('input_layer');
      if (name === 'functional-residual') expect(joined).toMatch(/inbound nodes .* converted to Keras 2 lists/);
      await expectSameOutputs(model, name);
    });
  }

  it('refuses a truncated archive with E_CORRUPT_FILE naming the file', async () => {
    const bytes = await readFile(kerasFile('functional-residual.keras'));
    const file = await tempFile('cut.keras', bytes.subarray(0, bytes.byteLength - 200));
    const err = await errorOf(readKeras(file));
    expect(err.code).toBe('E_CORRUPT_FILE');
    expect(err.message).toMatch(/cut\.keras is a damaged \.keras archive/);
    const h5 = await tempFile('model.keras', await readFile(kerasFile('sequential-cnn.h5')));
    expect(await errorOf(readKeras(h5))).toMatchObject({
      code: 'E_CORRUPT_FILE',
      message: expect.stringMatching(/model\.keras is not a \.keras archive \(not a zip file\)/),
    });
  });
});

describe('Keras 3 model.json from tensorflowjs_converter', () => {
  it('loads through core readLayersModel and equals the original', async () => {
    const { model, notes } = await readLayersModel(join(fixtures, 'keras', 'residual-keras3-tfjs', 'model.json'));
    expect(model.layers.map((l) => l.name)).toEqual([
      'input_1',
      'conv2d_3',
      'batch_normalization_1',
      'activation',
      'conv2d_4',
      'add',
      'global_average_pooling2d_1',
      'dense_1',
    ]);
    const joined = notes.join('\n');
    expect(joined).toMatch(/dtype policies of \d+ layers replaced/);
    expect(joined).toMatch(/batch_shape -> batch_input_shape on "input_1"/);
    expect(joined).toMatch(/2 variables that are not layer weights were left out .*optimizer\/vars\/0/);
    await expectSameOutputs(model, 'functional-residual');
  });
});

describe('format plugins', () => {
  it('declare names and extensions and read only', () => {
    const h5 = kerasH5Format.create({}, testPluginContext({ seed: 0 })) as ModelFormat;
    const k3 = kerasFormat.create({}, testPluginContext({ seed: 0 })) as ModelFormat;
    expect([h5.name, h5.extensions, h5.write, h5.fileName]).toEqual(['keras-h5', ['.h5', '.hdf5'], undefined, undefined]);
    expect([k3.name, k3.extensions, k3.write, k3.fileName]).toEqual(['keras', ['.keras'], undefined, undefined]);
    expect(kerasH5Format.kind).toBe('format');
  });

  it('let core readModel pick them by extension once registered', async () => {
    const container = createPluginContainer();
    registerPlugin(container, kerasH5Format, '@omniprune/keras');
    registerPlugin(container, kerasFormat, '@omniprune/keras');
    const fromH5 = await readModel(kerasFile('functional-residual.h5'), container);
    const fromKeras = await readModel(kerasFile('functional-residual.keras'), container);
    expect([fromH5.origin.format, fromKeras.origin.format]).toEqual(['keras-h5', 'keras']);
    await expectSameOutputs(fromKeras.model, 'functional-residual');
  });
});
