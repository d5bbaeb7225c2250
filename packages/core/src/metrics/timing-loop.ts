/** Options of {@link timeInterleaved}. */
export interface InterleavedTimingOptions {
  /** Milliseconds now (e.g. `performance.now`); tests pass a fake. */
  readonly clock: () => number;
  /** Untimed rounds first (every run once per round). Default 3. */
  readonly warmup?: number;
  /** Time budget per run, ms: timing stops once the timed rounds took `budgetMs x runs.length`. Default 2000. */
  readonly budgetMs?: number;
  /** Timed rounds at least, whatever the budget. Default 5. */
  readonly minRounds?: number;
  /** Timed rounds at most. Default 10000. */
  readonly maxRounds?: number;
  /** Checked between rounds. */
  readonly signal?: AbortSignal;
}

/**
 * Time several forward passes fairly: round robin (run 0, run 1, ..., run 0, run 1, ...) in the same process, so
 * slow drifts (thermal throttling, a background job, GC) hit every run alike. `warmup` untimed rounds first, then
 * timed rounds until the budget is spent (at least `minRounds`, at most `maxRounds`). Returns each run's durations
 * in ms, in round order.
 * @example
 * const [model, reference] = await timeInterleaved([runModel, runReference], { clock: () => performance.now(), budgetMs: 2000 });
 * median(reference) / median(model) // speedup
 */
export async function timeInterleaved(runs: readonly (() => Promise<void>)[], options: InterleavedTimingOptions): Promise<number[][]> {
  const { clock, warmup = 3, budgetMs = 2000, minRounds = 5, maxRounds = 10_000 } = options;
  for (let r = 0; r < warmup; r++) {
    options.signal?.throwIfAborted();
    for (const run of runs) await run();
  }
  const samples: number[][] = runs.map(() => []);
  const start = clock();
  for (let round = 0; round < maxRounds; round++) {
    if (round >= minRounds && clock() - start >= budgetMs * runs.length) break;
    options.signal?.throwIfAborted();
    for (let i = 0; i < runs.length; i++) {
      const t0 = clock();
      await runs[i]();
      samples[i].push(clock() - t0);
    }
  }
  return samples;
}
