import { mkdtemp, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IterationRecord } from '@omniprune/core';
import { describe, expect, it, vi } from 'vitest';
import { iterationLine, watchIterations } from '../src/bench/cell-progress.js';

const iteration = (n: number, kind: string): IterationRecord => ({
  iteration: n,
  candidates: [],
  chosen: 0,
  chosenKind: kind,
  stats: { flops: 1, params: 1, accuracy: 0.928, loss: 0.3 },
  flopsReduction: 0.1 * n,
  paramsReduction: 0.1,
  accuracyChange: -0.0133,
  seconds: 250.4,
  modelDir: `iterations/00${n}`,
});

async function writeReport(dir: string, iterations: IterationRecord[]): Promise<void> {
  const tmp = join(dir, 'report.json.tmp');
  await writeFile(tmp, JSON.stringify({ name: 'x', iterations }));
  await rename(tmp, join(dir, 'report.json'));
}

const tick = () => new Promise((r) => setTimeout(r, 60));

describe('watchIterations', () => {
  it('reports each iteration once and in order as the report grows, including those present at the start and the last one at stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-progress-'));
    const seen: number[] = [];
    await writeReport(dir, [iteration(1, 'layer')]);
    const stop = watchIterations(dir, (it) => seen.push(it.iteration), 20);
    await vi.waitFor(() => expect(seen).toEqual([1]), { timeout: 5000 });
    await writeFile(join(dir, 'report.json'), '{"iterations": [tru'); // a torn read is retried at the next tick
    await tick();
    await writeReport(dir, [iteration(1, 'layer'), iteration(2, 'filter'), iteration(3, 'layer')]);
    await vi.waitFor(() => expect(seen).toEqual([1, 2, 3]), { timeout: 5000 });
    await writeReport(
      dir,
      [1, 2, 3, 4].map((n) => iteration(n, 'filter')),
    );
    await stop(); // read once more at stop, before the next tick
    expect(seen).toEqual([1, 2, 3, 4]);
    await writeReport(
      dir,
      [1, 2, 3, 4, 5].map((n) => iteration(n, 'filter')),
    );
    await tick();
    expect(seen).toEqual([1, 2, 3, 4]); // stopped
  });

  it('waits for a report that does not exist yet', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-progress-'));
    const seen: number[] = [];
    const stop = watchIterations(dir, (it) => seen.push(it.iteration), 20);
    await tick();
    expect(seen).toEqual([]);
    await writeReport(dir, [iteration(1, 'layer')]);
    await vi.waitFor(() => expect(seen).toEqual([1]), { timeout: 5000 });
    await stop();
  });

  it('prints an iteration as kind, FLOPs reduction, accuracy and change, seconds', () => {
    expect(iterationLine(iteration(3, 'filter'))).toBe('iteration 3 (filter): FLOPs -30.0 %, 92.80 % (-1.33 points), 250 s');
  });
});
