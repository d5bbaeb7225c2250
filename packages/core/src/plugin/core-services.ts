import * as tf from '@tensorflow/tfjs-core';
import { buildDependencyGraph } from '../graph/dependency-graph.js';
import { applyPlans } from '../graph/apply-plan.js';
import { groupFilterRows, groupKernels, rowsAlong } from '../graph/group-weights.js';
import { bypassBlock, maskChannels, maskHeads } from '../graph/masking.js';
import { attentionLayers } from '../graph/remove-heads.js';
import { countCost } from '../metrics/flops.js';
import { captureFeatures, penultimateLayer } from '../prune/capture.js';
import { stratifiedSample } from '../prune/prediction-divergence.js';
import { evaluateClassifier, predictLogits } from '../train/forward.js';
import { lossGradients } from '../train/loss-gradients.js';

/**
 * Core services handed to every plugin as `ctx.services`. Plugins should use these (and `services.tf`) rather
 * than their own copies of `@omniprune/core` or TensorFlow.js, so tensors and models come from the host's
 * single TensorFlow.js engine. Part of the plugin API: fields are only added within one `PLUGIN_API_VERSION`.
 */
export interface CoreServices {
  /** The host's TensorFlow.js core (ops, tidy, memory). */
  readonly tf: typeof tf;
  /** Model graph: channel groups, blocks, plans. */
  readonly graph: {
    readonly build: typeof buildDependencyGraph;
    readonly applyPlans: typeof applyPlans;
    readonly maskChannels: typeof maskChannels;
    readonly bypassBlock: typeof bypassBlock;
    readonly maskHeads: typeof maskHeads;
    readonly attentionLayers: typeof attentionLayers;
    readonly groupKernels: typeof groupKernels;
    readonly groupFilterRows: typeof groupFilterRows;
    readonly rowsAlong: typeof rowsAlong;
  };
  /** Activation capture at any layer. */
  readonly capture: { readonly features: typeof captureFeatures; readonly penultimateLayer: typeof penultimateLayer };
  /** FLOPs (multiply-accumulates) and parameters. */
  readonly metrics: { readonly cost: typeof countCost };
  /** Forward passes, gradients and data sampling. */
  readonly model: {
    readonly predictLogits: typeof predictLogits;
    readonly evaluate: typeof evaluateClassifier;
    readonly lossGradients: typeof lossGradients;
    readonly stratifiedSample: typeof stratifiedSample;
  };
}

/** The services of this core. */
export const coreServices: CoreServices = Object.freeze({
  tf,
  graph: Object.freeze({ build: buildDependencyGraph, applyPlans, maskChannels, bypassBlock, maskHeads, attentionLayers, groupKernels, groupFilterRows, rowsAlong }),
  capture: Object.freeze({ features: captureFeatures, penultimateLayer }),
  metrics: Object.freeze({ cost: countCost }),
  model: Object.freeze({ predictLogits, evaluate: evaluateClassifier, lossGradients, stratifiedSample }),
});
