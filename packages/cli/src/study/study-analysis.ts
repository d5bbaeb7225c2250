import { holm, kendall, nestedBootstrap, spearman, wilcoxonSignedRank, type Estimate, type PairedTest } from '../bench/statistics/index.js';
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

/**
 * What `scorer` predicts for a candidate of `study`: a metric's similarity to the parent (after the fine-tune or right
 * after removal), or a block criterion's minus importance of the candidate's block (low importance: remove first);
 * undefined where the scorer says nothing (a block criterion on a filter candidate).
 * @example
 * scoreOf(seedStudy, outcome, 'block-influence', 'fine-tuned') // -0.31
 */
export function scoreOf(study: SeedStudy, o: CandidateOutcome, scorer: string, variant: ScorerResult['variant']): number | undefined {
  const scores = variant === 'fine-tuned' ? o.scoresAfter : o.scoresBefore;
  if (scorer in scores) return scores[scorer];
  const importance = o.block === undefined ? undefined : study.blockImportance[scorer]?.[o.block];
  return importance === undefined ? undefined : -importance;
}

/** Mean over seeds of `stat(scores, accuracies)`, with a 95 % interval resampling seeds and their candidates (1,000 times). */
function overSeeds(seeds: readonly { x: number[]; y: number[] }[], stat: (x: number[], y: number[]) => number): Estimate {
  const pick = (v: readonly number[], idx: readonly number[]) => idx.map((i) => v[i]);
  return nestedBootstrap(
    seeds.map((d) => d.x.length),
    (g, idx) => stat(pick(seeds[g].x, idx), pick(seeds[g].y, idx)),
    { resamples: 1000 },
  );
}

/** The top-scored candidate's accuracy against the oracle's best, for one seed. */
function topChoice(x: readonly number[], y: readonly number[]): { agree: boolean; regret: number } {
  const best = Math.max(...y);
  const top = x.indexOf(Math.max(...x));
  return { agree: y[top] === best, regret: best - y[top] };
}

/** One scorer's result over the seeds' candidates that it scores. */
function scorerResult(studies: readonly SeedStudy[], scorer: string, pool: ScorerResult['pool'], variant: ScorerResult['variant']): ScorerResult {
  const accuracy = (o: CandidateOutcome) => (variant === 'fine-tuned' ? o.accuracyAfter : o.accuracyBefore);
  const seeds = studies.map((s) => {
    const scored = s.outcomes.flatMap((o) => {
      const x = pool === 'all' || o.block !== undefined ? scoreOf(s, o, scorer, variant) : undefined;
      return x !== undefined && Number.isFinite(x) ? [{ x, y: accuracy(o) }] : [];
    });
    return { x: scored.map((p) => p.x), y: scored.map((p) => p.y) };
  });
  const tops = seeds.map((d) => topChoice(d.x, d.y));
  return {
    scorer,
    pool,
    variant,
    candidates: Math.min(...seeds.map((d) => d.x.length)),
    spearman: overSeeds(seeds, spearman),
    kendall: overSeeds(seeds, kendall),
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
    for (const m of metrics) results.push(scorerResult(studies, m, 'all', variant), scorerResult(studies, m, 'layer', variant));
    for (const c of blockCriteria) results.push(scorerResult(studies, c, 'layer', variant));
  }
  return metrics.length ? withVersus(results, metrics[0]) : results;
}
