import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic, type RunReport } from '@omniprune/core';
import { armRow, smallSampleWarning, comparisonSvg } from '../src/compare/compare-html.js';
import { accuracyAt, compareRuns, pairedDifferences } from '../src/compare/compare-runs.js';
import { runCliCaptured } from './run-cli.js';

/** A hand-made report: baseline accuracy, then (FLOPs reduction, accuracy) per iteration. */
function report(pruners: string[], seed: number, base: number, points: [number, number][], running = false, kinds?: string[]): RunReport {
  const stats = (accuracy: number) => ({ flops: 100, params: 10, accuracy, loss: 0 });
  const [x, y] = points.at(-1) ?? [0, base];
  const final = { iteration: points.length, stats: stats(y), flopsReduction: x, paramsReduction: x, accuracyChange: y - base };
  return {
    ...(running ? {} : { final }),
    name: 'hand',
    seed,
    backend: 'cpu',
    similarity: 'linear-cka',
    pruners,
    baseline: stats(base),
    iterations: points.map(([x, y], i) => ({
      iteration: i + 1,
      candidates: [],
      chosen: 0,
      chosenKind: kinds?.[i] ?? pruners[0],
      stats: stats(y),
      flopsReduction: x,
      paramsReduction: x,
      accuracyChange: y - base,
      seconds: 1,
      modelDir: `iterations/00${i + 1}`,
    })),
  };
}

