/**
 * omniprune-plugin-template: a filter criterion (`taylor`) and a pruner (`fpgm`) the built-ins lack.
 * omniprune registers every plugin this module exports; list them in `plugins` so the intent is explicit.
 */
import { fpgmPruner } from './fpgm-pruner.js';
import { taylorCriterion } from './taylor-criterion.js';

export { fpgmPruner, fpgmOptions, fpgmGroups, medianDistances } from './fpgm-pruner.js';
export { taylorCriterion, taylorOptions } from './taylor-criterion.js';

/** Every plugin of this package. */
export const plugins = [taylorCriterion, fpgmPruner];
