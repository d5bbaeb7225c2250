import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import {
  CELL_QUEUE,
  JobFailure,
  checkRedis,
  claimStudy,
  contentId,
  enqueueJobs,
  metaKey,
  openQueue,
  parseRedisUrl,
  startQueueWorker,
  watchJobs,
  type CellJobData,
  type CellJobResult,
  type JobOutcome,
  type QueueSettings,
  type QueueWorkerOptions,
} from '../src/index.js';
import { redisMissing, startRedis, type TestRedis } from './redis-server.js';

const missing = redisMissing();
const VERSIONS = { '@omniprune/core': '0.1.0' };
let redis: TestRedis;
let prefixCount = 0;

beforeAll(async () => {
  if (!missing) redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const settings = (): QueueSettings => ({ target: parseRedisUrl(redis.url), prefix: `t${++prefixCount}` });
const cell = (id: string, extra: Record<string, unknown> = {}): CellJobData => ({
  bench: 'b',
  cellId: id,
  pipeline: { seed: 1, ...extra },
  versions: VERSIONS,
});

type CellOutcome = JobOutcome<CellJobResult>;
const openCells = (s: QueueSettings) => openQueue<CellJobData, CellJobResult>(CELL_QUEUE, s);
const specs = (cells: CellJobData[]) => cells.map((data) => ({ id: contentId('cell', data), name: data.cellId, data }));
const startCellWorker = (s: QueueSettings, options: Omit<QueueWorkerOptions<CellJobData, CellJobResult>, 'describe'>) =>
  startQueueWorker<CellJobData, CellJobResult>(CELL_QUEUE, s, { describe: (d) => `cell ${d.cellId}`, ...options });

async function collect(s: QueueSettings, cells: CellJobData[], policy = { backoffMs: 10 }): Promise<CellOutcome[]> {
  const queue = openCells(s);
  try {
    const ids = await enqueueJobs(queue, specs(cells), policy);
    return await watchJobs(queue, ids, { pollMs: 50, onDone: () => {} });
  } finally {
    await queue.close();
  }
}

describe.skipIf(missing)('bench cells on a real Redis (BullMQ)', () => {
  it('every cell runs exactly once over 3 workers; enqueueing again runs nothing', async () => {
    const s = settings();
    const runs: string[] = [];
    const workers: Worker[] = [1, 2, 3].map(() =>
      startCellWorker(s, {
        versions: VERSIONS,
        run: async (data) => {
          runs.push(data.cellId);
          await new Promise((r) => setTimeout(r, 20));
          return { report: { cell: data.cellId }, log: '', seconds: 0.02 };
        },
      }),
    );
    try {
      const cells = Array.from({ length: 9 }, (_, i) => cell(`c${i}`, { i }));
      const outcomes = await collect(s, cells);
      expect(outcomes.map((o) => (o.status === 'done' ? (o.result.report as { cell: string }).cell : o.error))).toEqual(cells.map((c) => c.cellId));
      expect([...runs].sort()).toEqual(cells.map((c) => c.cellId).sort());
      const again = await collect(s, cells); // a restarted coordinator: results come from the queue
      expect(again.every((o) => o.status === 'done')).toBe(true);
      expect(runs).toHaveLength(9);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  }, 30_000);

  it("a cell's own failure is reported once, not retried; a transient one is retried with backoff", async () => {
    const s = settings();
    const attempts = new Map<string, number>();
    const worker = startCellWorker(s, {
      versions: VERSIONS,
      run: async (data) => {
        const n = (attempts.get(data.cellId) ?? 0) + 1;
        attempts.set(data.cellId, n);
        if (data.cellId === 'bad') throw new JobFailure('E_SCHEMA: unknown key "stpo"');
        if (data.cellId === 'flaky' && n === 1) throw new Error('run process killed by SIGKILL');
        return { report: { n }, log: '', seconds: 0 };
      },
    });
    try {
      const [bad, flaky] = await collect(s, [cell('bad'), cell('flaky')]);
      expect(bad).toMatchObject({ status: 'failed', error: 'E_SCHEMA: unknown key "stpo"' });
      expect(flaky.status === 'done' && flaky.result.report).toEqual({ n: 2 });
      expect(Object.fromEntries(attempts)).toEqual({ bad: 1, flaky: 2 });
    } finally {
      await worker.close();
    }
  }, 30_000);

  it('kill -9 of a worker mid-cell: the cell goes back to the queue and ends exactly once, on another worker', async () => {
    const s = settings();
    // node --import tsx (not the tsx CLI, which would run the script in a grandchild kill -9 does not reach)
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=omniprune-src', join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'stuck-worker.ts'), redis.url, s.prefix],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const queue = openCells(s);
    const runs: string[] = [];
    let rescuer: Worker | undefined;
    try {
      const ids = await enqueueJobs(queue, specs([cell('lost')]), { backoffMs: 10 });
      await new Promise<void>((started, failed) => {
        child.stdout!.on('data', (b: Buffer) => b.toString().includes('started lost') && started());
        child.once('exit', (code) => failed(new Error(`the worker process exited (${code}) before taking the cell`)));
      });
      child.kill('SIGKILL');
      rescuer = startCellWorker(s, {
        versions: VERSIONS,
        lockDurationMs: 1000,
        run: async (data) => {
          runs.push(data.cellId);
          return { report: { by: 'rescuer' }, log: '', seconds: 0 };
        },
      });
      const done: CellOutcome[] = [];
      await watchJobs(queue, ids, { pollMs: 100, onDone: (_, o) => void done.push(o) });
      expect(done).toHaveLength(1);
      expect(done[0].status === 'done' && done[0].result.report).toEqual({ by: 'rescuer' });
      expect(runs).toEqual(['lost']);
    } finally {
      child.kill('SIGKILL');
      await rescuer?.close();
      await queue.close();
    }
  }, 60_000);

  it('a worker with other versions refuses the job, naming both', async () => {
    const s = settings();
    let ran = false;
    const worker = startCellWorker(s, {
      versions: { '@omniprune/core': '0.2.0' },
      run: async () => {
        ran = true;
        return { report: {}, log: '', seconds: 0 };
      },
    });
    try {
      const [only] = await collect(s, [cell('x')]);
      expect(only.status).toBe('failed');
      expect(only.status === 'failed' && only.error).toMatch(
        /omniprune packages differ from the coordinator's \(worker\/coordinator: @omniprune\/core 0\.2\.0\/0\.1\.0\)/,
      );
      expect(ran).toBe(false);
    } finally {
      await worker.close();
    }
  }, 30_000);

  it('a study records its versions; another version is refused with exit-2 errors', async () => {
    const s = settings();
    const client = new Redis(redis.url);
    try {
      await claimStudy(client, s.prefix, VERSIONS, 'coordinator');
      await claimStudy(client, s.prefix, VERSIONS, 'worker');
      expect(JSON.parse((await client.hget(metaKey(s.prefix), 'versions'))!)).toEqual(VERSIONS);
      await expect(claimStudy(client, s.prefix, { '@omniprune/core': '9.0.0' }, 'coordinator')).rejects.toMatchObject({
        code: 'E_QUEUE',
        message: expect.stringMatching(/other omniprune packages \(this coordinator \/ the study: @omniprune\/core 9\.0\.0\/0\.1\.0\)/),
      });
      await claimStudy(client, `${s.prefix}-other`, { '@omniprune/core': '9.0.0' }, 'coordinator'); // another prefix is another study
    } finally {
      client.disconnect();
    }
  });

  it('unreachable Redis and a wrong password are E_QUEUE errors without the password', async () => {
    const secured = await startRedis({ password: 'right-pw' });
    try {
      expect(await checkRedis(parseRedisUrl(secured.url))).toMatch(/^\d+\.\d+/);
      const wrong = secured.url.replace('right-pw', 'wrong-pw');
      const err = await checkRedis(parseRedisUrl(wrong)).catch((e: Error) => e);
      expect(err).toMatchObject({ code: 'E_QUEUE', message: expect.stringMatching(/refused the credentials/) });
      expect((err as Error).message).not.toContain('wrong-pw');
      const none = await checkRedis(parseRedisUrl(secured.url.replace(':right-pw@', ''))).catch((e: Error) => e);
      expect(none).toMatchObject({ code: 'E_QUEUE', message: expect.stringMatching(/refused the credentials/) });
    } finally {
      await secured.stop();
    }
    const gone = await checkRedis(parseRedisUrl(`redis://127.0.0.1:${secured.port}`), 2000).catch((e: Error) => e);
    expect(gone).toMatchObject({ code: 'E_QUEUE', message: expect.stringMatching(/is unreachable/) });
  }, 30_000);
});
