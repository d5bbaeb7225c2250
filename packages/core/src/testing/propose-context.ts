import type * as tfl from '@tensorflow/tfjs-layers';
import type { ImageDataset, InferenceRunner, ProposeContext, PruneCandidate } from '@omniprune/plugin-api';
import { buildDependencyGraph } from '../graph/index.js';
import { createRng } from '../util/rng.js';
import { syntheticDataset } from './synthetic-data.js';

/** Options of {@link proposeContext}. */
export interface ProposeContextOptions {
  /** Seed of the context's `rng` (and of the default `train`). Default 1. */
  readonly seed?: number;
  /**
   * The training data criteria sample from. Default: 4 {@link syntheticDataset} images per class of the parent's input
   * shape (seeded with `seed`); an empty dataset when the input is not an image.
   */
  readonly train?: ImageDataset;
  /** Candidates proposed earlier in the iteration. Default none. */
  readonly earlier?: readonly PruneCandidate[];
  /** Collects the context's log lines. Default: they are dropped. */
  readonly logs?: string[];
  /** The inference runner. Default none (criteria fall back to TF.js). */
  readonly runner?: InferenceRunner;
}

/**
 * What a pruner or criterion sees in the first iteration of a run on `parent`, built by hand: the dependency graph,
 * iteration 1, `createRng(seed)`, `train` and nothing proposed earlier.
 * @example
 * const logs: string[] = [];
 * const candidate = await pruner.propose(proposeContext(model, { seed: 3, logs }));
 */
export function proposeContext(parent: tfl.LayersModel, options: ProposeContextOptions = {}): ProposeContext {
  const { seed = 1, earlier = [], logs, runner } = options;
  return {
    parent,
    graph: buildDependencyGraph(parent),
    iteration: 1,
    rng: createRng(seed),
    train: options.train ?? defaultTrain(parent, seed),
    earlier,
    log: (message) => logs?.push(message),
    ...(runner ? { runner } : {}),
  };
}

/** 4 random images per class of `parent`'s input shape, or none when its input is not an image. */
function defaultTrain(parent: tfl.LayersModel, seed: number): ImageDataset {
  const shape = parent.inputs[0].shape.slice(1);
  const classes = parent.outputs[0].shape[1] as number;
  if (shape.length !== 3) return syntheticDataset({ count: 0, shape: [1, 1, 1], classes, seed });
  return syntheticDataset({ count: 4 * classes, shape: shape as [number, number, number], classes, seed });
}