describe('compare', () => {
  it('interpolates linearly between iterations and never extrapolates', () => {
    const r = report(['layer', 'filter'], 1, 0.9, [
      [0.2, 0.88],
      [0.6, 0.84],
    ]);
    expect(accuracyAt(r, 0.1)).toBeCloseTo(0.89, 12);
    expect(accuracyAt(r, 0.5)).toBeCloseTo(0.85, 12);
    expect(accuracyAt(r, 0.6)).toBeCloseTo(0.84, 12);
    expect(accuracyAt(r, 0.7)).toBeUndefined();
  });

  it('shows the recovered final models beside the unrecovered ones, only over the runs that had a recovery', () => {
    const recovered = (r: RunReport, accuracy: number): RunReport => {
      const after = { ...r.final!.stats, accuracy };
      return {
        ...r,
        recovery: { ...({} as NonNullable<RunReport['recovery']>), before: r.final!.stats, after, accuracyChange: accuracy - r.baseline.accuracy },
      };
    };
    const a = recovered(report(['layer', 'filter'], 1, 0.9, [[0.8, 0.85]]), 0.895);
    const b = recovered(report(['layer', 'filter'], 2, 0.9, [[0.9, 0.84]]), 0.885);
    const c = report(['layer', 'filter'], 3, 0.9, [[0.7, 0.86]]);
    const [arm] = compareRuns(
      [a, b, c].map((r, i) => ({ dir: `r${i}`, arm: 'all', report: r })),
      [0.5],
    ).arms;
    // after recovery: -0.005 and -0.015 (mean -0.01, std 0.00707) at 80 % and 90 %; the third run had no recovery
    expect(arm.recoveredAccuracyChange.mean).toBeCloseTo(-0.01, 12);
    expect(arm.recoveredAccuracyChange.std).toBeCloseTo(Math.SQRT1_2 * 0.01, 12);
    expect(arm.recoveredFlopsReduction).toMatchObject({ n: 2 });
    expect(arm.recoveredFlopsReduction.mean).toBeCloseTo(0.85, 12);
    expect(arm.finalAccuracyChange.n).toBe(3);
    expect(armRow(arm)).toContain('-1.00 ± 0.71 at 85.0 ± 7.1 %');
    expect(comparisonSvg(compareRuns([{ dir: 'r0', arm: 'all', report: a }], [0.5]))).toMatch(
      /class="recovered"[^>]*><title>all after the final recovery: -0\.50 ± 0\.00 at 80\.0 ± 0\.0 % points/,
    );
    expect(armRow(compareRuns([{ dir: 'r2', arm: 'all', report: c }], [0.5]).arms[0])).toContain('no recovery');
  });

  it('groups runs into arms by their pruners and gives mean ± sample std over seeds at each level', () => {
    const runs = [
      report(['layer', 'filter'], 1, 0.9, [
        [0.4, 0.89],
        [0.6, 0.87],
      ]),
      report(['layer', 'filter'], 2, 0.92, [
        [0.5, 0.9],
        [0.7, 0.88],
      ]),
      report(['filter'], 1, 0.9, [[0.5, 0.86]]),
    ].map((r, i) => ({ dir: `run${i}`, arm: r.pruners.join('+'), report: r }));
    const c = compareRuns(runs, [0.5, 0.6]);
    expect(c.arms.map((a) => a.arm)).toEqual(['layer+filter', 'filter']);
    const both = c.arms[0].at[0];
    // seed 1 at 50 %: 0.88 (-0.02); seed 2 at 50 %: 0.90 (-0.02)
    expect(both.accuracyChange.mean).toBeCloseTo(-0.02, 12);
    expect(both.accuracyChange.std).toBeCloseTo(0, 12);
    const at60 = c.arms[0].at[1];
    // seed 1: 0.87 (-0.03); seed 2: 0.89 (-0.03)... 0.9 + (0.1/0.2) * -0.02 = 0.89 -> -0.03
    expect(at60.accuracy.mean).toBeCloseTo(0.88, 12);
    expect(at60.accuracy.std).toBeCloseTo(Math.SQRT2 * 0.01, 12);
    expect(c.arms[1].at[1]).toMatchObject({ notReached: 1, accuracyChange: { n: 0 } });
    // every hand-made iteration took 1 s: 2, 2 and 1 s per run; last FLOPs reductions 0.6 and 0.7, then 0.5
    expect(c.arms[0].runs.map((r) => r.seconds)).toEqual([2, 2]);
    expect(c.arms[0].seconds).toMatchObject({ mean: 2, std: 0, n: 2 });
    expect(c.arms[0].lastFlopsReduction.mean).toBeCloseTo(0.65, 12);
    expect(c.arms[1].seconds.mean).toBe(1);
    // final models: -0.03 at 0.6 and -0.04 at 0.7 (mean -0.035, std 0.00707); the filter arm's only run: -0.04 at 0.5
    expect(c.arms[0].finalAccuracyChange.mean).toBeCloseTo(-0.035, 12);
    expect(c.arms[0].finalAccuracyChange.std).toBeCloseTo(Math.SQRT1_2 * 0.01, 12);
    expect(c.arms[1].finalAccuracyChange).toMatchObject({ n: 1 });
    expect(c.arms[1].finalAccuracyChange.mean).toBeCloseTo(-0.04, 12);
  });

  it('counts the iterations each kind of candidate won and leaves running runs out of the final figures', () => {
    const runs = [
      report(
        ['layer', 'filter'],
        1,
        0.9,
        [
          [0.3, 0.89],
          [0.5, 0.88],
          [0.6, 0.87],
        ],
        false,
        ['layer', 'filter', 'layer'],
      ),
      report(
        ['layer', 'filter'],
        2,
        0.9,
        [
          [0.2, 0.89],
          [0.4, 0.87],
        ],
        false,
        ['layer', 'layer'],
      ),
      // still running, further along: its 3 filter wins, 0.9 reach and 3 s must not count in the final columns
      report(
        ['layer', 'filter'],
        3,
        0.9,
        [
          [0.5, 0.85],
          [0.7, 0.8],
          [0.9, 0.7],
        ],
        true,
        ['filter', 'filter', 'filter'],
      ),
    ].map((r, i) => ({ dir: `run${i}`, arm: 'all', report: r }));
    const [all] = compareRuns(runs, [0.3]).arms;
    // layer won 2 and 2 iterations, filter 1 and 0
    expect(all.winners.layer).toEqual({ mean: 2, std: 0, n: 2 });
    expect(all.winners.filter).toMatchObject({ mean: 0.5, n: 2 });
    expect(all.winners.filter.std).toBeCloseTo(Math.SQRT1_2, 12);
    expect(all.lastFlopsReduction.mean).toBeCloseTo(0.5, 12);
    expect(all.finalAccuracyChange.mean).toBeCloseTo(-0.03, 12);
    expect(all.seconds).toMatchObject({ mean: 2.5, n: 2 });
    // the running run still counts at the levels it reached (30 %: all three runs)
    expect(all.at[0].accuracyChange.n).toBe(3);
    // a run whose accuracy floor undid its last iteration: the final model is iteration 1's, so the filter win of
    // iteration 2 removed nothing that stayed
    const floored = report(
      ['layer', 'filter'],
      4,
      0.9,
      [
        [0.3, 0.89],
        [0.5, 0.8],
      ],
      false,
      ['layer', 'filter'],
    );
    const flooredRun = { dir: 'floored', arm: 'all', report: { ...floored, final: { ...floored.final!, iteration: 1 } } };
    expect(compareRuns([flooredRun], [0.3]).arms[0].winners).toEqual({ layer: { mean: 1, std: 0, n: 1 } });
    // floored at its first iteration: the run ended and kept nothing
    const baseOnly = { ...flooredRun, report: { ...flooredRun.report, final: { ...floored.final!, iteration: 0 } } };
    const [kept] = compareRuns([baseOnly], [0.3]).arms;
    expect(kept.winners).toEqual({});
    expect(armRow(kept)).toContain('none');
    const none = compareRuns([runs[2]], [0.5]).arms[0];
    expect([none.seconds.n, none.lastFlopsReduction.n, none.finalAccuracyChange.n]).toEqual([0, 0, 0]);
    expect(none.winners).toEqual({});
    expect(armRow(none).slice(-4)).toEqual(['no run ended', 'no run ended', 'no run ended', 'no run ended']);
  });

  it('pairs arms by seed: differences hand-computed, seeds short of a level or with two runs left out', () => {
    const run = (arm: string, seed: number, points: [number, number][]) => ({ dir: `${arm}${seed}`, arm, report: report([arm], seed, 0.9, points) });
    const runs = [
      run('all', 1, [[0.5, 0.88]]),
      run('all', 2, [[0.5, 0.86]]),
      run('all', 3, [[0.5, 0.8]]),
      run('filter', 1, [[0.5, 0.87]]), // -1 point
      run('filter', 2, [[0.5, 0.87]]), // +1 point
      run('filter', 3, [[0.4, 0.85]]), // never reaches 50 %: no pair there; at 30 %: 0.8625 vs all's 0.852 -> +1.05
      run('layer', 1, [[0.5, 0.85]]),
      run('layer', 1, [[0.5, 0.84]]), // two runs of seed 1: seed 1 left out of the layer pairs
      run('layer', 2, [[0.5, 0.83]]), // -3 points
    ];
    const paired = pairedDifferences(runs, ['all', 'filter', 'layer'], 'all', [0.3, 0.5]);
    expect(paired.reference).toBe('all');
    const [filter, layer] = paired.arms;
    expect(filter.arm).toBe('filter');
    expect(filter.at[1].difference.n).toBe(2);
    expect(filter.at[1].difference.mean).toBeCloseTo(0, 12);
    expect(filter.at[1].difference.std).toBeCloseTo(Math.sqrt(2) * 0.01, 12); // values -0.01, +0.01
    expect(filter.at[1].ahead).toBe(1);
    // seed 3 at 30 %: filter 0.9 - 0.3/0.4 * 0.05 = 0.8625, all 0.9 - 0.3/0.5 * 0.1 = 0.84 -> +0.0225
    expect(filter.at[0].difference.n).toBe(3);
    const at30 = [0.9 - 0.6 * 0.03 - (0.9 - 0.6 * 0.02), 0.9 - 0.6 * 0.03 - (0.9 - 0.6 * 0.04), 0.8625 - 0.84];
    expect(filter.at[0].difference.mean).toBeCloseTo(at30.reduce((a, b) => a + b) / 3, 12);
    expect(layer.at[1].difference).toMatchObject({ n: 1 });
    expect(layer.at[1].difference.mean).toBeCloseTo(-0.03, 12);
    expect(layer.at[1].ahead).toBe(0);
    // the paired tests: 2 differences of opposite sign -> Wilcoxon p 1 (ranks 1.5 and 1.5), sign test p 1; Holm over
    // filter and layer at 50 % (p 1 and 1) stays 1; the bootstrap interval of {-1, +1} points is [-1, +1]
    expect(filter.at[1].wilcoxon).toMatchObject({ n: 2, pValue: 1, holm: 1, minimumPValue: 0.5 });
    expect(filter.at[1].sign.pValue).toBeCloseTo(1, 12);
    expect(filter.at[1].interval.low).toBeCloseTo(-0.01, 12);
    expect(filter.at[1].interval.high).toBeCloseTo(0.01, 12);
    expect(smallSampleWarning(paired)).toMatch(/at most 3 seeds paired: .*smallest possible p 0\.250.*run at least 6 seeds/);
    expect(() => compareRuns(runs, [0.5], 'nope')).toThrow(/no arm "nope" to pair against; the arms are all, filter, layer/);
    expect(
      compareRuns(
        runs.filter((r) => r.arm === 'all'),
        [0.5],
      ).paired,
    ).toBeUndefined();
  });

  it('labels the x axis without overprinting: a level within 40 px of the last labelled one gets no label', () => {
    const runs = [report(['layer'], 1, 0.9, [[0.95, 0.8]])].map((r) => ({ dir: 'r', arm: 'layer', report: r }));
    // 440 px for 0..0.9: 85 % and 90 % are 24 px apart, 10 % and 50 % 196 px
    const labels = (levels: number[]) => [...comparisonSvg(compareRuns(runs, levels)).matchAll(/text-anchor="middle">([\d.]+ %)</g)].map((m) => m[1]);
    expect(labels([0.1, 0.5, 0.85, 0.9])).toEqual(['10 %', '50 %', '85 %']);
    expect(labels([0.1, 0.5, 0.789])).toEqual(['10 %', '50 %', '78.9 %']);
  });

  it('writes compare.json, compare.html and compare.svg from run folders and names a folder without a report', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-compare-'));
    const reports = [
      report(['layer', 'filter'], 1, 0.9, [[0.5, 0.88]]),
      report(['layer', 'filter'], 2, 0.9, [[0.5, 0.86]]),
      report(['layer'], 1, 0.9, [[0.5, 0.8]]),
      report(['layer'], 2, 0.9, [[0.4, 0.85]], true),
    ];
    for (const [i, r] of reports.entries()) await writeFileAtomic(join(dir, `r${i}`, 'report.json'), JSON.stringify(r));
    const out = join(dir, 'cmp');
    const r = await runCliCaptured(['compare', join(dir, 'r0'), join(dir, 'r1'), join(dir, 'r2'), join(dir, 'r3'), '--levels', '0.3,0.5', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/layer\+filter\s+1,2\s+.*-3\.00 ± 1\.41 \(n=2\)\s+-3\.00 ± 1\.41 at 50\.0 ± 0\.0 %\s+no recovery\s+layer 1\.0\s+1 ± 0 s/);
    // the layer arm's running run (r3) is out of its final columns: r2 alone, -10 points at 50 %
    expect(r.stdout).toMatch(/\nlayer\s+1,2\s+.*-10\.00 ± 0\.00 at 50\.0 ± 0\.0 %\s+no recovery\s+layer 1\.0\s+1 ± 0 s/);
    const json = JSON.parse(await readFile(join(out, 'compare.json'), 'utf8'));
    expect(json.arms[1].at[1].accuracyChange.mean).toBeCloseTo(-0.1, 12);
    const html = await readFile(join(out, 'compare.html'), 'utf8');
    expect(html).toMatch(/class="band"/);
    expect((html.match(/class="point"/g) ?? []).length).toBe(4);
    // a run without a final report is named as not final, in the text and the page
    expect(r.stdout).toMatch(/note: 1 run still in progress \(no final report; its curve may go on\): .*r3 \(1 iteration\)\n/);
    expect(html).toMatch(/<p id="running"><strong>Not final:<\/strong> 1 run still in progress/);
    expect(json.arms[1].runs.map((run: { running: boolean }) => run.running)).toEqual([false, true]);
    // seed 1: layer 0.84 vs 0.888 at 30 %, 0.80 vs 0.88 at 50 %; seed 2: 0.8625 vs 0.876 at 30 %, layer short of 50 %
    expect(r.stdout).toMatch(
      /paired by seed, arm minus layer\+filter: .*\narm\s+30 %\s+50 %\n[- ]+\nlayer\s+-3\.07 ± 2\.44 \(n=2, 0 ahead\)\s+-8\.00 ± 0\.00 \(n=1, 0 ahead\)\n/,
    );
    expect(html).toMatch(/<table id="paired">/);
    expect(r.stdout).toMatch(/two-sided paired tests .*\n.*\n[- ]+\nlayer\s+p 0\.500 \(Holm 0\.500\), sign p 0\.500, 95 % CI \[-4\.80, -1\.35\]\s+p 1\.000/);
    expect(r.stdout).toMatch(/warning: at most 2 seeds paired: no outcome of a paired test on 2 can reach p < 0\.05/);
    expect(html).toMatch(/<p class="warning" id="small-n"><b>at most 2 seeds paired/);
    expect(html).toMatch(/<table id="paired-tests">/);
    const svg = await readFile(join(out, 'compare.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect((svg.match(/class="point"/g) ?? []).length).toBe(4);
    expect(r.stdout).toMatch(/wrote .*compare\.json, compare\.html, compare\.svg/);
    const missing = await runCliCaptured(['compare', join(dir, 'nothing')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no run report at .*nothing/);
  });
});

describe('compare with a from-scratch baseline', () => {
  it('reads a train --reinit --images-of folder as the arm scratch, measured against the base of the run it mirrors', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-compare-scratch-'));
    const pruned = report(['layer', 'filter'], 1, 0.9, [[0.8, 0.85]]);
    await writeFileAtomic(join(dir, 'run', 'report.json'), JSON.stringify(pruned));
    const train = { seed: 1, reinit: true, imagesOf: { run: join(dir, 'run'), images: 1000 }, testAccuracy: 0.87, testLoss: 0.4, flops: 20, params: 2 };
    await writeFileAtomic(join(dir, 'scratch', 'train-report.json'), JSON.stringify(train));
    await writeFileAtomic(join(dir, 'plain', 'train-report.json'), JSON.stringify({ ...train, reinit: undefined }));
    const r = await runCliCaptured(['compare', join(dir, 'run'), join(dir, 'scratch'), '--levels', '0.5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const scratch = JSON.parse(r.stdout).arms.find((a: { arm: string }) => a.arm === 'scratch');
    // 0.87 against the mirrored run's base 0.9, at 1 - 20/100 = 80 % fewer FLOPs
    expect(scratch.finalAccuracyChange.mean).toBeCloseTo(-0.03, 12);
    expect(scratch.lastFlopsReduction.mean).toBeCloseTo(0.8, 12);
    const notScratch = await runCliCaptured(['compare', join(dir, 'plain')]);
    expect(notScratch.code).toBe(2);
    expect(notScratch.stderr).toMatch(/no run report at .*plain.*report\.json/);
  });
});
