import { OmnipruneError } from '@omniprune/core';
import { openRedis } from './connection.js';
import type { RedisTarget } from './redis-url.js';

/** Package name -> version of the omniprune packages a study runs with. */
export type Versions = Readonly<Record<string, string>>;

/**
 * The packages whose versions differ between `ours` and `theirs` (present in either), as `name ours/theirs`; empty
 * when they agree.
 * @example
 * versionDifferences({ '@omniprune/core': '0.1.0' }, { '@omniprune/core': '0.2.0' }) // ['@omniprune/core 0.1.0/0.2.0']
 */
export function versionDifferences(ours: Versions, theirs: Versions): string[] {
  const names = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].sort();
  return names.filter((n) => ours[n] !== theirs[n]).map((n) => `${n} ${ours[n] ?? 'missing'}/${theirs[n] ?? 'missing'}`);
}

/** The two Redis hash commands the study metadata needs (an ioredis client, or BullMQ's `queue.client`). */
export interface MetaClient {
  hsetnx(key: string, field: string, value: string): Promise<number>;
  hget(key: string, field: string): Promise<string | null>;
}

/** The Redis key of a study's metadata (the versions it was started with). */
export const metaKey = (prefix: string): string => `${prefix}:omniprune:meta`;

/**
 * Record `versions` as the study's (first caller), or check them against the recorded ones.
 * @throws OmnipruneError `E_QUEUE` when the study at `prefix` was started by other versions
 * @example
 * await claimStudy(client, 'omniprune', versions, 'coordinator');
 */
export async function claimStudy(client: MetaClient, prefix: string, versions: Versions, role: 'coordinator' | 'worker'): Promise<void> {
  const key = metaKey(prefix);
  if (role === 'coordinator') await client.hsetnx(key, 'versions', JSON.stringify(versions));
  const recorded = await client.hget(key, 'versions');
  if (!recorded) return; // a worker started before any coordinator: checked again per job
  const diff = versionDifferences(versions, JSON.parse(recorded) as Versions);
  if (diff.length > 0) {
    throw new OmnipruneError(
      'E_QUEUE',
      `the queue at prefix "${prefix}" belongs to a study started with other omniprune packages (this ${role} / the study: ${diff.join(', ')})`,
      {
        hint:
          role === 'worker'
            ? 'install the same omniprune version as the coordinator on this machine'
            : 'use another --prefix for this study, or install the versions the study was started with',
      },
    );
  }
}

/**
 * Connect to `target` (fail fast), {@link claimStudy} and disconnect: the check a coordinator or worker makes before
 * touching a study's queues.
 * @throws OmnipruneError `E_QUEUE` when Redis cannot be reached or the study belongs to other versions
 * @example
 * await claimStudyAt(parseRedisUrl(url), 'omniprune', versions, 'worker');
 */
export async function claimStudyAt(target: RedisTarget, prefix: string, versions: Versions, role: 'coordinator' | 'worker'): Promise<void> {
  const client = await openRedis(target);
  try {
    await claimStudy(client, prefix, versions, role);
  } finally {
    client.disconnect();
  }
}
