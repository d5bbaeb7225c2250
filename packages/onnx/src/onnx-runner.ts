import type * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '@omniprune/core';
import { PROB_EPSILON, classifierOutput } from '@omniprune/core/train';
import type { Features, InferenceRunner, MaskedReadout } from '@omniprune/core/prune';
import type { ImageDataset } from '@omniprune/core/data';
import type { RestoreWeights } from '@omniprune/core/graph';
import { exportOnnx } from './export-onnx.js';
import { loadOnnxRuntime } from './load-onnxruntime.js';
import { FLOAT, type OnnxTensor } from './onnx-graph.js';
import { onnxTimedModel } from './onnx-timed-model.js';

/** Forward-only inference of one exported model on onnxruntime. */
export interface OnnxRunner {
  /** Graph output names: `out:<layer>` for the model's outputs, then the extra outputs. */
  readonly outputs: readonly string[];
  /**
   * Run every image of `ds`; per output name, row-major `[ds.count, features]` (TF.js layout). `weights` feeds the
   * constants the export made inputs (`weightInputs`), every one of them.
   */
  run(ds: ImageDataset, batchSize?: number, weights?: ReadonlyMap<string, OnnxTensor>): Promise<Map<string, Float32Array>>;
  dispose(): Promise<void>;
}

/**
 * Export `model` (plus `extraOutputs` for activation capture) and open an onnxruntime session on it.
 * @example
 * const runner = await createOnnxRunner(model, { extraOutputs: ['gap'] }); const out = await runner.run(test);
 */
export async function createOnnxRunner(
  model: tfl.LayersModel,
  options: { extraOutputs?: readonly string[]; threads?: number; weightInputs?: ReadonlySet<string> } = {},
): Promise<OnnxRunner> {
  const ort = await loadOnnxRuntime();
  if (ort instanceof Error)
    throw new OmnipruneError('E_BACKEND', ort.message, {
      plugin: 'onnx',
      hint: 'install onnxruntime-node (optional dependency of @omniprune/onnx), or use the tfjs runner',
    });
  const exported = exportOnnx(model, { extraOutputs: options.extraOutputs, weightInputs: options.weightInputs });
  const session = await ort.InferenceSession.create(exported.bytes, {
    intraOpNumThreads: options.threads ?? 0,
    graphOptimizationLevel: 'all',
    executionProviders: ['cpu'],
  });
  return {
    outputs: exported.outputs,
    async run(ds, batchSize = 256, weights) {
      const extra = Object.fromEntries([...(weights ?? [])].map(([name, t]) => [name, new ort.Tensor('float32', t.values as Float32Array, [...t.dims])]));
      const sample = ds.shape[0] * ds.shape[1] * ds.shape[2];
      const inputShape = model.inputs[0].shape.slice(1) as number[];
      const parts = new Map<string, Float32Array[]>(exported.outputs.map((o) => [o, []]));
      for (let start = 0; start < ds.count; start += batchSize) {
        const n = Math.min(batchSize, ds.count - start);
        const x = new ort.Tensor('float32', ds.images.slice(start * sample, (start + n) * sample), [n, ...inputShape]);
        const result = await session.run({ [exported.input]: x, ...extra });
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

/** Log-probabilities up to a per-row constant from a classifier's scores: the logits, or `log` of clipped probabilities. */
function asLogits(scores: Float32Array, fromLogits: boolean): Float32Array {
  return fromLogits ? scores : scores.map((p) => Math.log(Math.min(1, Math.max(p, PROB_EPSILON))));
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
  return asLogits(scores, fromLogits);
}

/** The float initializers whose values differ between two exports of the same structure. */
function changedInitializers(base: ReadonlyMap<string, OnnxTensor>, now: readonly OnnxTensor[]): Map<string, OnnxTensor> {
  const changed = new Map<string, OnnxTensor>();
  for (const t of now) {
    const b = base.get(t.name);
    if (!b || b.values.length !== t.values.length) {
      throw new OmnipruneError('E_INTERNAL', `a mask changed the structure of the exported graph (initializer ${t.name})`, {
        plugin: 'onnx',
        hint: 'masks zero weights in place; report this',
      });
    }
    if (t.type === FLOAT && t.values.some((v, i) => v !== b.values[i])) changed.set(t.name, t);
  }
  return changed;
}

/**
 * Readouts of `model` with each mask applied alone, in ONE onnxruntime session: every mask is applied, the model
 * exported without encoding to see which graph constants it changes, and undone; the model is then exported once with
 * those constants as graph inputs, and each mask's values (the unmasked ones elsewhere) are fed to the same session. Equals masking, exporting and
 * running each mask in its own session.
 * @example
 * const [a, b] = await readMaskedOnOnnx(model, [() => bypassBlock(model, graph, 's1_b1_add'), ...], { kind: 'logits' }, sample);
 */
export async function readMaskedOnOnnx(
  model: tfl.LayersModel,
  masks: readonly (() => RestoreWeights)[],
  readout: MaskedReadout,
  ds: ImageDataset,
  options: { threads?: number; batchSize?: number } = {},
): Promise<Features[]> {
  const { logitsLayer } = classifierOutput(model);
  const layer = readout.kind === 'features' ? readout.layer : logitsLayer;
  const extraOutputs = layer ? [layer] : [];
  const base = new Map(exportOnnx(model, { extraOutputs, encode: false }).initializers.map((t) => [t.name, t]));
  const changes: Map<string, OnnxTensor>[] = [];
  for (const mask of masks) {
    const restore = mask();
    try {
      changes.push(changedInitializers(base, exportOnnx(model, { extraOutputs, encode: false }).initializers));
    } finally {
      restore();
    }
  }
  const weightInputs = new Set(changes.flatMap((c) => [...c.keys()]));
  const runner = await createOnnxRunner(model, { extraOutputs, threads: options.threads, weightInputs });
  try {
    const out: Features[] = [];
    for (const changed of changes) {
      const weights = new Map([...weightInputs].map((name) => [name, changed.get(name) ?? base.get(name)!]));
      const result = await runner.run(ds, options.batchSize, weights);
      const data = result.get(layer ? `out:${layer}` : runner.outputs[0])!;
      const values = readout.kind === 'features' ? data : asLogits(data, logitsLayer !== null);
      out.push({ data: values, rows: ds.count, cols: ds.count ? values.length / ds.count : 0 });
    }
    return out;
  } finally {
    await runner.dispose();
  }
}

/**
 * Forward-only work on onnxruntime: the orchestrator's activation capture and evaluation, and the data-driven
 * criteria's passes (`block-kl`, `kl`, head criteria). Each call exports the model as it is at that moment, so
 * weights masked in place are seen; masked scoring runs all of a call's masks in one session (`readMasked`). `threads` defaults to onnxruntime's choice (all cores).
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
    readMasked: (model, masks, readout, ds, batchSize) => readMaskedOnOnnx(model, masks, readout, ds, { threads, batchSize }),
    timed: (model, shape, seed) => onnxTimedModel(model, shape, seed, threads),
  };
}
