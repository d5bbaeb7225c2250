import type * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '@omniprune/core';
import { latencyInput, type TimedModel } from '@omniprune/core/metrics';
import { exportOnnx } from './export-onnx.js';
import { loadOnnxRuntime } from './load-onnxruntime.js';

/**
 * `model` exported with `exportOnnx` as deployed (batch norm folded, NCHW images) and opened once in an onnxruntime
 * session (CPU, all graph optimisations, `threads` intra-op threads, 0 = onnxruntime's choice); `dispose` releases
 * the session.
 * @throws OmnipruneError `E_BACKEND` when onnxruntime-node does not load; `E_UNSUPPORTED_LAYER` from the export
 * @example
 * const timed = await onnxTimedModel(model, [28, 28, 1], 1); await timed.pass(64)(); await timed.dispose();
 */
export async function onnxTimedModel(model: tfl.LayersModel, shape: readonly number[], seed: number, threads = 0): Promise<TimedModel> {
  const ort = await loadOnnxRuntime();
  if (ort instanceof Error) {
    throw new OmnipruneError('E_BACKEND', ort.message, { plugin: 'onnx', hint: 'install onnxruntime-node, or time on TF.js (runner: tfjs)' });
  }
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
        // NCHW for images: latencyInput's numbers in the order the graph reads them
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
