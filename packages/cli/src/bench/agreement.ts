import type { RunReport } from '@omniprune/core';
import type { BenchCell } from './cells.js';
import type { CellResult } from './run-cells.js';

/** How often two metrics chose the same candidate, over the runs they share (same seed, arm and grid values). */
export interface PairAgreement {
  readonly a: string;
  readonly b: string;
  /** Iterations where both chose from the same parent (every earlier choice alike). */
  readonly compared: number;
  /** Of those, iterations where they chose the same candidate. */
  readonly same: number;
  /** Runs compared, and the runs where their choices parted at some iteration. */
  readonly runs: number;
  readonly diverged: number;
}

/** The metrics' agreement matrix and a sentence saying whether the bench could tell them apart at all. */
export interface Agreement {
  readonly metrics: readonly string[];
  readonly pairs: readonly PairAgreement[];
  readonly statement: string;
}

/** What identifies a candidate choice: its kind and what it removes. */
const choiceOf = (r: RunReport, i: number) => {
  const it = r.iterations[i];
  return `${it.chosenKind}:${it.candidates[it.chosen]?.summary ?? ''}`;
};

/** Compare two runs from one parent on: iterations with the same parent, how many chose alike, whether they parted. */
function compareChoices(x: RunReport, y: RunReport): { compared: number; same: number; diverged: boolean } {
  const n = Math.min(x.iterations.length, y.iterations.length);
  for (let i = 0; i < n; i++) if (choiceOf(x, i) !== choiceOf(y, i)) return { compared: i + 1, same: i, diverged: true };
  return { compared: n, same: n, diverged: x.iterations.length !== y.iterations.length };
}

/**
 * Agreement between every pair of the bench's metrics: over the runs they share (same seed, arm and grid values),
 * the iterations where both chose from the same parent and how many of those chose the same candidate. After the first
 * different choice the parents differ, so later iterations are not compared. When no pair ever chose differently, the
 * statement says that no difference is measurable.
 * @example
 * metricAgreement(cells, results).statement // 'no difference measurable: identical choices in 30/30 iterations ...'
 */
export function metricAgreement(cells: readonly BenchCell[], results: readonly CellResult[]): Agreement {
  const metrics = [...new Set(cells.map((c) => c.metric))];
  const runKey = (c: BenchCell) => JSON.stringify([c.seed, c.arm, c.options]);
  const reportOf = new Map<string, RunReport>();
  cells.forEach((c, i) => {
    const r = results[i];
    if (r?.status === 'done' && r.report) reportOf.set(`${c.metric}\u0000${runKey(c)}`, r.report);
  });
  const keys = [...new Set(cells.map(runKey))];
  const pairs: PairAgreement[] = [];
  for (let i = 0; i < metrics.length; i++) {
    for (let j = i + 1; j < metrics.length; j++) {
      let compared = 0;
      let same = 0;
      let runs = 0;
      let diverged = 0;
      for (const key of keys) {
        const x = reportOf.get(`${metrics[i]}\u0000${key}`);
        const y = reportOf.get(`${metrics[j]}\u0000${key}`);
        if (!x || !y) continue;
        const c = compareChoices(x, y);
        runs++;
        compared += c.compared;
        same += c.same;
        if (c.diverged) diverged++;
      }
      pairs.push({ a: metrics[i], b: metrics[j], compared, same, runs, diverged });
    }
  }
  return { metrics, pairs, statement: agreementStatement(pairs) };
}

/** The sentence a bench prints about its metrics' choices. */
function agreementStatement(pairs: readonly PairAgreement[]): string {
  const measured = pairs.filter((p) => p.runs > 0);
  if (measured.length === 0) return 'no two metrics share a finished run (same seed, arm and grid values): agreement not measured';
  const compared = measured.reduce((s, p) => s + p.compared, 0);
  const same = measured.reduce((s, p) => s + p.same, 0);
  if (measured.every((p) => p.diverged === 0)) {
    return `no difference measurable: identical choices in ${same}/${compared} iterations (every metric chose the same candidates in every shared run)`;
  }
  return measured
    .map((p) => `${p.a} and ${p.b}: same choice in ${p.same}/${p.compared} iterations from a shared parent; parted in ${p.diverged} of ${p.runs} runs`)
    .join('; ');
}
