import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../run-cli.js';
import { FUZZ_RUNS } from './fuzz-settings.js';

const COMMANDS = [
  'inspect',
  'train',
  'run',
  'validate',
  'eval',
  'plugins',
  'plugins list',
  'plugins schema',
  'bench',
  'export',
  'compare',
  'worker',
  'wroker',
  'runn',
  '',
];
const FLAGS = [
  '--out',
  '--backend',
  '--runner',
  '--only',
  '--restart',
  '--queue',
  '--prefix',
  '--workers',
  '--worker',
  '--zoo',
  '--data',
  '--epochs',
  '--lr',
  '--seed',
  '--json',
  '--no-json',
  '--levels',
  '--layout',
  '--evaluate',
  '--reference',
  '--normalize',
  '--input-shape',
  '--classes',
  '--concurrency',
  '--threads',
  '--lock-seconds',
  '--format',
  '--bogus',
  '-x',
  '--',
  '--help',
];
/** Values that never start real work: missing or broken files, bad numbers, odd strings (no valid zoo/data names). */
const value = fc.oneof(
  fc.constantFrom(
    'missing.yaml',
    'broken.yaml',
    'garbage.onnx',
    'empty.json',
    '/proc/omniprune-x',
    '',
    '-1',
    '0',
    'NaN',
    '1e309',
    'redis://127.0.0.1:1/0',
    'http://x',
    'a,b',
    '32,32',
  ),
  fc.string({ maxLength: 12 }),
);
const argv = fc
  .tuple(fc.constantFrom(...COMMANDS), fc.array(fc.oneof(fc.constantFrom(...FLAGS), value), { maxLength: 6 }))
  .map(([cmd, rest]) => [...cmd.split(' ').filter(Boolean), ...rest]);

let cwd: string;
const home = process.cwd();
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'omniprune-fuzz-cli-'));
  process.chdir(cwd);
  await writeFile('broken.yaml', 'name: [unclosed\n  pruners: {');
  await writeFile('garbage.onnx', Buffer.from([8, 1, 0x12, 0xff, 0xff, 0x7f, 1, 2, 3]));
  await writeFile('empty.json', '');
});
afterAll(() => process.chdir(home));

/** `p` or a rejection after `ms`: an in-process command that never settles fails the property as a hang. */
function withinMs<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`hung for ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}

describe(`fuzz: command lines (${FUZZ_RUNS} cases)`, () => {
  it('exit code 0, 1 or 2, no stack trace or raw TypeError, no hang, nothing written but what --out named', async () => {
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        const before = new Set(await readdir(cwd));
        const r = await withinMs(runCliCaptured(args), 60_000);
        expect([0, 1, 2], `${JSON.stringify(args)}: ${r.stderr}`).toContain(r.code);
        expect(r.stderr, JSON.stringify(args)).not.toMatch(/\n\s+at \S+ \(|^(TypeError|RangeError|ReferenceError|SyntaxError)\b/m);
        const created = (await readdir(cwd)).filter((f) => !before.has(f));
        const named = new Set(args.flatMap((a, i) => (args[i - 1] === '--out' ? [a.split('/')[0]] : [])));
        expect(
          created.filter((f) => !named.has(f)),
          JSON.stringify(args),
        ).toEqual([]);
      }),
    );
  });
});
