import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportWithoutTimings, type RunReport } from '@omniprune/core';
import { writeTinyPipeline } from './pipeline-fixtures.js';
import { useTestRedis } from './queue-helpers.js';
import { runCliCaptured } from './run-cli.js';
import { cliWithStderr } from './spawn-cli.js';

const redis = useTestRedis();

const report = async (dir: string): Promise<RunReport> => JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));

describe.skipIf(redis.missing)('omniprune run --queue (candidates on workers)', () => {
  it('2 workers fine-tune and score the candidates; the report equals a local run (minus timings)', { timeout: 900_000 }, async () => {
    const { dir, file } = await writeTinyPipeline({ stop: { maxIterations: 2 } });
    const local = await runCliCaptured(['run', file, '--out', join(dir, 'local')]);
    expect(local.code, local.stderr).toBe(0);
    const workers = [1, 2].map((i) =>
      cliWithStderr(['worker', '--queue', redis.url(), '--prefix', 'run-test', '--threads', '1', '--work-dir', join(dir, `w${i}`)]),
    );
    try {
      const queued = await runCliCaptured(['run', file, '--out', join(dir, 'queued'), '--queue', redis.url(), '--prefix', 'run-test']);
      expect(queued.code, queued.stderr).toBe(0);
      expect(queued.stderr).toMatch(/candidates: on the queue redis:\/\/127\.0\.0\.1:\d+\/0 \(prefix run-test\)/);
      const [a, b] = [await report(join(dir, 'local')), await report(join(dir, 'queued'))];
      expect(reportWithoutTimings(b)).toEqual(reportWithoutTimings(a));
      const candidates = a.iterations.reduce((n, it) => n + it.candidates.length, 0);
      expect(candidates).toBeGreaterThanOrEqual(3);
      const started = workers.flatMap((w) => w.stderr().match(/iteration \d candidate \d \(\w+\): started/g) ?? []);
      expect(started).toHaveLength(candidates);
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
    }
  });
});
