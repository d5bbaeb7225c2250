import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** tsx, to run the CLI from source in a child process. */
export const TSX = join(ROOT, 'node_modules/.bin/tsx');
/** The CLI entry. */
export const BIN = join(ROOT, 'packages/cli/src/bin.ts');
/** Arguments before the CLI's own: `spawn(TSX, [...CLI_ARGS, 'run', file])`. */
export const CLI_ARGS = ['--conditions=omniprune-src', BIN];

/** Poll `check` every 200 ms until it holds; throw after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Start the CLI from source as ONE process (node with tsx's loader, not the tsx CLI, which runs the CLI in a child a
 * `kill -9` of the returned process would not reach): use it wherever a test kills the process.
 * @example
 * const child = spawnCli(['run', file, '--out', out], { stdio: 'ignore' }); child.kill('SIGKILL');
 */
export function spawnCli(args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ...CLI_ARGS, ...args], { cwd: ROOT, ...options });
}

/**
 * {@link spawnCli} with stderr kept (stdin and stdout ignored, no colours): `stderr()` is everything it wrote so far,
 * `exited` its exit code.
 * @example
 * const worker = cliWithStderr(['worker', '--queue', url]); await waitFor(async () => /ready/.test(worker.stderr()), 5000);
 */
export function cliWithStderr(args: readonly string[]): { child: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const child = spawnCli(args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
  });
  return { child, stderr: () => err, exited: new Promise((r) => child.once('exit', (code) => r(code))) };
}
