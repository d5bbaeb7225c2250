import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { centered, symmetricEigen, transposeTimes } from '@omniprune/criteria-similarity';
import { buildZooModel } from '@omniprune/core/zoo';
import { captureFeatures, type Features } from '@omniprune/core/prune';
import { createPlugin, type PluginContainer } from '@omniprune/core';
import { createSgdTrainer } from '@omniprune/core/train';
import { dataPipelineSchema, prepareData, selectSubsetIndices, takeIndices } from '@omniprune/core/data';
import type { SimilarityMetric } from '@omniprune/plugin-api';

/** Settings of the metric sanity suite (`sanity:` in a bench file; every field has a default). */
export const sanitySpecSchema = z.strictObject({
  /** Architecture trained once per seed. */
  zoo: z.string().min(1).default('resnet20'),
  /** Data (subsets keep it quick). */
  data: dataPipelineSchema.default(() => dataPipelineSchema.parse({ dataset: { name: 'fashion-mnist', trainSubset: 2000, testSubset: 500 } })),
  /** Independently initialised and trained models; layer identification needs >= 2 (one seed runs PC removal only). */
  seeds: z.array(z.number().int().nonnegative()).min(1).default([1, 2]),
  epochs: z.number().int().positive().default(1),
  lr: z.number().positive().default(0.05),
  /** Test images the representations are taken on. */
  samples: z.number().int().positive().default(500),
  /** Principal components removed, one point each, for the sensitivity curve. */
  components: z.array(z.number().int().nonnegative()).default([0, 1, 2, 4, 8, 16, 32]),
});

/** Parsed sanity settings. */
export type SanitySpec = z.output<typeof sanitySpecSchema>;

/** Sanity results of one metric. */
export interface MetricSanity {
  readonly metric: string;
  /** Share of (model pair, layer) where the metric picks the same layer of the other model as most similar (NaN with one seed). */
  readonly layerIdentification: number;
  /** Similarity of the penultimate representation with its top-k principal components removed, per k. */
  readonly pcRemoval: readonly { readonly components: number; readonly similarity: number }[];
  /** True when the similarity never increases as more high-variance directions are removed, and ends lower than it starts. */
  readonly decreasesWithComponents: boolean;
  /** Why the metric could not be computed on these representations (the suite goes on with the others). */
  readonly error?: string;
}

/** A layer identification share as printed: a percentage, or why there is none (one seed: no pair of models). */
export function identificationText(share: number): string {
  return Number.isNaN(share) ? 'not measured (needs 2 seeds)' : `${(100 * share).toFixed(1)} %`;
}

/** The layers compared: each residual block's output (and the stem), global-average-pooled to channels. */
export function probeLayers(model: tfl.LayersModel): string[] {
  const outs = model.layers.filter((l) => /_out$|^stem_relu$/.test(l.name)).map((l) => l.name);
  return outs.length >= 2 ? outs : model.layers.filter((l) => l.getClassName() === 'Add').map((l) => l.name);
}

/** Features of `layer` averaged over spatial positions (a `[h, w, c]` output becomes `c` features). */
async function pooledFeatures(model: tfl.LayersModel, layer: string, ds: Parameters<typeof captureFeatures>[2]): Promise<Features> {
  const f = await captureFeatures(model, layer, ds);
  const shape = model.getLayer(layer).outputShape as (number | null)[];
  const channels = shape[shape.length - 1] ?? f.cols;
  if (channels === f.cols) return f;
  const positions = f.cols / channels;
  const data = new Float32Array(f.rows * channels);
  for (let r = 0; r < f.rows; r++) {
    for (let p = 0; p < positions; p++) for (let c = 0; c < channels; c++) data[r * channels + c] += f.data[r * f.cols + p * channels + c] / positions;
  }
  return { data, rows: f.rows, cols: channels };
}

const asTensor = (f: Features): tf.Tensor2D => tf.tensor2d(f.data, [f.rows, f.cols]);

/** Centre the features and remove their top-`k` principal components (project onto the remaining ones). */
export function removeComponents(f: Features, k: number): Features {
  const x = centered(f.rows, f.cols, f.data);
  const { vectors } = symmetricEigen(transposeTimes(x, x));
  const out = Float32Array.from(x.data);
  for (let c = 0; c < Math.min(k, f.cols); c++) {
    for (let r = 0; r < f.rows; r++) {
      let dot = 0;
      for (let j = 0; j < f.cols; j++) dot += x.data[r * f.cols + j] * vectors.data[j * f.cols + c];
      for (let j = 0; j < f.cols; j++) out[r * f.cols + j] -= dot * vectors.data[j * f.cols + c];
    }
  }
  return { data: out, rows: f.rows, cols: f.cols };
}

