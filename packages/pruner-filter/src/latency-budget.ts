import { applyPlans } from '@omniprune/core/graph';
import { median, timeInterleaved, timedModelOn, type TimedModel } from '@omniprune/core/metrics';
import { runnerOf } from '@omniprune/core/prune';
import type { ProposeContext, PrunePlan } from '@omniprune/plugin-api';

/** One timed candidate of a `latency` budget search. */
export interface LatencyProbe {
  /** The FLOPs fraction its removals were sized for. */
  readonly fraction: number;
  /** Units removed per group. */
  readonly counts: readonly number[];
  /** Measured share of the parent's time saved: `1 - median(candidate) / median(parent)`. */
  readonly achieved: number;
}

/** What one probe costs: the counts a FLOPs fraction gives, and the time those removals save (measured). */
export type ProbeFn = (fraction: number) => Promise<{ counts: readonly number[]; achieved: number }>;

const MIN_FRACTION = 0.005;
const MAX_FRACTION = 0.95;
const total = (counts: readonly number[]) => counts.reduce((a, b) => a + b, 0);

/**
 * The next FLOPs fraction to try after `fraction` saved `achieved` of the time, aiming at `target`: scaled by
 * `1.1 x target / achieved` (time taken as proportional to FLOPs near the current point; 1.1 x target is the middle of
 * the accepted window [target, 1.25 x target]), doubled when nothing was saved, clamped to [0.005, 0.95].
 * @example
 * nextFraction(0.1, 0.055, 0.1) // 0.2
 */
export function nextFraction(fraction: number, achieved: number, target: number): number {
  const next = achieved > 0.002 ? fraction * ((1.1 * target) / achieved) : fraction * 2;
  return Math.min(MAX_FRACTION, Math.max(MIN_FRACTION, next));
}

/**
 * Size a filter candidate by measured time: start at a FLOPs cut of `target`, then rescale the FLOPs fraction by the
 * time each probe saved (`nextFraction`) until a probe saves at least `target` and at most 1.25 x `target`, a
 * fraction repeats, or `probes` are spent. Returns the probe that reached `target` with the fewest units removed,
 * else the one that saved the most time.
 * @example
 * const best = await searchLatency(0.2, 4, probe, console.log); best.counts
 */
export async function searchLatency(target: number, probes: number, probe: ProbeFn, log: (m: string) => void): Promise<LatencyProbe> {
  const tried: LatencyProbe[] = [];
  let fraction = target;
  for (let i = 0; i < probes; i++) {
    const { counts, achieved } = await probe(fraction);
    tried.push({ fraction, counts, achieved });
    log(`latency probe ${i + 1}: FLOPs cut ${(fraction * 100).toFixed(1)} % -> ${total(counts)} units, ${(achieved * 100).toFixed(1)} % faster`);
    if (achieved >= target && achieved <= target * 1.25) break;
    const next = nextFraction(fraction, achieved, target);
    if (tried.some((t) => Math.abs(t.fraction - next) < 1e-9)) break;
    fraction = next;
  }
  const reached = tried.filter((t) => t.achieved >= target);
  if (reached.length > 0) return reached.reduce((a, b) => (total(b.counts) < total(a.counts) ? b : a));
  return tried.reduce((a, b) => (b.achieved > a.achieved ? b : a));
}

/**
 * Time `parent` and the model `plans` make of it, interleaved on the run's inference runner at `batchSize`; the share
 * of the parent's median time the pruned model saves. The pruned model is built and freed here.
 * @example
 * const saved = await measureSaving(pc, parentTimed, plans, { batchSize: 1, seconds: 0.5 });
 */
export async function measureSaving(
  pc: ProposeContext,
  parentTimed: TimedModel,
  plans: readonly PrunePlan[],
  options: { batchSize: number; seconds: number },
): Promise<number> {
  const pruned = await applyPlans(pc.parent, plans);
  let timed: TimedModel | undefined;
  try {
    timed = await timedModelOn(runnerOf(pc), pruned, inputShapeOf(pc), pc.iteration);
    const [parent, candidate] = await timeInterleaved([parentTimed.pass(options.batchSize), timed.pass(options.batchSize)], {
      clock: () => performance.now(),
      warmup: 2,
      budgetMs: options.seconds * 1000,
      minRounds: 5,
    });
    return 1 - median(candidate) / median(parent);
  } finally {
    await timed?.dispose();
    pruned.dispose();
  }
}

/** The parent's input shape without the batch axis (the training images' when the model leaves it open). */
export function inputShapeOf(pc: ProposeContext): number[] {
  const shape = pc.parent.inputs[0].shape.slice(1);
  return shape.every((d) => typeof d === 'number') ? (shape as number[]) : [...pc.train.shape];
}
