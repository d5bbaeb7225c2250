import { defineCriterion, perProposal, z, type ChannelImportance, type CoreServices, type PluginContext } from '@omniprune/plugin-api';

/** Options of the `taylor` channel criterion. */
export const taylorOptions = z.strictObject({
  /** Training images per class the loss gradient is averaged over. */
  samplesPerClass: z.number().int().positive().default(20),
  /** Batch size of the gradient passes. */
  batchSize: z.number().int().positive().default(64),
});

function servicesOf(ctx: PluginContext): CoreServices {
  if (!ctx.services) throw new Error('the taylor criterion needs ctx.services (create it through an omniprune plugin container)');
  return ctx.services;
}

/**
 * First-order Taylor importance of each filter (Molchanov et al., CVPR 2019): the squared first-order change of
 * the loss when the filter is removed, `(sum over the filter's weights of w * dL/dw)^2`, summed over the group's
 * producer kernels. Gradients are averaged over a stratified training sample, computed once per proposal.
 * @example
 * pruners: [{ use: filter, with: { criterion: taylor, criterionOptions: { samplesPerClass: 20 } } }]
 */
export const taylorCriterion = defineCriterion({
  name: 'taylor',
  role: 'channel-importance',
  description: 'Filter importance = (sum of weight x loss gradient)^2, first-order Taylor (Molchanov et al. 2019)',
  options: taylorOptions,
  create(options, ctx): ChannelImportance {
    const services = servicesOf(ctx);
    // one gradient pass per proposal, shared by every group the filter pruner scores (plugin-api's perProposal)
    const gradientsFor = perProposal((p) => {
      const sample = services.model.stratifiedSample(p.train, options.samplesPerClass, p.rng.int(2 ** 31));
      p.log(`taylor: loss gradients on ${sample.count} training images`);
      return services.model.lossGradients(p.parent, sample, { batchSize: options.batchSize });
    });
    return {
      role: 'channel-importance',
      name: 'taylor',
      async scoreChannels(p, group) {
        const grads = await gradientsFor(p);
        const scores = new Float32Array(group.size);
        for (const kernel of services.graph.groupKernels(p.parent, p.graph, group)) {
          const shape = kernel.weight.shape as number[];
          const w = services.graph.rowsAlong((await kernel.weight.read().data()) as Float32Array, shape, kernel.outAxis);
          const gradient = grads.get(kernel.weight.name);
          if (!gradient) continue;
          const g = services.graph.rowsAlong(gradient, shape, kernel.outAxis);
          w.forEach((row, c) => {
            let dot = 0;
            for (let i = 0; i < row.length; i++) dot += row[i] * g[c][i];
            scores[c] += dot * dot;
          });
        }
        return scores;
      },
    };
  },
});
