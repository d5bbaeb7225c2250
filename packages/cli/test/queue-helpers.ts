import { afterAll, beforeAll } from 'vitest';
import { redisMissing, startRedis, type TestRedis } from '../../queue/test/redis-server.js';

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
