import type { RunReport } from '@omniprune/core';
import { describe, expect, it } from 'vitest';
import { metricAgreement } from '../src/bench/agreement.js';
import type { BenchCell } from '../src/bench/cells.js';
import type { CellResult } from '../src/bench/run-cells.js';
import { renderBenchHtml } from '../src/bench/bench-html.js';
import { summarize } from '../src/bench/summary.js';

/** A finished run whose iteration k chose the candidate named choices[k] (its kind is the name's first word). */
function run(choices: string[]): RunReport {
  const stats = { flops: 1, params: 1, accuracy: 0.9, loss: 0 };
  const iterations = choices.map((summary, k) => ({
    iteration: k + 1,
    candidates: [{ kind: summary.split(' ')[0], pruner: 'p', summary, plans: [], removedUnits: 1, similarity: 1, flops: 1, params: 1, seconds: 0 }],
    chosen: 0,
    chosenKind: summary.split(' ')[0],
    stats,
    flopsReduction: 0.1 * (k + 1),
    paramsReduction: 0,
    accuracyChange: 0,
    seconds: 0,
    modelDir: '',
  }));
  return {
    name: 'r',
    seed: 1,
    backend: 'cpu',
    similarity: 'x',
    pruners: [],
    baseline: stats,
    iterations,
    final: { iteration: choices.length, stats, flopsReduction: 0.5, paramsReduction: 0, accuracyChange: 0 },
  } as unknown as RunReport;
}

/** A bench grid: metric x seed cells with the given runs. */
function grid(runs: Record<string, string[][]>): { cells: BenchCell[]; results: CellResult[] } {
  const cells: BenchCell[] = [];
  const results: CellResult[] = [];
  for (const [metric, perSeed] of Object.entries(runs)) {
    perSeed.forEach((choices, s) => {
      const id = `${metric}__seed-${s + 1}`;
      cells.push({ id, metric, seed: s + 1, arm: 'all', group: metric, options: {}, pipeline: {} });
      results.push({ id, status: 'done', seconds: 1, report: run(choices) });
    });
  }
  return { cells, results };
}

describe('agreement between metrics', () => {
  it('says so when the metrics chose identically everywhere', () => {
    const same = [
      ['layer b1', 'filter g2', 'layer b3'],
      ['filter g1', 'layer b2'],
    ];
    const { cells, results } = grid({ 'linear-cka': same, 'mutual-knn': same, procrustes: same });
    const a = metricAgreement(cells, results);
    expect(a.metrics).toEqual(['linear-cka', 'mutual-knn', 'procrustes']);
    expect(a.pairs).toHaveLength(3);
    expect(a.pairs[0]).toEqual({ a: 'linear-cka', b: 'mutual-knn', compared: 5, same: 5, runs: 2, diverged: 0 });
    expect(a.statement).toBe('no difference measurable: identical choices in 15/15 iterations (every metric chose the same candidates in every shared run)');
    const html = renderBenchHtml('b', cells, results, summarize(cells, results), a);
    expect(html).toMatch(/<p id="agreement-statement">no difference measurable/);
    expect(html).toMatch(/<tr><td>linear-cka<\/td><td>&mdash;<\/td><td>5\/5<\/td><td>5\/5<\/td><\/tr>/);
  });

  it('compares choices only while the parents are the same: up to and including the first different choice', () => {
    const { cells, results } = grid({
      a: [
        ['layer b1', 'layer b2', 'filter g1'],
        ['layer b1', 'layer b2'],
      ],
      b: [
        ['layer b1', 'filter g9', 'filter g1'], // parts at iteration 2: its third choice is from another parent
        ['layer b1', 'layer b2'],
      ],
    });
    const [pair] = metricAgreement(cells, results).pairs;
    expect(pair).toEqual({ a: 'a', b: 'b', compared: 4, same: 3, runs: 2, diverged: 1 });
    expect(metricAgreement(cells, results).statement).toBe('a and b: same choice in 3/4 iterations from a shared parent; parted in 1 of 2 runs');
  });

  it('pairs only runs of the same seed, and says when no two metrics share one', () => {
    const { cells, results } = grid({ a: [['layer b1']], b: [] });
    expect(metricAgreement(cells, results).statement).toMatch(/no two metrics share a finished run/);
  });
});
