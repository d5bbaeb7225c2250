import { defineCommand } from 'citty';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildDependencyGraph, formatStages, stageSummary } from '@omniprune/core/graph';
import { classifierOutput } from '@omniprune/core/train';
import { countCost } from '@omniprune/core/metrics';
import { isOmnipruneError } from '@omniprune/core';
import { backendArg, startBackend } from '../shared/common-args.js';
import { modelArgs, modelFromFlags } from '../shared/model-source.js';
import { formatTable } from '../shared/format-table.js';

/** How the model's output is read, or why it cannot be (inspect still describes models omniprune cannot prune). */
function readClassifier(model: tfl.LayersModel): { logitsLayer: string | null; output: string | null; reason: string } {
  try {
    return classifierOutput(model);
  } catch (err) {
    if (!isOmnipruneError(err)) throw err;
    return { logitsLayer: null, output: null, reason: `not usable as a classifier: ${err.message.split('\n')[0]}` };
  }
}

/** `omniprune inspect`: FLOPs, parameters, prunable groups and removable blocks of a model. */
export default defineCommand({
  meta: { name: 'inspect', description: 'Print FLOPs (MACs), parameters, channel groups and residual blocks of a model' },
  args: {
    ...modelArgs,
    ...backendArg,
    json: { type: 'boolean', description: 'Print one JSON object instead of tables', default: false },
  },
  async run({ args }) {
    await startBackend(args.backend, args.json);
    const { model, source, loaded } = await modelFromFlags(args);
    const cost = countCost(model);
    const classifier = readClassifier(model);
    const graph = buildDependencyGraph(model);
    const prunable = graph.groups.filter((g) => !g.frozenReason);
    const removable = graph.blocks.filter((b) => !b.unremovableReason);
    const summary = {
      model: model.name,
      source,
      format: loaded?.origin.format ?? 'zoo',
      input: loaded?.origin.input,
      classifier,
      notes: loaded?.notes ?? [],
      flops: cost.flops,
      params: cost.params,
      trainableParams: cost.trainableParams,
      blocks: graph.blocks.length,
      removableBlocks: removable.map((b) => b.id),
      stages: stageSummary(graph),
      groups: prunable.map((g) => ({ id: g.id, size: g.size, residual: g.residual, exact: !g.inexactReason })),
      warnings: graph.warnings,
    };
    if (args.json) {
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      const rows = cost.layers.map((l) => [l.name, l.className, l.outputShape.join('x'), l.flops.toLocaleString('en-US'), l.params.toLocaleString('en-US')]);
      process.stdout.write(`${formatTable(['layer', 'class', 'output', 'MACs', 'params'], rows)}\n\n`);
      process.stdout.write(`model ${model.name} (${source})\n`);
      for (const note of summary.notes) process.stdout.write(`note: ${note}\n`);
      process.stdout.write(`classifier: ${classifier.reason}\n`);
      process.stdout.write(
        `FLOPs (MACs): ${(cost.flops / 1e6).toFixed(2)} M   params: ${(cost.params / 1e6).toFixed(3)} M (trainable ${(cost.trainableParams / 1e6).toFixed(3)} M)\n`,
      );
      process.stdout.write(`residual blocks: ${graph.blocks.length} (${removable.length} removable)   prunable channel groups: ${prunable.length}\n`);
      for (const line of formatStages(summary.stages)) process.stdout.write(`${line}\n`);
      for (const w of graph.warnings) process.stdout.write(`warning: ${w}\n`);
    }
    model.dispose();
  },
});
