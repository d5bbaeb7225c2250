/**
 * `pnpm --filter @omniprune/cli bench:queue`: a bench grid four ways on this machine, wall time of each, in one run:
 * local with 1 and 2 worker processes, and over the job queue (a redis-server this script starts) with 1 and 2
 * `omniprune worker` processes. Reports the ratios to local mode and the queue's overhead per cell
 * ((queue with 1 worker - local with 1 worker) / cells: enqueueing, polling, the worker's start-up, result transfer).
 * Options: --bench FILE (default examples/bench-metrics.yaml) --metrics a,b --seeds 1,2 --max-iterations N
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse, stringify } from 'yaml';
import { startRedis } from '../../queue/test/redis-server.js';
import { cliCommand } from '../src/bench/cli-entry.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    bench: { type: 'string', default: resolve(here, '../../../examples/bench-metrics.yaml') },
    metrics: { type: 'string', default: 'linear-cka' },
    seeds: { type: 'string', default: '1,2,3' },
    'max-iterations': { type: 'string', default: '2' },
  },
});

/** Run `omniprune ARGS` to the end; resolves with its wall time in seconds (rejects on a non-zero exit). */
function omniprune(args: string[], env: NodeJS.ProcessEnv = {}): { done: Promise<number>; stop: () => void } {
  const { command, args: pre } = cliCommand();
  const start = performance.now();
  const child = spawn(command, [...pre, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env, FORCE_COLOR: '0' } });
  let err = '';
  child.stderr.on('data', (b: Buffer) => {
    err = (err + b.toString()).slice(-4000);
  });
  const done = new Promise<number>((ok, fail) =>
    child.on('close', (code) => (code === 0 ? ok((performance.now() - start) / 1000) : fail(new Error(`omniprune ${args[0]} exited ${code}: ${err}`)))),
  );
  return { done, stop: () => child.kill('SIGTERM') };
}

const source = resolve(values.bench!);
const spec = parse(await readFile(source, 'utf8')) as Record<string, unknown>;
const dir = await mkdtemp(join(tmpdir(), 'omniprune-queue-bench-'));
const bench = join(dir, 'bench.yaml');
const seeds = values.seeds!.split(',').map(Number);
const metrics = values.metrics!.split(',');
await writeFile(
  bench,
  stringify({
    ...spec,
    pipeline: resolve(dirname(source), String(spec.pipeline)),
    metrics,
    seeds,
    set: { ...(spec.set as object), 'stop.maxIterations': Number(values['max-iterations']) },
    output: join(dir, 'out'),
  }),
);
const cells = metrics.length * seeds.length;
console.log(`${values.bench}: ${metrics.join(',')} x seeds ${seeds.join(',')} = ${cells} cells, stop.maxIterations ${values['max-iterations']}`);
const redis = await startRedis();
const times: Record<string, number> = {};
try {
  for (const workers of [1, 2]) {
    times[`local x${workers}`] = await omniprune(['bench', bench, '--workers', String(workers), '--out', join(dir, `local${workers}`)]).done;
    console.log(`local, ${workers} worker process(es): ${times[`local x${workers}`].toFixed(1)} s`);
  }
  for (const workers of [1, 2]) {
    const prefix = `bench${workers}`;
    const threads = String(Math.max(1, Math.floor(2 / workers)));
    const pool = Array.from({ length: workers }, (_, i) =>
      omniprune(['worker', '--queue', redis.url, '--prefix', prefix, '--threads', threads, '--work-dir', join(dir, `w${workers}-${i}`)]),
    );
    try {
      times[`queue x${workers}`] = await omniprune(['bench', bench, '--queue', redis.url, '--prefix', prefix, '--out', join(dir, `queue${workers}`)]).done;
    } finally {
      for (const w of pool) w.stop();
      await Promise.allSettled(pool.map((w) => w.done));
    }
    console.log(`queue, ${workers} worker(s): ${times[`queue x${workers}`].toFixed(1)} s`);
  }
} finally {
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
const base = times['local x1'];
console.log('\nmode           wall s   vs local x1');
for (const [mode, t] of Object.entries(times)) console.log(`${mode.padEnd(12)} ${t.toFixed(1).padStart(8)}   ${(base / t).toFixed(2)}x`);
console.log(`queue overhead per cell: ${((times['queue x1'] - base) / cells).toFixed(2)} s (queue x1 - local x1, over ${cells} cells)`);