/**
 * Layer identification (Kornblith et al. 2019): over every ordered pair of models and every layer `i` of the
 * first, the share where layer `i` of the second is the most similar of its layers (ties count against).
 * @example
 * layerIdentification([layersOfSeed1, layersOfSeed2], (a, b) => linearCKA(a, b)) // 1 for a perfect metric
 */
export function layerIdentification<F>(layerFeatures: readonly (readonly F[])[], sim: (a: F, b: F) => number): number {
  let correct = 0;
  let total = 0;
  for (let a = 0; a < layerFeatures.length; a++) {
    for (let b = 0; b < layerFeatures.length; b++) {
      if (a === b) continue;
      layerFeatures[a].forEach((fa, i) => {
        const scores = layerFeatures[b].map((fb) => sim(fa, fb));
        const best = Math.max(...scores);
        if (scores[i] === best && scores.filter((s) => s === best).length === 1) correct++;
        total++;
      });
    }
  }
  return total === 0 ? NaN : correct / total;
}

/**
 * Kornblith et al.'s layer-identification test and a principal-component sensitivity curve, per metric: trains
 * one model per seed, takes each block's pooled output on the same test images, and asks every metric which
 * layer of one model is most similar to each layer of another.
 * @example
 * const results = await runSanity(spec, ['linear-cka', 'procrustes'], container, console.error);
 */
export async function runSanity(
  spec: SanitySpec,
  metrics: readonly { name: string; use: string; with?: unknown }[],
  container: PluginContainer,
  log: (line: string) => void,
): Promise<MetricSanity[]> {
  // every metric is created (its name and options checked) before any model is trained
  const ctx = { log, seed: 1 };
  const created: { name: string; metric: SimilarityMetric }[] = [];
  for (const m of metrics)
    created.push({ name: m.name, metric: await createPlugin<SimilarityMetric>(container, 'criterion', m.use, m.with ?? {}, ctx, `metrics[${m.name}]`) });
  const data = await prepareData(spec.data);
  const sample = takeIndices(
    data.test,
    selectSubsetIndices(data.test.labels, data.test.numClasses, Math.min(spec.samples, data.test.count), { strategy: 'stratified', seed: 1 }),
  );
  const layerFeatures: Features[][] = [];
  for (const seed of spec.seeds) {
    const model = buildZooModel(spec.zoo, { inputShape: [...data.train.shape], classes: data.train.numClasses, seed });
    const started = Date.now();
    await createSgdTrainer({ epochs: spec.epochs, batchSize: 64, lr: spec.lr, seed }).fit(model, data.train);
    const layers = probeLayers(model);
    layerFeatures.push(await Promise.all(layers.map((l) => pooledFeatures(model, l, sample))));
    log(`sanity: ${spec.zoo} seed ${seed} trained in ${((Date.now() - started) / 1000).toFixed(0)} s; ${layers.length} layers probed`);
    model.dispose();
  }
  const results: MetricSanity[] = [];
  for (const { name, metric } of created) {
    const m = { name };
    const sim = (a: Features, b: Features): number => tf.tidy(() => metric.similarity(asTensor(a), asTensor(b)));
    let identified: number;
    try {
      identified = layerFeatures.length < 2 ? Number.NaN : layerIdentification(layerFeatures, sim);
    } catch (err) {
      const error = (err as Error).message.split('\n')[0];
      results.push({ metric: m.name, layerIdentification: NaN, pcRemoval: [], decreasesWithComponents: false, error });
      log(`sanity: ${m.name}: not computed (${error})`);
      continue;
    }
    const penultimate = layerFeatures[0][layerFeatures[0].length - 1];
    const pcRemoval = spec.components
      .filter((k) => k < penultimate.cols)
      .map((k) => ({ components: k, similarity: sim(penultimate, removeComponents(penultimate, k)) }));
    const nonIncreasing = pcRemoval.every((p, i) => i === 0 || p.similarity <= pcRemoval[i - 1].similarity + 1e-6);
    const decreasesWithComponents = nonIncreasing && pcRemoval.length > 1 && pcRemoval[pcRemoval.length - 1].similarity < pcRemoval[0].similarity - 1e-3;
    results.push({ metric: m.name, layerIdentification: identified, pcRemoval, decreasesWithComponents });
    log(`sanity: ${m.name}: layer identification ${identificationText(identified)}, PC removal ${decreasesWithComponents ? 'falls' : 'does NOT fall'}`);
  }
  return results;
}
