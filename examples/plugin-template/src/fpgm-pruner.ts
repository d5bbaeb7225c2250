import {
  definePruner,
  regexOption,
  z,
  type ChannelGroup,
  type CoreServices,
  type DependencyGraph,
  type PruneCandidate,
  type Pruner,
} from '@omniprune/plugin-api';

/** Options of the `fpgm` pruner. */
export const fpgmOptions = z.strictObject({
  /** Share of each group's filters removed per candidate (at least one filter per touched group). */
  ratio: z.number().gt(0).lt(1).default(0.1),
  /** Filters every group keeps. */
  minChannels: z.number().int().positive().default(1),
  /**
   * Regular expression a group id must match, e.g. `conv1$` for the first conv of each residual block (checked when the
   * pipeline is validated: `regexOption`).
   */
  include: regexOption.optional(),
});

/** Groups a filter candidate may touch: produced by kernels, not frozen, not coupled through a residual stream. */
export function fpgmGroups(graph: DependencyGraph, minChannels: number, include?: string): ChannelGroup[] {
  const pattern = include === undefined ? undefined : new RegExp(include);
  return graph.groups.filter(
    (g) =>
      g.frozenReason === undefined &&
      g.producers.length > 0 &&
      !g.residual &&
      g.inexactReason === undefined &&
      g.size > minChannels &&
      (!pattern || pattern.test(g.id)),
  );
}

/**
 * For each filter, the sum of Euclidean distances to every other filter of its group (all producer kernels
 * concatenated). The filters with the smallest sums lie nearest the geometric median: the others can stand in
 * for them (He et al., CVPR 2019).
 * @example
 * medianDistances([[0, 0], [1, 0], [2, 0]]) // Float64Array [3, 2, 3]
 */
export function medianDistances(filters: readonly ArrayLike<number>[]): Float64Array {
  const n = filters.length;
  const sums = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      let d = 0;
      for (let i = 0; i < filters[a].length; i++) d += (filters[a][i] - filters[b][i]) ** 2;
      const dist = Math.sqrt(d);
      sums[a] += dist;
      sums[b] += dist;
    }
  }
  return sums;
}

async function groupFilters(services: CoreServices, p: Parameters<Pruner['propose']>[0], group: ChannelGroup): Promise<number[][]> {
  const filters: number[][] = Array.from({ length: group.size }, () => []);
  for (const { rows } of await services.graph.groupFilterRows(p.parent, p.graph, group)) {
    rows.forEach((row, c) => {
      for (const v of row) filters[c].push(v);
    });
  }
  return filters;
}

/**
 * The `fpgm` pruner: in every prunable group, remove the `ratio` share of filters nearest the geometric median.
 * @example
 * pruners: [{ use: fpgm, with: { ratio: 0.1, include: 'conv1$' } }]
 */
export const fpgmPruner = definePruner({
  name: 'fpgm',
  kinds: ['filter'],
  description: 'Remove the filters nearest the geometric median of their layer (FPGM, He et al. 2019)',
  options: fpgmOptions,
  create(options, ctx): Pruner {
    const services = ctx.services;
    if (!services) throw new Error('the fpgm pruner needs ctx.services (create it through an omniprune plugin container)');
    return {
      kind: 'filter',
      async propose(p): Promise<PruneCandidate | null> {
        const plans: PruneCandidate['plans'][number][] = [];
        let removed = 0;
        for (const group of fpgmGroups(p.graph, options.minChannels, options.include)) {
          const filters = await groupFilters(services, p, group);
          if (filters[0].length === 0) continue;
          const k = Math.min(Math.max(1, Math.round(options.ratio * group.size)), group.size - options.minChannels);
          const sums = medianDistances(filters);
          const order = Array.from(sums.keys()).sort((a, b) => sums[a] - sums[b] || a - b);
          plans.push({ kind: 'remove-channels', group: group.id, indices: order.slice(0, k).sort((a, b) => a - b) });
          removed += k;
        }
        if (plans.length === 0) return null;
        p.log(`fpgm: ${removed} filters nearest the geometric median in ${plans.length} groups`);
        return { kind: 'filter', pruner: 'fpgm', plans, removedUnits: removed, summary: `remove ${removed} filters from ${plans.length} groups (fpgm)` };
      },
    };
  },
});
