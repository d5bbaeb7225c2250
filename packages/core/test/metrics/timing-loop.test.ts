import { describe, expect, it } from 'vitest';
import { median, percentile, timeInterleaved } from '../../src/metrics/index.js';

/** A fake clock and runs that advance it by scripted durations, recording the call order. */
function fakeRuns(durations: Record<string, number[]>) {
  let now = 1000;
  const calls: string[] = [];
  const runs = Object.keys(durations).map((name) => async () => {
    calls.push(name);
    const d = durations[name];
    now += d.length > 1 ? d.shift()! : d[0];
  });
  return { runs, calls, clock: () => now };
}

describe('median and percentile', () => {
  it('interpolate between ranks like numpy', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([5, 1, 3, 2])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBeCloseTo(9.1, 12);
    expect(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 90)).toBeCloseTo(9.1, 12);
    expect(percentile([4], 90)).toBe(4);
    expect(percentile([1, 2], 0)).toBe(1);
    expect(percentile([1, 2], 100)).toBe(2);
    expect(median([])).toBeNaN();
  });
});

describe('timeInterleaved', () => {
  it('alternates the runs (warm-up included), and times each run alone', async () => {
    const { runs, calls, clock } = fakeRuns({ model: [2], reference: [5] });
    const [model, reference] = await timeInterleaved(runs, { clock, warmup: 2, budgetMs: 10, minRounds: 2 });
    // warm-up 2 rounds, then rounds of 7 ms until 2 x 10 ms are spent: 3 timed rounds
    expect(calls).toEqual(['model', 'reference', 'model', 'reference', 'model', 'reference', 'model', 'reference', 'model', 'reference']);
    expect(model).toEqual([2, 2, 2]);
    expect(reference).toEqual([5, 5, 5]);
  });

  it('excludes the warm-up from the samples and honours minRounds and maxRounds', async () => {
    const slowFirst = fakeRuns({ model: [100, 100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] });
    const [samples] = await timeInterleaved(slowFirst.runs, { clock: slowFirst.clock, warmup: 2, budgetMs: 1, minRounds: 10 });
    expect(samples).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(median(samples)).toBe(5.5);
    expect(percentile(samples, 90)).toBeCloseTo(9.1, 12);
    const capped = fakeRuns({ a: [1], b: [1] });
    const [a, b] = await timeInterleaved(capped.runs, { clock: capped.clock, warmup: 0, budgetMs: 1e9, maxRounds: 4 });
    expect([a.length, b.length]).toEqual([4, 4]);
    expect(capped.calls).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('stops when aborted', async () => {
    const { runs, clock } = fakeRuns({ a: [1] });
    const controller = new AbortController();
    controller.abort();
    await expect(timeInterleaved(runs, { clock, signal: controller.signal })).rejects.toThrow();
  });
});
