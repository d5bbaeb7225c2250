import { OmnipruneError, createRng } from '@omniprune/core';
import { exportOnnx, loadOnnxRuntime } from '@omniprune/onnx';
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** A model ready to be timed on one runner: one forward pass of a fixed input per call. */
export interface TimedModel {
  /** A forward pass of a fixed `batch`-image input (made once per batch size, shared by the models compared). */
  pass(batch: number): () => Promise<void>;
  dispose(): Promise<void>;
}

/**
 * The fixed random input of a batch: values uniform in [-1, 1) (about the range of normalised pixels), seeded by
 * `seed` and the batch size, so the models compared see the same numbers.
 * @example
 * const x = latencyInput(64, [28, 28, 1], 1); // 64 * 784 floats
 */
export function latencyInput(batch: number, shape: readonly number[], seed: number): Float32Array {
  const rng = createRng((seed * 31 + batch) >>> 0);
  return Float32Array.from({ length: batch * shape.reduce((a, b) => a * b, 1) }, () => rng.next() * 2 - 1);
}

/**
 * `model` timed on TF.js (`model.predict`, inference mode, output read back with `data()`); input tensors are made
 * once per batch size and freed by `dispose`.
 * @example
 * const timed = tfjsTimedModel(tf, model, [28, 28, 1], 1); await timed.pass(1)(); await timed.dispose();
 */
export function tfjsTimedModel(tfc: typeof tf, model: tfl.LayersModel, shape: readonly number[], seed: number): TimedModel {
  const inputs = new Map<number, tf.Tensor>();
  return {
    pass(batch) {
      let x = inputs.get(batch);
      if (!x) {
        x = tfc.tensor(latencyInput(batch, shape, seed), [batch, ...shape]);
        inputs.set(batch, x);
      }
      const input = x;
      return async () => {
        const y = model.predict(input) as tf.Tensor | tf.Tensor[];
        try {
          await (Array.isArray(y) ? y[0] : y).data();
        } finally {
          tfc.dispose(y);
        }
      };
    },
    async dispose() {
      tfc.dispose([...inputs.values()]);
      inputs.clear();
    },
  };
}

/**
 * `model` exported with `exportOnnx` as deployed (batch norm folded, NCHW images) and opened once in an onnxruntime
 * session (CPU, all graph optimisations,
 * `threads` intra-op threads, 0 = onnxruntime's choice); `dispose` releases the session.
 * @throws OmnipruneError `E_BACKEND` when onnxruntime-node does not load; `E_UNSUPPORTED_LAYER` from the export
 * @example
 * const timed = await onnxTimedModel(model, [28, 28, 1], 1); await timed.pass(64)(); await timed.dispose();
 */
export async function onnxTimedModel(model: tfl.LayersModel, shape: readonly number[], seed: number, threads = 0): Promise<TimedModel> {
  const ort = await loadOnnxRuntime();
  if (ort instanceof Error) {
    throw new OmnipruneError('E_BACKEND', ort.message, { plugin: 'evaluator:latency', hint: 'install onnxruntime-node, or set runner: tfjs' });
  }
  // the deployment form: batch norms folded into their convs, NCHW input (no layout transpose in the graph)
  const image = shape.length === 3;
  const exported = exportOnnx(model, { foldBatchNorm: true, ...(image ? { layout: 'NCHW' as const } : {}) });
  const session = await ort.InferenceSession.create(exported.bytes, {
    intraOpNumThreads: threads,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
  });
  const inputs = new Map<number, InstanceType<typeof ort.Tensor>>();
  return {
    pass(batch) {
      let x = inputs.get(batch);
      if (!x) {
        const dims = image ? [batch, shape[2], shape[0], shape[1]] : [batch, ...shape];
        x = new ort.Tensor('float32', latencyInput(batch, shape, seed), dims);
        inputs.set(batch, x);
      }
      const feeds = { [exported.input]: x };
      return async () => {
        await session.run(feeds);
      };
    },
    async dispose() {
      inputs.clear();
      await session.release();
    },
  };
}
