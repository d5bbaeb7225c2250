import { OmnipruneError, type RunReport } from '@omniprune/core';
import { meanStd, type MeanStd } from '../bench/summary.js';
import { bootstrap, holm, signTest, wilcoxonSignedRank, type Estimate, type PairedTest } from '../bench/statistics/index.js';

/** FLOPs-reduction levels `compare` reports by default (fractions). */
export const DEFAULT_LEVELS = [0.3, 0.5, 0.7, 0.8, 0.85, 0.9] as const;

/** One run of a comparison: its report, where it came from, and the arm it belongs to. */
export interface ComparedRun {
  readonly dir: string;
  readonly arm: string;
  readonly report: RunReport;
}

/** One arm at one FLOPs level: accuracy change (points of [0, 1]) and accuracy over the runs that reached it. */
export interface ArmLevel {
  readonly level: number;
  readonly accuracyChange: MeanStd;
  readonly accuracy: MeanStd;
  /** Runs of the arm that never reached this level (their curve stops before it). */
  readonly notReached: number;
}

/** The comparison: per arm, its runs (seeds) and one row per level. */
export interface Comparison {
  readonly levels: readonly number[];
  readonly arms: readonly {
    readonly arm: string;
    /** `running`: the run has no final report yet (interrupted or still going): its curve may go on. */
    readonly runs: readonly { readonly dir: string; readonly seed: number; readonly seconds: number; readonly iterations: number; readonly running: boolean }[];
    readonly at: readonly ArmLevel[];
    /**
     * The four below are over the arm's ended runs only (a running run's wall time and reach are not final yet).
     * Wall time of the pruning loop per run (seconds, the iterations' sum: candidates, fine-tunes, evaluation).
     */
    readonly seconds: MeanStd;
    /** FLOPs reduction of the final models. */
    readonly lastFlopsReduction: MeanStd;
    /** Accuracy change of the final models against their baselines (points of [0, 1]), each at its own FLOPs reduction. */
    readonly finalAccuracyChange: MeanStd;
    /**
     * The final models after their recovery fine-tune (`finetune.final`), over the ended runs that had one: accuracy
     * change against their baselines (points of [0, 1]) and their FLOPs reduction.
     */
    readonly recoveredAccuracyChange: MeanStd;
    readonly recoveredFlopsReduction: MeanStd;
    /** Iterations won per candidate kind (`layer`, `filter`, ...), per run: which structures the runs removed. */
    readonly winners: Readonly<Record<string, MeanStd>>;
  }[];
  /**
   * Every other arm against the reference arm (the first one unless named), paired by seed: at each level, the mean
   * and sample standard deviation over seeds of (arm's accuracy - reference's accuracy), from the seeds where both
   * reached the level, and on how many of them the arm was ahead. Runs of one seed share the seed's data draws (subsets,
   * CKA samples), so the pairing removes that part of the spread. Seeds with several runs in an arm are left out.
   */
  readonly paired?: {
    readonly reference: string;
    readonly arms: readonly { readonly arm: string; readonly at: readonly PairedLevel[] }[];
  };
}

/** One arm minus the reference at one level, paired by seed (points of [0, 1]). */
export interface PairedLevel {
  readonly level: number;
  readonly difference: MeanStd;
  /** Seeds where the arm's accuracy was above the reference's. */
  readonly ahead: number;
  /** Percentile bootstrap 95 % interval of the mean difference (seeds resampled). */
  readonly interval: Estimate;
  /** Two-sided Wilcoxon signed-rank test of the differences against 0, and its Holm adjustment over the arms at this level. */
  readonly wilcoxon: PairedTest & { readonly holm: number };
  /** Two-sided sign test of the differences against 0. */
  readonly sign: PairedTest;
}

/** The paired statistics of one arm's differences at one level (Holm's adjustment is added across arms). */
function pairedLevel(level: number, diffs: readonly number[]): Omit<PairedLevel, 'wilcoxon'> & { wilcoxon: PairedTest } {
  const mean = (idx: readonly number[]) => idx.reduce((sum, i) => sum + diffs[i], 0) / idx.length;
  return {
    level,
    difference: meanStd(diffs),
    ahead: diffs.filter((d) => d > 0).length,
    interval: bootstrap(diffs.length, mean, { seed: 1 }),
    wilcoxon: wilcoxonSignedRank(diffs),
    sign: signTest(diffs),
  };
}

