import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWritableDir, writeFileAtomic } from '../../src/index.js';
import { makeDirs } from '../../src/util/index.js';

describe('output locations', () => {
  it('makeDirs creates nested folders and settles (rejects) under /proc, where Node 20 recursive mkdir never does', async () => {
    const base = await mkdtemp(join(tmpdir(), 'omniprune-dirs-'));
    await makeDirs(join(base, 'a', 'b', 'c'));
    expect(await readdir(join(base, 'a', 'b'))).toEqual(['c']);
    await makeDirs(join(base, 'a', 'b', 'c')); // exists: fine
    await expect(makeDirs('/proc/omniprune-nope/x')).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(join(base, 'file'), 'x');
    await expect(makeDirs(join(base, 'file', 'sub'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('checkWritableDir: exit-2 errors naming the folder and the reason', async () => {
    await expect(checkWritableDir('/proc/omniprune-nope', '--out')).rejects.toMatchObject({
      code: 'E_BAD_INPUT',
      message: expect.stringMatching(/^--out \/proc\/omniprune-nope cannot be used: a folder on the way cannot be created there/),
    });
    const base = await mkdtemp(join(tmpdir(), 'omniprune-dirs-'));
    await checkWritableDir(join(base, 'new', 'run'));
    expect(await readdir(join(base, 'new', 'run'))).toEqual([]); // the probe file is gone
  });

  it('a failed atomic write names the path asked for, never the temporary file, and leaves none', async () => {
    const err = await writeFileAtomic('/proc/omniprune-nope/model.onnx', 'x').catch((e: Error) => e);
    expect(err).toMatchObject({ code: 'E_WRITE', message: expect.stringMatching(/^cannot write \/proc\/omniprune-nope\/model\.onnx: /) });
    expect((err as Error).message).not.toMatch(/\.tmp/);
    const base = await mkdtemp(join(tmpdir(), 'omniprune-dirs-'));
    await writeFile(join(base, 'taken'), 'x');
    const blocked = await writeFileAtomic(join(base, 'taken', 'report.json'), 'x').catch((e: Error) => e);
    expect(blocked).toMatchObject({ code: 'E_WRITE', message: expect.stringMatching(/a part of the path is a file, not a folder/) });
    expect(await readdir(base)).toEqual(['taken']);
  });
});
