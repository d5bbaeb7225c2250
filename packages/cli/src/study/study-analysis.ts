import { createRng } from '@omniprune/core/util';
import { holm, kendall, spearman, wilcoxonSignedRank, type Estimate, type PairedTest } from '../bench/statistics/index.js';
import { meanStd, type MeanStd } from '../bench/summary.js';
import type { CandidateOutcome, SeedStudy } from './oracle.js';

/** How well one scorer predicts the accuracy that survives pruning, over the study's seeds. */
export interface ScorerResult {
  /** A metric label (similarity to the parent) or a block criterion (minus its importance: low importance = remove). */
  readonly scorer: string;
  /** `all` candidates, or the `layer` candidates only (where block criteria apply). */
  readonly pool: 'all' | 'layer';
  /** Score and accuracy after each candidate's fine-tune, or right after removal (`no fine-tune`). */
  readonly variant: 'fine-tuned' | 'no fine-tune';
  /** Candidates per seed (the smallest). */
  readonly candidates: number;
  /** Mean over seeds of the rank correlation between score and accuracy, with a two-level bootstrap 95 % interval. */
  readonly spearman: Estimate;
  readonly kendall: Estimate;
  /** Seeds where the scorer's top candidate is the oracle's (the most accurate one). */
  readonly top1: { readonly agree: number; readonly of: number };
  /** Oracle's accuracy minus the accuracy of the scorer's top candidate, in [0, 1]. */
  readonly regret: MeanStd;
  /** Spearman's rho of each seed, in seed order. */
  readonly perSeed: readonly number[];
  /**
   * This scorer's per-seed Spearman minus the reference scorer's (the bench's first metric, same pool and variant),
   * paired by seed: two-sided Wilcoxon signed-rank p, Holm-adjusted over the scorers compared.
   */
  readonly versus?: { readonly reference: string; readonly difference: MeanStd; readonly test: PairedTest; readonly holm: number };
}

type Scores = (o: CandidateOutcome) => number | undefined;

/**
 * Mean over seeds of `stat(scores, accuracies)` and its interval: resample seeds, and within each seed its candidates
 * (pairs kept), 1,000 times (seeded), the 2.5 and 97.5 % quantiles of the finite values.
 */
function twoLevel(seeds: readonly { x: number[]; y: number[] }[], stat: (x: number[], y: number[]) => number): Estimate {
  const value = seeds.reduce((s, d) => s + stat(d.x, d.y), 0) / seeds.length;
  const rng = createRng(1);
  const values: number[] = [];
  for (let b = 0; b < 1000; b++) {
    let sum = 0;
    for (let s = 0; s < seeds.length; s++) {
      const d = seeds[rng.int(seeds.length)];
      const idx = d.x.map(() => rng.int(d.x.length));
      sum += stat(
        idx.map((i) => d.x[i]),
        idx.map((i) => d.y[i]),
      );
    }
    if (Number.isFinite(sum)) values.push(sum / seeds.length);
  }
  values.sort((a, b) => a - b);
  const q = (p: number) => (values.length ? values[Math.min(values.length - 1, Math.floor(p * (values.length - 1)))] : Number.NaN);
  return { value, low: q(0.025), high: q(0.975), level: 0.95 };
}

/** The top-scored candidate's accuracy against the oracle's best, for one seed. */
function topChoice(x: readonly number[], y: readonly number[]): { agree: boolean; regret: number } {
  const best = Math.max(...y);
  const top = x.indexOf(Math.max(...x));
  return { agree: y[top] === best, regret: best - y[top] };
}

/** One scorer's result over the seeds' candidates that it scores. */
function scorerResult(
  studies: readonly SeedStudy[],
  scorer: string,
  pool: ScorerResult['pool'],
  variant: ScorerResult['variant'],
  score: Scores,
): ScorerResult {
  const accuracy = (o: CandidateOutcome) => (variant === 'fine-tuned' ? o.accuracyAfter : o.accuracyBefore);
  const seeds = studies.map((s) => {
    const scored = s.outcomes.filter((o) => (pool === 'all' || o.block !== undefined) && Number.isFinite(score(o)));
    return { x: scored.map((o) => score(o)!), y: scored.map(accuracy) };
  });
  const tops = seeds.map((d) => topChoice(d.x, d.y));
  return {
    scorer,
    pool,
    variant,
    candidates: Math.min(...seeds.map((d) => d.x.length)),
    spearman: twoLevel(seeds, spearman),
    kendall: twoLevel(seeds, kendall),
    top1: { agree: tops.filter((t) => t.agree).length, of: tops.length },
    regret: meanStd(tops.map((t) => t.regret)),
    perSeed: seeds.map((d) => spearman(d.x, d.y)),
  };
}

/** Every result of the reference's pool and variant, except the reference, against it (paired by seed, Holm over them). */
function withVersus(results: readonly ScorerResult[], reference: string): ScorerResult[] {
  const out = [...results];
  for (const ref of results.filter((r) => r.scorer === reference)) {
    const others = out.map((r, i) => ({ r, i })).filter(({ r }) => r.pool === ref.pool && r.variant === ref.variant && r.scorer !== reference);
    const tests = others.map(({ r }) => {
      const diffs = r.perSeed.map((v, k) => v - ref.perSeed[k]).filter(Number.isFinite);
      return { difference: meanStd(diffs), test: wilcoxonSignedRank(diffs) };
    });
    const adjusted = holm(tests.map((t) => t.test.pValue));
    others.forEach(({ i }, k) => {
      out[i] = { ...out[i], versus: { reference, ...tests[k], holm: adjusted[k] } };
    });
  }
  return out;
}

/**
 * Every scorer against the oracle: each metric on all candidates and on the layer candidates alone, each block
 * criterion on the layer candidates (minus its importance), fine-tuned and without fine-tune.
 * @example
 * analyzeStudy(seedStudies, ['linear-cka'], ['block-influence']) // [{ scorer: 'linear-cka', pool: 'all', variant: 'fine-tuned', ... }, ...]
 */
export function analyzeStudy(studies: readonly SeedStudy[], metrics: readonly string[], blockCriteria: readonly string[]): ScorerResult[] {
  // the first metric is the reference every other scorer is paired against
  const results: ScorerResult[] = [];
  for (const variant of ['fine-tuned', 'no fine-tune'] as const) {
    const after = variant === 'fine-tuned';
    for (const m of metrics) {
      const score: Scores = (o) => (after ? o.scoresAfter : o.scoresBefore)[m];
      results.push(scorerResult(studies, m, 'all', variant, score), scorerResult(studies, m, 'layer', variant, score));
    }
    for (const c of blockCriteria) {
      const importance = (seed: number, block: string) => studies.find((s) => s.seed === seed)?.blockImportance[c]?.[block];
      const bySeed = studies.map((s) => ({ ...s, outcomes: s.outcomes.map((o) => ({ ...o, seed: s.seed })) }));
      results.push(
        scorerResult(bySeed, c, 'layer', variant, (o) => {
          const v = o.block === undefined ? undefined : importance((o as CandidateOutcome & { seed: number }).seed, o.block);
          return v === undefined ? undefined : -v;
        }),
      );
    }
  }
  return metrics.length ? withVersus(results, metrics[0]) : results;
}
