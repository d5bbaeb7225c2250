import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_ARGS, ROOT, TSX } from './spawn-cli.js';

/** The CLI in a child process under a 60 s timeout: a hang fails the test instead of stalling it. */
function omniprune(args: string[]) {
  const r = spawnSync(TSX, [...CLI_ARGS, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status, signal: r.signal, stderr: r.stderr };
}

describe('outputs that cannot be written: exit 2 before any work, naming the path, no hang', () => {
  it.each([
    [
      ['run', 'examples/quickstart.yaml', '--out', '/proc/omniprune-nope'],
      /output folder \/proc\/omniprune-nope cannot be used: a folder on the way cannot be created there/,
    ],
    [['export', 'examples/models/resnet20-fashion-mnist', '--out', '/proc/x.onnx'], /--out folder \/proc cannot be used/],
    [['train', '--zoo', 'resnet20', '--data', 'fashion-mnist', '--out', '/proc/omniprune-t'], /--out \/proc\/omniprune-t cannot be used/],
    [['compare', join('examples', 'models'), '--out', '/etc/passwd/c'], /--out \/etc\/passwd\/c cannot be used: a part of the path is a file, not a folder/],
  ])('%j', (args, message) => {
    const r = omniprune(args);
    expect(r.signal, 'the command hung and was killed').toBeNull();
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\.tmp|ENOENT| {4}at /);
  });
});

describe('failing commands end: exit 1 or 2 under a 60 s timeout, no stack trace', () => {
  it.each([
    [['validate', 'packages/cli/test/fixtures/does-not-exist.yaml'], 2, /no pipeline file at/],
    [['eval', 'packages/cli/test/fixtures/missing-model.json', '--data', 'mnist'], 2, /no model at/],
    [['bench', 'examples/bench-metrics.yaml', '--queue', 'redis://127.0.0.1:1/0', '--out', '/tmp/omniprune-unreachable'], 2, /is unreachable/],
    [['worker', '--queue', 'redis://127.0.0.1:1/0'], 2, /is unreachable/],
    [['run', 'examples/quickstart.yaml', '--queue', 'redis://127.0.0.1:1/0', '--out', '/tmp/omniprune-unreachable-run'], 2, /is unreachable/],
    [['export', 'package.json', '--out', '/tmp/omniprune-x.onnx'], 2, /is not a TF.js Layers model.json/],
  ])('%j', (args, code, message) => {
    const r = omniprune(args as string[]);
    expect(r.signal, 'the command hung and was killed').toBeNull();
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\.tmp| {4}at /);
  });
});
