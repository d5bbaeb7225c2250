import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { corruptFile, fileNotFound } from './data-errors.js';

/** The subset of the WHATWG `fetch` signature the downloader uses (injectable for tests). */
export type FetchLike = (
  url: string,
  init: { signal: AbortSignal },
) => Promise<{
  ok: boolean;
  status: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

/** Options of {@link downloadVerified}. */
export interface DownloadOptions {
  /** Mirrors tried in order until one serves a file with the right checksum. */
  urls: readonly string[];
  /** Final path; written atomically (temp file in the same folder, then rename). */
  dest: string;
  /** Expected lowercase hex SHA-256 of the downloaded bytes. */
  sha256: string;
  /** Per-request timeout in ms; default `120000`. */
  timeoutMs?: number;
  /** `fetch` implementation; default the global `fetch` of Node 20. */
  fetch?: FetchLike;
}

/**
 * Folder where downloaded datasets are cached: `$OMNIPRUNE_CACHE_DIR/datasets`, else
 * `$XDG_CACHE_HOME/omniprune/datasets`, else `~/.cache/omniprune/datasets`.
 * @example
 * join(defaultDatasetCacheDir(), 'mnist'); // e.g. /home/me/.cache/omniprune/datasets/mnist
 */
export function defaultDatasetCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OMNIPRUNE_CACHE_DIR) return join(env.OMNIPRUNE_CACHE_DIR, 'datasets');
  const base = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'omniprune', 'datasets');
}

/**
 * Lowercase hex SHA-256 of some bytes.
 * @example
 * sha256Hex(new Uint8Array()); // 'e3b0c442...'
 */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Download a file, verify its SHA-256 and write it atomically, trying each mirror in turn.
 * Nothing is written unless the checksum matches, and no partial file is ever left at `dest`.
 * @throws OmnipruneError `E_CORRUPT_FILE` when every mirror served bytes with the wrong checksum,
 *   `E_FILE_NOT_FOUND` when no mirror could be reached (offline, timeout, HTTP error)
 * @example
 * await downloadVerified({ urls: ['https://example.org/a.gz'], dest: '/tmp/a.gz', sha256: 'ab12...' });
 */
export async function downloadVerified(options: DownloadOptions): Promise<void> {
  const doFetch: FetchLike = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
  const timeoutMs = options.timeoutMs ?? 120_000;
  const failures: string[] = [];
  let checksumMismatch = false;
  for (const url of options.urls) {
    let bytes: Uint8Array;
    try {
      const res = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) {
        failures.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (err) {
      failures.push(`${url}: ${(err as Error).message}`);
      continue;
    }
    const actual = sha256Hex(bytes);
    if (actual !== options.sha256) {
      checksumMismatch = true;
      failures.push(`${url}: SHA-256 ${actual}, expected ${options.sha256}`);
      continue;
    }
    await writeFileAtomic(options.dest, bytes);
    return;
  }
  const detail = failures.join('; ');
  if (checksumMismatch) {
    throw corruptFile(
      options.dest,
      `downloaded file failed SHA-256 verification (${detail})`,
      'a mirror serves a different file: download the official file yourself and set data.path to its folder',
    );
  }
  throw fileNotFound(
    options.dest,
    `dataset file (download failed: ${detail})`,
    'this machine may be offline: install Debian package dataset-fashion-mnist or set data.path to a folder with the IDX files',
  );
}
