import type * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError, PROB_EPSILON, classifierOutput, type ImageDataset, type InferenceRunner } from '@omniprune/core';
import { exportOnnx } from './export-onnx.js';

type OrtModule = typeof import('onnxruntime-node');

let cached: Promise<OrtModule | Error> | undefined;

/**
 * onnxruntime-node when it loads (its CPU binaries ship in the npm package), else the reason it does not.
 * @example
 * const ort = await loadOnnxRuntime(); if (ort instanceof Error) console.log(ort.message);
 */
export function loadOnnxRuntime(): Promise<OrtModule | Error> {
  cached ??= import('onnxruntime-node').then(
    (m) => ((m as { default?: OrtModule }).default ?? m) as OrtModule,
    (e: unknown) => new Error(`onnxruntime-node unavailable: ${(e as Error).message.split('\n')[0]}`),
  );
  return cached;
}

/** Forward-only inference of one exported model on onnxruntime. */
export interface OnnxRunner {
  /** Graph output names: `out:<layer>` for the model's outputs, then the extra outputs. */
  readonly outputs: readonly string[];
  /** Run every image of `ds`; per output name, row-major `[ds.count, features]` (TF.js layout). */
  run(ds: ImageDataset, batchSize?: number): Promise<Map<string, Float32Array>>;
  dispose(): Promise<void>;
}

/**
 * Export `model` (plus `extraOutputs` for activation capture) and open an onnxruntime session on it.
 * @example
 * const runner = await createOnnxRunner(model, { extraOutputs: ['gap'] }); const out = await runner.run(test);
 */
export async function createOnnxRunner(model: tfl.LayersModel, options: { extraOutputs?: readonly string[]; threads?: number } = {}): Promise<OnnxRunner> {
  const ort = await loadOnnxRuntime();
  if (ort instanceof Error)
    throw new OmnipruneError('E_BACKEND', ort.message, {
      plugin: 'onnx',
      hint: 'install onnxruntime-node (optional dependency of @omniprune/onnx), or use the tfjs runner',
    });
  const exported = exportOnnx(model, { extraOutputs: options.extraOutputs });
  const session = await ort.InferenceSession.create(exported.bytes, {
    intraOpNumThreads: options.threads ?? 0,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
  });
  return {
    outputs: exported.outputs,
    async run(ds, batchSize = 256) {
      const sample = ds.shape[0] * ds.shape[1] * ds.shape[2];
      const inputShape = model.inputs[0].shape.slice(1) as number[];
      const parts = new Map<string, Float32Array[]>(exported.outputs.map((o) => [o, []]));
      for (let start = 0; start < ds.count; start += batchSize) {
        const n = Math.min(batchSize, ds.count - start);
        const x = new ort.Tensor('float32', ds.images.slice(start * sample, (start + n) * sample), [n, ...inputShape]);
        const result = await session.run({ [exported.input]: x });
        for (const o of exported.outputs) parts.get(o)!.push(result[o].data as Float32Array);
      }
      return new Map(
        [...parts].map(([name, chunks]) => {
          const out = new Float32Array(chunks.reduce((s, c) => s + c.length, 0));
          let offset = 0;
          for (const c of chunks) {
            out.set(c, offset);
            offset += c.length;
          }
          return [name, out];
        }),
      );
    },
    dispose: () => session.release(),
  };
}

/** The classifier's scores on onnxruntime: its logits when core's `classifierOutput` finds them, else its probabilities. */
async function classifierScores(
  model: tfl.LayersModel,
  ds: ImageDataset,
  options: { threads?: number; batchSize?: number },
): Promise<{ scores: Float32Array; fromLogits: boolean }> {
  const { logitsLayer } = classifierOutput(model);
  const runner = await createOnnxRunner(model, { extraOutputs: logitsLayer ? [logitsLayer] : [], threads: options.threads });
  try {
    const outputs = await runner.run(ds, options.batchSize);
    return { scores: outputs.get(logitsLayer ? `out:${logitsLayer}` : runner.outputs[0])!, fromLogits: logitsLayer !== null };
  } finally {
    await runner.dispose();
  }
}

/**
 * Mean cross-entropy and accuracy of `model` on `ds`, computed on onnxruntime exactly as the TF.js evaluation does:
 * from the logits `classifierOutput` finds (log-softmax), else from its output read as probabilities
 * (clipped at 1e-7).
 * @example
 * const { accuracy } = await evaluateOnOnnx(model, test);
 */
export async function evaluateOnOnnx(model: tfl.LayersModel, ds: ImageDataset, threads?: number): Promise<{ loss: number; accuracy: number }> {
  const { scores, fromLogits } = await classifierScores(model, ds, { threads });
  const k = scores.length / Math.max(1, ds.count);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < ds.count; i++) {
    const row = scores.subarray(i * k, (i + 1) * k);
    let best = 0;
    for (let j = 1; j < k; j++) if (row[j] > row[best]) best = j;
    if (best === ds.labels[i]) correct++;
    if (fromLogits) {
      let sum = 0;
      for (const v of row) sum += Math.exp(v - row[best]);
      loss -= row[ds.labels[i]] - row[best] - Math.log(sum);
    } else {
      loss -= Math.log(Math.min(1, Math.max(row[ds.labels[i]], PROB_EPSILON)));
    }
  }
  return { loss: loss / ds.count, accuracy: correct / ds.count };
}

/**
 * Log-probabilities up to a per-row constant on onnxruntime, as core's `predictLogits` computes them on TF.js: the
 * logits `classifierOutput` finds, else `log` of the clipped probabilities.
 * @example
 * const logits = await predictLogitsOnOnnx(model, sample);
 */
export async function predictLogitsOnOnnx(
  model: tfl.LayersModel,
  ds: ImageDataset,
  options: { threads?: number; batchSize?: number } = {},
): Promise<Float32Array> {
  const { scores, fromLogits } = await classifierScores(model, ds, options);
  return fromLogits ? scores : scores.map((p) => Math.log(Math.min(1, Math.max(p, PROB_EPSILON))));
}

/**
 * Forward-only work on onnxruntime: the orchestrator's activation capture and evaluation, and the data-driven
 * criteria's passes (`block-kl`, `kl`, head criteria). Each call exports the model as it is at that moment, so
 * weights masked in place are seen. `threads` defaults to onnxruntime's choice (all cores).
 * @example
 * await runPipeline(pipeline, { container, runner: onnxInferenceRunner() });
 */
export function onnxInferenceRunner(threads?: number): InferenceRunner {
  return {
    name: 'onnxruntime',
    async capture(model, layer, ds, batchSize) {
      const runner = await createOnnxRunner(model, { extraOutputs: [layer], threads });
      try {
        const data = (await runner.run(ds, batchSize)).get(`out:${layer}`)!;
        return { data, rows: ds.count, cols: ds.count ? data.length / ds.count : 0 };
      } finally {
        await runner.dispose();
      }
    },
    evaluate: (model, ds) => evaluateOnOnnx(model, ds, threads),
    predictLogits: (model, ds, batchSize) => predictLogitsOnOnnx(model, ds, { threads, batchSize }),
  };
}
