import { describe, expect, it } from 'vitest';
import { closest, editDistance } from '../src/shared/strict-args.js';
import { runCliCaptured } from './run-cli.js';

describe('closest spelling', () => {
  it('edit distance and plausible misspellings only', () => {
    expect(editDistance('worker', 'workers')).toBe(1);
    expect(editDistance('wroker', 'worker')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(closest('wroker', ['worker', 'bench', 'run'])).toBe('worker');
    expect(closest('work', ['worker', 'workers'])).toBe('worker'); // a prefix counts as one edit; first of equals
    expect(closest('xyzzy', ['worker', 'bench'])).toBeUndefined();
  });
});

describe('strict command line (exit 2 before any work, naming the closest spelling)', () => {
  it.each([
    [['wroker', '--help'], /unknown command "wroker" for omniprune \(did you mean worker\?\)/],
    [['wroker'], /unknown command "wroker" for omniprune \(did you mean worker\?\)/],
    [['plugins', 'lst'], /unknown command "lst" for omniprune plugins \(did you mean list\?\)/],
    [['bench', 'grid.yaml', '--worker', '4'], /unknown option --worker for omniprune bench \(did you mean --workers\?\)/],
    [['bench', 'grid.yaml', '--queue', 'redis://x', '--bogus'], /unknown option --bogus for omniprune bench\n/],
    [['run', 'a.yaml', 'b.yaml'], /unexpected argument "b.yaml" for omniprune run \(it takes at most 1 positional argument\)/],
    [['run', 'a.yaml', '--out'], /option --out of omniprune run needs a value/],
    [['export', 'm.json', '--out', 'x.onnx', '--keep-batchnorm'], /unknown option --keep-batchnorm for omniprune export \(did you mean --keep-batch-norm\?\)/],
  ])('%j', async (argv, message) => {
    const r = await runCliCaptured(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/hint: run omniprune( \w+)? --help for usage/);
    expect(r.stdout).toBe('');
  });

  it('accepts --help, kebab and camel spellings, --no- for booleans and --flag=value', async () => {
    expect((await runCliCaptured(['worker', '--help'])).code).toBe(0);
    expect((await runCliCaptured(['run', '--help'])).stdout).toMatch(/--restart/);
    const r = await runCliCaptured(['inspect', '--zoo=resnet20', '--input-shape', '8,8,1', '--classes', '3', '--json', '--no-json']);
    expect(r.code, r.stderr).toBe(0);
  });
});
