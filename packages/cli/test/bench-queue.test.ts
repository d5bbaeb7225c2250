import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { writeTinyBench, writeTinyPipeline } from './pipeline-fixtures.js';
import { runCliCaptured } from './run-cli.js';
import { useTestRedis } from './queue-helpers.js';
import { cliWithStderr, waitFor } from './spawn-cli.js';

const redis = useTestRedis();

/** What must not differ between a local and a queue bench: per cell its status, final figures and iterations. */
async function cellsOf(dir: string) {
  const json = JSON.parse(await readFile(join(dir, 'bench.json'), 'utf8'));
  return json.cells.map((c: Record<string, unknown>) => ({ id: c.id, status: c.status, final: c.final, iterations: c.iterations }));
}

describe.skipIf(redis.missing)('omniprune bench --queue (BullMQ on a real Redis)', () => {
  it('3 workers give the local result; a coordinator killed mid-grid restarts without re-running a cell', { timeout: 900_000 }, async () => {
    const { dir, bench } = await writeTinyBench({ name: 'queue-bench', metrics: ['linear-cka'], seeds: [1, 2, 3], workers: 3, output: 'local' });
    const local = await runCliCaptured(['bench', bench]);
    expect(local.code, local.stderr).toBe(0);

    const prefix = 'cli-test';
    const workers = [1, 2, 3].map((i) =>
      cliWithStderr(['worker', '--queue', redis.url(), '--prefix', prefix, '--threads', '1', '--work-dir', join(dir, `w${i}`), '--lock-seconds', '5']),
    );
    try {
      const out = join(dir, 'queued');
      const first = cliWithStderr(['bench', bench, '--queue', redis.url(), '--prefix', prefix, '--out', out]);
      const reports = async () => (await readdir(join(out, 'cells')).catch(() => [] as string[])).length;
      await waitFor(async () => (await reports()) >= 1, 600_000);
      first.child.kill('SIGKILL');
      await first.exited;
      const again = await runCliCaptured(['bench', bench, '--queue', redis.url(), '--prefix', prefix, '--out', out]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/queue-bench: 3 cells \(1 metrics x 3 seeds\), queue redis:\/\/127\.0\.0\.1:\d+\/0 \(prefix cli-test\)/);
      expect(again.stderr).toMatch(/queue: 3\/3 done, 0 running, 0 waiting, 0 failed/);
      expect(await cellsOf(out)).toEqual(await cellsOf(join(dir, 'local')));
      const started = workers.flatMap((w) => w.stderr().match(/cell \S+ \(queue-bench\): started/g) ?? []);
      expect(started.sort()).toEqual([
        'cell linear-cka__seed-1 (queue-bench): started',
        'cell linear-cka__seed-2 (queue-bench): started',
        'cell linear-cka__seed-3 (queue-bench): started',
      ]);
      const workerLog = await readFile(join(out, 'cells', 'linear-cka__seed-2', 'worker.log'), 'utf8');
      expect(workerLog.split('\n')[0]).toMatch(/^[^:]+:\d+$/); // host:pid of the worker that ran it
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
    }
    for (const w of workers) expect(w.stderr()).toMatch(/SIGTERM: stopping/);
  });

  it('refuses an unreachable queue, a bad URL and a study of other versions with exit 2', async () => {
    const { dir } = await writeTinyPipeline({ stop: { maxIterations: 1 } });
    const bench = join(dir, 'bench.yaml');
    await writeFile(bench, stringify({ name: 'b', pipeline: 'pipeline.yaml', metrics: ['linear-cka'], seeds: [1], output: 'out' }));
    const closed = await runCliCaptured(['bench', bench, '--queue', 'redis://127.0.0.1:1/0']);
    expect(closed.code).toBe(2);
    expect(closed.stderr).toMatch(/Redis at redis:\/\/127\.0\.0\.1:1\/0 is unreachable/);
    const bad = await runCliCaptured(['bench', bench, '--queue', 'http://x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad queue URL http:\/\/x: scheme http is not redis or rediss/);
    const { Redis } = await import('ioredis');
    const client = new Redis(redis.url());
    await client.hset('other-study:omniprune:meta', 'versions', JSON.stringify({ '@omniprune/core': '0.0.1' }));
    client.disconnect();
    const other = await runCliCaptured(['bench', bench, '--queue', redis.url(), '--prefix', 'other-study']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/belongs to a study started with other omniprune packages .*@omniprune\/core 0\.1\.0\/0\.0\.1/);
    const worker = await runCliCaptured(['worker', '--queue', redis.url(), '--prefix', 'other-study']);
    expect(worker.code).toBe(2);
    expect(worker.stderr).toMatch(/install the same omniprune version as the coordinator/);
  }, 60_000);
});
