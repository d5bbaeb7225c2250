import { Redis, type RedisOptions } from 'ioredis';
import { OmnipruneError } from '@omniprune/core';
import type { RedisTarget } from './redis-url.js';

/**
 * ioredis options for `target`, as BullMQ's queues and workers need them (`maxRetriesPerRequest: null`: a worker
 * waits out a Redis restart instead of failing its commands).
 * @example
 * new Queue('cells', { connection: redisOptions(parseRedisUrl(url)), prefix: 'omniprune' })
 */
export function redisOptions(target: RedisTarget): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.tls ? { tls: { servername: target.host } } : {}),
    maxRetriesPerRequest: null,
  };
}

/** The user's words for a failed connection: unreachable, refused password, or TLS trouble. */
function connectionError(target: RedisTarget, err: Error): OmnipruneError {
  const text = `${(err as { code?: string }).code ?? ''} ${err.message}`;
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(text)) {
    return new OmnipruneError('E_QUEUE', `Redis at ${target.display} refused the credentials (${err.message.split('\n')[0]})`, {
      hint: 'give the password in the URL (redis://:PASSWORD@host:port) or in REDIS_URL; check the user name for Redis ACLs',
    });
  }
  if (/EPROTO|SSL|TLS|certificate/i.test(text)) {
    return new OmnipruneError('E_QUEUE', `TLS connection to ${target.display} failed (${err.message.split('\n')[0]})`, {
      hint: 'rediss:// needs a Redis with TLS enabled; use redis:// for a plain one',
    });
  }
  return new OmnipruneError('E_QUEUE', `Redis at ${target.display} is unreachable (${err.message.split('\n')[0]})`, {
    hint: 'start it (redis-server --port PORT) or check host, port and firewall; the URL comes from --queue or REDIS_URL',
  });
}

/**
 * Connect to `target` once and fail fast (no retries, no offline queue): the check commands run before touching a
 * queue, so a wrong URL or password is an exit-2 error instead of endless reconnecting. The caller disconnects.
 * @throws OmnipruneError `E_QUEUE` naming the problem (unreachable, credentials, TLS)
 * @example
 * const client = await openRedis(target); try { await client.ping(); } finally { client.disconnect(); }
 */
export async function openRedis(target: RedisTarget, timeoutMs = 5000): Promise<Redis> {
  const client = new Redis({
    ...redisOptions(target),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // the cause (WRONGPASS, ECONNREFUSED) arrives as an 'error' event; connect() then rejects with "Connection is closed"
  let cause: Error | undefined;
  client.on('error', (err: Error) => {
    cause ??= err;
  });
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (err) {
    client.disconnect();
    throw connectionError(target, cause ?? (err as Error));
  }
}

/**
 * Check that `target` answers (see {@link openRedis}); returns the server's version.
 * @example
 * await checkRedis(parseRedisUrl('redis://localhost:6379')) // '7.0.15'
 */
export async function checkRedis(target: RedisTarget, timeoutMs = 5000): Promise<string> {
  const client = await openRedis(target, timeoutMs);
  try {
    const info = await client.info('server');
    return /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown';
  } finally {
    client.disconnect();
  }
}
