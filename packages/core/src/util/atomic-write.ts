import { randomUUID } from 'node:crypto';
import { access, constants, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, basename, resolve } from 'node:path';
import { OmnipruneError } from '../errors/omniprune-error.js';

/**
 * `mkdir -p` that cannot hang: Node 20's `mkdir(dir, { recursive: true })` never settles for a path under `/proc`
 * (the kernel answers ENOENT for a folder whose parent exists, and Node retries forever). Creates the missing
 * folders one by one from the nearest existing one; the first failure is thrown.
 * @example
 * await makeDirs('runs/a/b');
 */
export async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    const s = await stat(at).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? null : Promise.reject(e)));
    if (s) {
      if (!s.isDirectory()) throw Object.assign(new Error(`${at} is not a folder`), { code: 'ENOTDIR' });
      break;
    }
    missing.unshift(at);
    if (dirname(at) === at) break;
    at = dirname(at);
  }
  for (const d of missing) {
    await mkdir(d).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
    });
  }
}

/** What the user can do about a failed write, by errno. */
function writeHint(code: string | undefined): string {
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'free disk space, or choose an output on another disk; the run resumes from its last finished iteration';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'choose an output folder you can write to';
  return 'choose another output location';
}

/** The reason of a failed write in the user's words. */
function writeReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is exceeded',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOENT: 'a folder on the way cannot be created there',
    ENOTDIR: 'a part of the path is a file, not a folder',
  };
  return reasons[e.code ?? ''] ?? e.code ?? e.message;
}

/**
 * A failed write as the user should see it: the path they asked for (never a temporary file), the reason, what to do.
 * @example
 * throw writeError('runs/x/report.json', err);
 */
export function writeError(path: string, err: unknown): OmnipruneError {
  return new OmnipruneError('E_WRITE', `cannot write ${path}: ${writeReason(err)}`, { cause: err, hint: writeHint((err as NodeJS.ErrnoException).code) });
}

/**
 * Check before any work that `dir` can be created (or exists) and is writable, so a bad output location fails at once
 * with exit 2 instead of after a long computation.
 * @throws OmnipruneError `E_BAD_INPUT` naming the folder, the reason and what to do
 * @example
 * await checkWritableDir(outDir, '--out');
 */
export async function checkWritableDir(dir: string, what = 'output folder'): Promise<void> {
  try {
    await makeDirs(dir);
    await access(dir, constants.W_OK);
    const probe = join(dir, `.omniprune-probe.${process.pid}.${randomUUID()}`);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (err) {
    throw new OmnipruneError('E_BAD_INPUT', `${what} ${dir} cannot be used: ${writeReason(err)}`, {
      cause: err,
      hint: 'choose a folder you can create and write to',
    });
  }
}

/**
 * Write a file atomically: write a temporary sibling, then rename over the target.
 * A crash leaves either the old file or the new one, never a torn one. A failure removes the temporary file and is an
 * `E_WRITE` error naming `path` (exit 1).
 * @example
 * await writeFileAtomic('out/report.json', JSON.stringify(report));
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await makeDirs(dirname(path)).catch((err) => {
    throw writeError(path, err);
  });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomUUID()}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw writeError(path, err);
  }
}

/**
 * Replace a directory atomically: `fill` writes into a temporary sibling, which is then renamed into place.
 * @example
 * await replaceDirAtomic('out/final', async (tmp) => saveModelFiles(model, tmp));
 */
export async function replaceDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  const parent = dirname(dir);
  await makeDirs(parent).catch((err) => {
    throw writeError(dir, err);
  });
  const tmp = join(parent, `.${basename(dir)}.${process.pid}.${randomUUID()}.tmp`);
  const old = join(parent, `.${basename(dir)}.${process.pid}.${Date.now()}.old`);
  try {
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp, { recursive: true });
    await fill(tmp);
    await rename(dir, old).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    await rename(tmp, dir);
    await rm(old, { recursive: true, force: true });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err instanceof OmnipruneError ? err : writeError(dir, err);
  }
}
