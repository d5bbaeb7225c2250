import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A redis-server of the tests' own, on a free port in a temp folder. */
export interface TestRedis {
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Why Redis tests cannot run here, or undefined when `redis-server` is installed. Under `OMNIPRUNE_REQUIRE_REDIS=1`
 * (`.ci/run`) or `CI`, a missing server is an error instead of a skip.
 */
export function redisMissing(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  const why = 'redis-server is not installed (apt-get install redis-server)';
  if (process.env.CI || process.env.OMNIPRUNE_REQUIRE_REDIS) throw new Error(`${why}: CI must run the queue tests`);
  return why;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });
}

/**
 * Start `redis-server` on a free port (no persistence, `requirepass` when given); resolves once it accepts
 * connections.
 * @example
 * const redis = await startRedis(); ...; await redis.stop();
 */
export async function startRedis(options: { password?: string } = {}): Promise<TestRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'omniprune-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  if (options.password) args.push('--requirepass', options.password);
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((ready, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/Ready to accept connections/.test(out)) {
        clearTimeout(timer);
        ready();
      }
    });
    child.on('exit', (code) => fail(new Error(`redis-server exited (${code}): ${out}`)));
  });
  const auth = options.password ? `:${options.password}@` : '';
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}/0`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