/** The runs of `arm` by seed, for seeds with exactly one run. */
function bySeed(runs: readonly ComparedRun[], arm: string): Map<number, RunReport> {
  const mine = runs.filter((r) => r.arm === arm);
  const counts = new Map<number, number>();
  for (const r of mine) counts.set(r.report.seed, (counts.get(r.report.seed) ?? 0) + 1);
  return new Map(mine.filter((r) => counts.get(r.report.seed) === 1).map((r) => [r.report.seed, r.report]));
}

/**
 * Each arm other than `reference` against it, paired by seed (see {@link Comparison.paired}).
 * @example
 * pairedDifferences(runs, ['all', 'filter'], 'all', [0.5]).arms[0].at[0] // { level: 0.5, difference: { mean: -0.004, ... }, ahead: 1 }
 */
export function pairedDifferences(
  runs: readonly ComparedRun[],
  arms: readonly string[],
  reference: string,
  levels: readonly number[],
): NonNullable<Comparison['paired']> {
  const ref = bySeed(runs, reference);
  const others = arms
    .filter((a) => a !== reference)
    .map((arm) => {
      const mine = bySeed(runs, arm);
      return {
        arm,
        at: levels.map((level) => {
          const diffs = [...mine].flatMap(([seed, report]) => {
            const other = ref.get(seed);
            const [a, b] = [accuracyAt(report, level), other && accuracyAt(other, level)];
            return a === undefined || b === undefined ? [] : [a - b];
          });
          return pairedLevel(level, diffs);
        }),
      };
    });
  // Holm over the arms compared at each level: several arms tested against one reference at once
  const adjusted = levels.map((_, k) => holm(others.map((o) => o.at[k].wilcoxon.pValue)));
  return {
    reference,
    arms: others.map((o, j) => ({ arm: o.arm, at: o.at.map((l, k) => ({ ...l, wilcoxon: { ...l.wilcoxon, holm: adjusted[k][j] } })) })),
  };
}

/** The run's accuracy curve: baseline at 0, then every iteration's winner after its fine-tune, by FLOPs reduction. */
export function accuracyCurve(report: RunReport): { x: number; y: number }[] {
  return [{ x: 0, y: report.baseline.accuracy }, ...report.iterations.map((it) => ({ x: it.flopsReduction, y: it.stats.accuracy }))];
}

/**
 * Accuracy of the run at FLOPs reduction `level`, linearly interpolated between the two iterations around it;
 * undefined when the run never got that far (no extrapolation).
 * @example
 * accuracyAt(report, 0.5) // between the iterations at 45 % and 55 % FLOPs reduction
 */
export function accuracyAt(report: RunReport, level: number): number | undefined {
  const curve = accuracyCurve(report);
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1];
    const b = curve[i];
    if (level >= Math.min(a.x, b.x) && level <= Math.max(a.x, b.x)) {
      return b.x === a.x ? Math.max(a.y, b.y) : a.y + ((level - a.x) / (b.x - a.x)) * (b.y - a.y);
    }
  }
  return level === 0 ? curve[0].y : undefined;
}

/**
 * A sentence naming the compared runs that have no final report yet, or '' when every run ended: their curves may
 * go on, so their arm's later levels and last FLOPs reduction are not final.
 * @example
 * runningNote(comparison) // '1 run still in progress (no final report; its curve may go on): cells/a (4 iterations)'
 */
export function runningNote(c: Comparison): string {
  const running = c.arms.flatMap((a) => a.runs.filter((r) => r.running));
  if (running.length === 0) return '';
  const one = running.length === 1;
  return (
    `${running.length} run${one ? '' : 's'} still in progress (no final report; ${one ? 'its curve' : 'their curves'} may go on): ` +
    running.map((r) => `${r.dir} (${r.iterations} iteration${r.iterations === 1 ? '' : 's'})`).join(', ')
  );
}

