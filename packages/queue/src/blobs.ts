import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { OmnipruneError } from '@omniprune/core';

/** Blobs expire after a week: long enough for any run to read them, short enough not to fill Redis. */
const TTL_SECONDS = 7 * 24 * 3600;

/**
 * Store `bytes` under `PREFIX:blob:SHA256` (content-addressed: the same bytes are stored once) and return the key.
 * @example
 * const key = await putBlob(redis, 'omniprune', await modelToBytes(parent));
 */
export async function putBlob(client: Redis, prefix: string, bytes: Uint8Array): Promise<string> {
  const key = `${prefix}:blob:${createHash('sha256').update(bytes).digest('hex')}`;
  await client.set(key, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', TTL_SECONDS);
  return key;
}

/**
 * The bytes stored under `key`.
 * @throws OmnipruneError `E_QUEUE` when the blob is gone (expired or flushed)
 * @example
 * const parent = await modelFromBytes(await getBlob(redis, job.data.parentBlob));
 */
export async function getBlob(client: Redis, key: string): Promise<Buffer> {
  const bytes = await client.getBuffer(key);
  if (!bytes) throw new OmnipruneError('E_QUEUE', `blob ${key} is not in Redis (expired or flushed)`, { hint: 'run the command again: it stores it anew' });
  return bytes;
}
