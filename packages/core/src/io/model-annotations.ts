import type * as tfl from '@tensorflow/tfjs-layers';
import type { ClassifierSpec, ModelOrigin } from '@omniprune/plugin-api';

/** How to read a classifier's output when the automatic rule is overridden (declared in `@omniprune/plugin-api`). */
export type { ClassifierSpec };

/** Facts that travel with a model through pruning, saving and loading. */
export interface ModelAnnotations {
  /** Where the model came from (format, input name and layout). */
  readonly origin?: ModelOrigin;
  /** Override of how its output is read. */
  readonly classifier?: ClassifierSpec;
}

const annotations = new WeakMap<tfl.LayersModel, ModelAnnotations>();

/**
 * Attach facts to a model (merged with those it has). Pruned models inherit them (`applyPlans`), `saveModel`
 * stores them in `userDefinedMetadata.omniprune` and `loadModel` restores them.
 * @example
 * annotateModel(model, { classifier: { output: 'logits' } });
 */
export function annotateModel(model: tfl.LayersModel, facts: ModelAnnotations): void {
  const merged = { ...annotations.get(model), ...facts };
  const clean = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined)) as ModelAnnotations;
  annotations.set(model, clean);
}

/** The facts attached to `model` (`{}` when none). */
export function annotationsOf(model: tfl.LayersModel): ModelAnnotations {
  return annotations.get(model) ?? {};
}

/** Give `child` (a pruned or rebuilt copy) the facts of `parent`. Returns `child`. */
export function inheritAnnotations<M extends tfl.LayersModel>(parent: tfl.LayersModel, child: M): M {
  const a = annotations.get(parent);
  if (a) annotations.set(child, a);
  return child;
}