/** A run report with its final model: the run ended. */
type EndedReport = RunReport & { final: NonNullable<RunReport['final']> };

/** Whether the run ended (its report has the final model), as opposed to interrupted or still going. */
function hasEnded(report: RunReport): report is EndedReport {
  return report.final !== undefined;
}

/** Wall time of a run's pruning loop: the sum of its iterations' seconds (a resumed run's pauses excluded). */
export function runSeconds(report: RunReport): number {
  return report.iterations.reduce((sum, it) => sum + it.seconds, 0);
}

/**
 * Per candidate kind, how many of the iterations each run's final model kept were won by that kind (0 when it never
 * won), over the ended runs: an iteration after the final one (undone by an accuracy floor) removed nothing that stayed.
 * @example
 * winnersByKind([a, b]) // { layer: { mean: 11, std: 0, n: 2 }, filter: { mean: 2.5, std: 0.71, n: 2 } }
 */
export function winnersByKind(reports: readonly EndedReport[]): Record<string, MeanStd> {
  const kept = reports.map((r) => r.iterations.filter((it) => it.iteration <= r.final.iteration));
  const kinds = [...new Set(kept.flat().map((it) => it.chosenKind))];
  return Object.fromEntries(kinds.map((k) => [k, meanStd(kept.map((its) => its.filter((it) => it.chosenKind === k).length))]));
}

/** The arm a run belongs to by default: its pruners (`layer+filter`, `layer`, `filter`). */
export function defaultArm(report: RunReport): string {
  return report.pruners.join('+');
}

/**
 * Compare runs at common FLOPs levels: per arm and level, the mean and sample standard deviation over its runs
 * (seeds) of the interpolated accuracy and of the accuracy change against each run's own baseline; with two or more
 * arms, every arm against `reference` (default: the first arm) paired by seed.
 * @example
 * compareRuns(runs, [0.5, 0.8]).arms[0].at[0].accuracyChange // { mean: -0.012, std: 0.004, n: 3 }
 */
export function compareRuns(runs: readonly ComparedRun[], levels: readonly number[] = DEFAULT_LEVELS, reference?: string): Comparison {
  const arms = [...new Set(runs.map((r) => r.arm))];
  const ref = reference ?? arms[0];
  if (reference !== undefined && !arms.includes(reference)) {
    throw new OmnipruneError('E_BAD_INPUT', `no arm "${reference}" to pair against; the arms are ${arms.join(', ')}`, {
      hint: 'name one of them, e.g. --paired-against layer+filter',
    });
  }
  return {
    levels,
    ...(arms.length > 1 ? { paired: pairedDifferences(runs, arms, ref, levels) } : {}),
    arms: arms.map((arm) => {
      const mine = runs.filter((r) => r.arm === arm);
      const ended = mine.map((r) => r.report).filter(hasEnded);
      const rows = mine.map((r) => ({
        dir: r.dir,
        seed: r.report.seed,
        seconds: runSeconds(r.report),
        iterations: r.report.iterations.length,
        running: !hasEnded(r.report),
      }));
      return {
        arm,
        runs: rows,
        seconds: meanStd(rows.filter((r) => !r.running).map((r) => r.seconds)),
        lastFlopsReduction: meanStd(ended.map((r) => r.final.flopsReduction)),
        finalAccuracyChange: meanStd(ended.map((r) => r.final.accuracyChange)),
        recoveredAccuracyChange: meanStd(ended.flatMap((r) => (r.recovery ? [r.recovery.accuracyChange] : []))),
        recoveredFlopsReduction: meanStd(ended.flatMap((r) => (r.recovery ? [r.final.flopsReduction] : []))),
        winners: winnersByKind(ended),
        at: levels.map((level) => {
          const values = mine.map((r) => ({ acc: accuracyAt(r.report, level), base: r.report.baseline.accuracy }));
          const reached = values.filter((v): v is { acc: number; base: number } => v.acc !== undefined);
          return {
            level,
            accuracy: meanStd(reached.map((v) => v.acc)),
            accuracyChange: meanStd(reached.map((v) => v.acc - v.base)),
            notReached: values.length - reached.length,
          };
        }),
      };
    }),
  };
}
