import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IterationRecord, RunReport } from '@omniprune/core';

/**
 * Watch a running cell's `report.json` (rewritten atomically after every iteration) and call `onIteration` once per
 * iteration, in order, as they appear, every `intervalMs` (iterations an earlier invocation finished come first).
 * A report that is missing or being replaced is read again at the next tick. `stop()` reads once more, so the last
 * iteration is not missed, and ends the watch.
 * @example
 * const stop = watchIterations('runs/bench/cells/a', (it) => console.log(it.iteration), 10_000);
 * await runTheCell();
 * await stop();
 */
export function watchIterations(dir: string, onIteration: (it: IterationRecord) => void, intervalMs: number): () => Promise<void> {
  let seen = 0;
  let reading = Promise.resolve();
  const read = (): Promise<void> => {
    reading = reading.then(async () => {
      const text = await readFile(join(dir, 'report.json'), 'utf8').catch(() => null);
      let report: RunReport | undefined;
      try {
        report = text ? (JSON.parse(text) as RunReport) : undefined;
      } catch {
        return;
      }
      for (const it of report?.iterations.slice(seen) ?? []) {
        seen++;
        onIteration(it);
      }
    });
    return reading;
  };
  const timer = setInterval(() => void read(), intervalMs);
  void read();
  return async () => {
    clearInterval(timer);
    await read();
  };
}

/**
 * One line for an iteration of a cell: `iteration 3 (filter): FLOPs -25.1 %, 92.80 % (-1.33 points), 250 s`.
 * @example
 * iterationLine(report.iterations[2]);
 */
export function iterationLine(it: IterationRecord): string {
  const pct = (v: number) => (v * 100).toFixed(2);
  return (
    `iteration ${it.iteration} (${it.chosenKind}): FLOPs -${(it.flopsReduction * 100).toFixed(1)} %, ${pct(it.stats.accuracy)} % ` +
    `(${it.accuracyChange >= 0 ? '+' : ''}${pct(it.accuracyChange)} points), ${it.seconds.toFixed(0)} s`
  );
}
