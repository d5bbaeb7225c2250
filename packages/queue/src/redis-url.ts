import { OmnipruneError } from '@omniprune/core';

/** Where a queue lives: the ioredis connection options a `redis://` / `rediss://` URL names. */
export interface RedisTarget {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username?: string;
  readonly password?: string;
  /** TLS (`rediss://`). */
  readonly tls: boolean;
  /** The URL with the password replaced by `***`, for logs and messages. */
  readonly display: string;
}

/**
 * Parse `redis://[user[:password]@]host[:port][/db]` or `rediss://...` (TLS). Without a password in the URL,
 * `REDIS_PASSWORD` is used when set. Never put the password in messages: use `display`.
 * @throws OmnipruneError `E_BAD_INPUT` naming what is wrong
 * @example
 * parseRedisUrl('redis://:s3cret@10.0.0.5:6380/2') // { host: '10.0.0.5', port: 6380, db: 2, password: 's3cret', tls: false, display: 'redis://:***@10.0.0.5:6380/2' }
 */
export function parseRedisUrl(text: string, env: NodeJS.ProcessEnv = process.env): RedisTarget {
  const bad = (why: string) =>
    new OmnipruneError('E_BAD_INPUT', `bad queue URL ${redact(text)}: ${why}`, {
      hint: 'use redis://[user[:password]@]host[:port][/db] or rediss:// for TLS, e.g. redis://localhost:6379/0',
    });
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('not a URL');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw bad(`scheme ${url.protocol.replace(/:$/, '')} is not redis or rediss`);
  if (!url.hostname) throw bad('no host');
  const port = url.port ? Number(url.port) : 6379;
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) throw bad(`database "${path}" is not a number`);
  const db = path === '' ? 0 : Number(path);
  if (url.search || url.hash) throw bad('query strings and fragments are not supported');
  const password = url.password ? decodeURIComponent(url.password) : env.REDIS_PASSWORD || undefined;
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port, db, username, password, tls: url.protocol === 'rediss:', display: redact(text) };
}

/**
 * The queue URL from `--queue` or, when it is absent or empty, `REDIS_URL`; undefined when neither is set.
 * @example
 * queueUrl(args.queue) // 'redis://localhost:6379'
 */
export function queueUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return flag || env.REDIS_URL || undefined;
}

/**
 * `text` with any password between `:` and `@` of its authority replaced by `***`.
 * @example
 * redact('redis://u:pw@h:1/0') // 'redis://u:***@h:1/0'
 */
export function redact(text: string): string {
  return text.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
