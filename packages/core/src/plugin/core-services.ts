import * as tf from '@tensorflow/tfjs-core';
import type { CoreServices } from '@omniprune/plugin-api';
import { buildDependencyGraph } from '../graph/dependency-graph.js';
import { applyPlans } from '../graph/apply-plan.js';
import { groupFilterRows, groupKernels, rowsAlong } from '../graph/group-weights.js';
import { bypassBlock, maskChannels, maskHeads } from '../graph/masking.js';
import { attentionLayers } from '../graph/remove-heads.js';
import { countCost } from '../metrics/flops.js';
import { captureFeatures, penultimateLayer } from '../prune/capture.js';
import { runnerOf } from '../prune/inference-runner.js';
import { predictionKl, scoreMasked, scoringSample } from '../prune/masked-scoring/index.js';
import { stratifiedSample } from '../prune/prediction-divergence.js';
import { classifierForward, evaluateClassifier, predictLogits } from '../train/forward.js';
import { lossGradients } from '../train/loss-gradients.js';

/** The services interface handed to every plugin as `ctx.services` (declared in `@omniprune/plugin-api`). */
export type { CoreServices };

/**
 * The services of this core: the functions below, checked against the plugin API's `CoreServices` signatures.
 * @example
 * const graph = coreServices.graph.build(model);
 */
export const coreServices: CoreServices = Object.freeze({
  tf,
  graph: Object.freeze({
    build: buildDependencyGraph,
    applyPlans,
    maskChannels,
    bypassBlock,
    maskHeads,
    attentionLayers,
    groupKernels,
    groupFilterRows,
    rowsAlong,
  }),
  capture: Object.freeze({ features: captureFeatures, penultimateLayer }),
  metrics: Object.freeze({ cost: countCost }),
  model: Object.freeze({ predictLogits, evaluate: evaluateClassifier, lossGradients, classifier: classifierForward, stratifiedSample }),
  scoring: Object.freeze({ scoreMasked, sample: scoringSample, predictionKl }),
  inference: Object.freeze({ runnerOf }),
});
