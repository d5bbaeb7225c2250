import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isOmnipruneError } from '../../src/errors/omniprune-error.js';
import { defaultDatasetCacheDir, downloadVerified, sha256Hex, type FetchLike } from '../../src/data/index.js';
import { cleanup, makeTempDir } from './fixtures.js';

const payload = new TextEncoder().encode('hello idx');
const good = sha256Hex(payload);

function fakeFetch(responses: Record<string, Uint8Array | number>): FetchLike & { calls: string[] } {
  const calls: string[] = [];
  const f = async (url: string) => {
    calls.push(url);
    const r = responses[url];
    if (r === undefined) throw new Error(`ECONNREFUSED ${url}`);
    if (typeof r === 'number') return { ok: false, status: r, arrayBuffer: async () => new ArrayBuffer(0) };
    return { ok: true, status: 200, arrayBuffer: async () => r.slice().buffer };
  };
  return Object.assign(f, { calls });
}

describe('downloadVerified', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
  });
  afterEach(async () => {
    await cleanup(dir);
  });

  it('falls through a failing mirror, verifies SHA-256 and writes atomically', async () => {
    const fetch = fakeFetch({ 'https://a/x.gz': 404, 'https://b/x.gz': payload });
    const dest = join(dir, 'sub', 'x.gz');
    await downloadVerified({ urls: ['https://a/x.gz', 'https://b/x.gz'], dest, sha256: good, fetch });
    expect(fetch.calls).toEqual(['https://a/x.gz', 'https://b/x.gz']);
    expect(new Uint8Array(await readFile(dest))).toEqual(payload);
    expect(await readdir(join(dir, 'sub'))).toEqual(['x.gz']);
  });

  it('rejects a wrong checksum with E_CORRUPT_FILE and writes nothing', async () => {
    const fetch = fakeFetch({ 'https://a/x.gz': payload });
    const dest = join(dir, 'x.gz');
    const err = await downloadVerified({ urls: ['https://a/x.gz'], dest, sha256: 'f'.repeat(64), fetch }).catch((e) => e);
    expect(isOmnipruneError(err, 'E_CORRUPT_FILE')).toBe(true);
    expect(err.message).toMatch(new RegExp(`SHA-256 ${good}, expected f{64}`));
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports unreachable mirrors and HTTP errors as E_FILE_NOT_FOUND', async () => {
    const fetch = fakeFetch({ 'https://b/x.gz': 503 });
    const err = await downloadVerified({ urls: ['https://a/x.gz', 'https://b/x.gz'], dest: join(dir, 'x'), sha256: good, fetch }).catch((e) => e);
    expect(isOmnipruneError(err, 'E_FILE_NOT_FOUND')).toBe(true);
    expect(err.message).toMatch(/ECONNREFUSED https:\/\/a\/x\.gz; https:\/\/b\/x\.gz: HTTP 503/);
  });

  it('picks the cache folder from the environment', () => {
    expect(defaultDatasetCacheDir({ OMNIPRUNE_CACHE_DIR: '/c' })).toBe('/c/datasets');
    expect(defaultDatasetCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/omniprune/datasets');
  });
});
