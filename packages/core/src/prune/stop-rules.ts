import type * as tfl from '@tensorflow/tfjs-layers';
import type { z } from 'zod';
import { OmnipruneError } from '../errors/omniprune-error.js';
import type { DependencyGraph } from '../graph/dependency-graph.js';
import { countCost } from '../metrics/flops.js';
import type { stopSchema } from './pipeline-schema.js';
import type { ModelStats, RunReport, StopReason } from './run-report.js';

/** Stopping targets of a pipeline. */
export type StopTargets = z.output<typeof stopSchema>;

/** The accuracy below which the run stops, or -Infinity. */
export function accuracyFloor(stop: StopTargets, baseline: ModelStats): number {
  const floors = [stop.minAccuracy ?? -Infinity, stop.maxAccuracyDrop !== undefined ? baseline.accuracy - stop.maxAccuracyDrop : -Infinity];
  return Math.max(...floors);
}

/** Residual blocks per stage (every block of the stage, removable or not), in the order stages appear. */
export function blocksPerStage(graph: DependencyGraph): Map<string, number> {
  const counts = new Map<string, number>();
  for (const b of graph.blocks) counts.set(b.stage, (counts.get(b.stage) ?? 0) + 1);
  return counts;
}

/**
 * Whether the run should stop after the last iteration of `report`, and why. `graph` (the new parent's) is needed
 * for `minBlocksPerStage`.
 */
export function checkStop(stop: StopTargets, report: RunReport, graph?: DependencyGraph): { reason: StopReason; message: string } | null {
  const last = report.iterations[report.iterations.length - 1];
  if (!last) return null;
  const floor = accuracyFloor(stop, report.baseline);
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  if (last.stats.accuracy < floor)
    return {
      reason: 'accuracy-floor',
      message: `accuracy ${pct(last.stats.accuracy)} fell below the floor ${pct(floor)}; the final model is the previous iteration's`,
    };
  if (stop.flopsReduction !== undefined && last.flopsReduction >= stop.flopsReduction)
    return { reason: 'flops-target', message: `FLOPs reduced by ${pct(last.flopsReduction)} (target ${pct(stop.flopsReduction)})` };
  if (stop.paramsReduction !== undefined && last.paramsReduction >= stop.paramsReduction)
    return { reason: 'params-target', message: `parameters reduced by ${pct(last.paramsReduction)} (target ${pct(stop.paramsReduction)})` };
  const speedup = last.evaluations?.latency?.metrics.speedupBatch1;
  if (stop.latencyReduction !== undefined && speedup !== undefined && 1 - 1 / speedup >= stop.latencyReduction) {
    return {
      reason: 'latency-target',
      message: `batch-1 latency reduced by ${pct(1 - 1 / speedup)} (${speedup.toFixed(2)}x faster; target ${pct(stop.latencyReduction)})`,
    };
  }
  if (stop.minBlocksPerStage !== undefined && graph && graph.blocks.length > 0) {
    const counts = [...blocksPerStage(graph).values()];
    if (counts.every((n) => n <= stop.minBlocksPerStage!)) {
      return { reason: 'min-blocks', message: `every stage is down to at most ${stop.minBlocksPerStage} blocks ([${counts.join(', ')}])` };
    }
  }
  if (last.iteration >= stop.maxIterations) return { reason: 'max-iterations', message: `reached ${stop.maxIterations} iterations` };
  return null;
}

/** FLOPs left when every removable block is removed (the layer-only ceiling). */
function flopsWithoutRemovableBlocks(graph: DependencyGraph, model: tfl.LayersModel): number {
  const cost = countCost(model);
  const removed = new Set(graph.blocks.filter((b) => !b.unremovableReason).flatMap((b) => b.branch));
  return cost.layers.filter((l) => !removed.has(l.name)).reduce((s, l) => s + l.flops, 0);
}

/**
 * Fail before any pruning when a target cannot be reached: the base model already below the accuracy floor,
 * or a FLOPs target beyond what removing every removable block gives when only layer pruners are configured.
 */
export function checkTargetsReachable(stop: StopTargets, baseline: ModelStats, graph: DependencyGraph, kinds: readonly string[], model: tfl.LayersModel): void {
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  if (stop.minAccuracy !== undefined && baseline.accuracy < stop.minAccuracy) {
    throw new OmnipruneError(
      'E_UNREACHABLE_TARGET',
      `the base model's accuracy ${pct(baseline.accuracy)} is already below stop.minAccuracy ${pct(stop.minAccuracy)}`,
      {
        hint: 'lower stop.minAccuracy or train the base model longer',
      },
    );
  }
  if (stop.flopsReduction !== undefined && kinds.every((k) => k === 'layer')) {
    const ceiling = 1 - flopsWithoutRemovableBlocks(graph, model) / baseline.flops;
    if (stop.flopsReduction > ceiling) {
      throw new OmnipruneError(
        'E_UNREACHABLE_TARGET',
        `stop.flopsReduction ${pct(stop.flopsReduction)} is beyond the layer-only ceiling: removing every removable block removes ${pct(ceiling)} of FLOPs`,
        {
          hint: 'add a filter pruner (use: filter) or lower stop.flopsReduction',
        },
      );
    }
  }
}
