import type { ProposeContext } from './pruner-types.js';

/**
 * Memoise `compute` per proposal: every call with the same `ProposeContext` (one pruner, one iteration) returns the
 * first call's value, so a criterion scoring many groups or layers draws its sample and runs the parent once.
 * @example
 * const referenceFor = perProposal((ctx) => klReference(ctx.parent, ctx.train, 50, ctx.rng.int(2 ** 31), predict));
 */
export function perProposal<T>(compute: (ctx: ProposeContext) => T): (ctx: ProposeContext) => T {
  const values = new WeakMap<ProposeContext, { value: T }>();
  return (ctx) => {
    let entry = values.get(ctx);
    if (!entry) {
      entry = { value: compute(ctx) };
      values.set(ctx, entry);
    }
    return entry.value;
  };
}
