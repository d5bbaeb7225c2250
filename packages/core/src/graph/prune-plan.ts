import type { PrunePlan } from '@omniprune/plugin-api';

/** Plans and their schemas: declared in `@omniprune/plugin-api` (a plugin's pruner returns them). */
export { prunePlanSchema, removeBlockPlanSchema, removeChannelsPlanSchema, removeHeadsPlanSchema } from '@omniprune/plugin-api';
export type { PrunePlan, RemoveBlockPlan, RemoveChannelsPlan, RemoveHeadsPlan } from '@omniprune/plugin-api';

/**
 * One-line human summary of a plan.
 * @example
 * describePlan({ kind: 'remove-block', block: 's1_b3_add' }) // 'remove block s1_b3_add'
 */
export function describePlan(plan: PrunePlan): string {
  switch (plan.kind) {
    case 'remove-channels':
      return `remove ${plan.indices.length} channel(s) of group ${plan.group}`;
    case 'remove-block':
      return `remove block ${plan.block}`;
    case 'remove-heads':
      return `remove ${plan.heads.length} head(s) of ${plan.layer}`;
  }
}
