import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { redisMissing, startRedis, type TestRedis } from '../../queue/test/redis-server.js';
import { spawnCli } from './spawn-cli.js';

/**
 * An `omniprune` child process whose stderr is kept. Started as `node --import tsx` (not the tsx CLI, which runs the
 * CLI in a grandchild): a kill -9 in a test must reach the process itself.
 */
export function cli(args: string[]): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawnCli(args, { cwd: process.cwd(), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
  });
  return { child, stderr: () => err, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
}

/**
 * A redis-server of the test file's own (started before its tests, stopped after), or why there is none; call at
 * the top of a test file and skip its suites with `describe.skipIf(redis.missing)`.
 * @example
 * const redis = useTestRedis(); describe.skipIf(redis.missing)('...', () => { ... redis.url() ... });
 */
export function useTestRedis(): { missing: string | undefined; url: () => string } {
  const missing = redisMissing();
  let server: TestRedis | undefined;
  beforeAll(async () => {
    if (!missing) server = await startRedis();
  });
  afterAll(async () => {
    await server?.stop();
  });
  return { missing, url: () => server!.url };
}
