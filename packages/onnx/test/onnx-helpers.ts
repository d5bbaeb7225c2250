import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createRng } from '@omniprune/core/util';
import { loadOnnxRuntime } from '../src/index.js';

/** Folder of the committed .onnx fixtures (made by fixtures/make_onnx_fixtures.py). */
export const FIXTURE_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** The bytes of fixture `name` (without `.onnx`). */
export async function fixtureBytes(name: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(`${FIXTURE_DIR}${name}.onnx`));
}

/** Run an ONNX model (bytes or file) on onnxruntime with one float input; returns the first output and the session's metadata. */
export async function runOrt(model: Uint8Array | string, input: string, x: Float32Array, dims: number[]) {
  const ort = await loadOnnxRuntime();
  if (ort instanceof Error) throw ort;
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  try {
    const out = await session.run({ [input]: new ort.Tensor('float32', x, dims) });
    const first = out[session.outputNames[0]];
    return {
      data: first.data as Float32Array,
      dims: [...first.dims],
      inputNames: [...session.inputNames],
      outputNames: [...session.outputNames],
      inputShape: [...((session.inputMetadata[0] as { shape?: readonly (number | string)[] }).shape ?? [])],
    };
  } finally {
    await session.release();
  }
}

/** TF.js prediction of `model` on NCHW images `x` (transposed to NHWC first). */
export function runTfjs(model: tfl.LayersModel, x: Float32Array, [n, c, h, w]: readonly number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.transpose(tf.tensor4d(x, [n, c, h, w]), [0, 2, 3, 1])) as tf.Tensor).dataSync() as Float32Array);
}

/** Give every normalisation layer non-trivial statistics, so exporting them is really tested (weights stay well scaled). */
export function perturbNorms(model: tfl.LayersModel, seed: number): void {
  const rng = createRng(seed);
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'BatchNormalization' && cls !== 'LayerNormalization') continue;
    layer.setWeights(
      layer.weights.map((w) => {
        const short = w.originalName.split('/').pop()!;
        const [lo, hi] = short === 'gamma' || short === 'moving_variance' ? [0.5, 1.5] : [-0.2, 0.2];
        return tf.tensor(
          Float32Array.from({ length: w.shape.reduce((a, b) => a! * b!, 1)! }, () => lo + (hi - lo) * rng.next()),
          w.shape as number[],
        );
      }),
    );
  }
}
