import { execFileSync } from 'node:child_process';

/** Runs a command and returns its stdout (throws when it cannot start or fails). */
export type ExecCommand = (file: string, args: readonly string[]) => string;

/** The query giving each GPU's energy since the driver loaded, in millijoules, one line per GPU. */
export const NVIDIA_SMI_ARGS: readonly string[] = ['--query-gpu=total_energy_consumption', '--format=csv,noheader,nounits'];

/** `execFileSync` with a 10 s timeout, stderr ignored. */
export const execCommand: ExecCommand = (file, args) =>
  execFileSync(file, [...args], { timeout: 10_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });

/**
 * Total energy in joules from `nvidia-smi --query-gpu=total_energy_consumption --format=csv,noheader,nounits`
 * output (millijoules, one line per GPU), or null when a GPU does not report it (`[N/A]`, `[Not Supported]`: GPUs
 * before Volta) or there is no GPU line.
 * @example
 * parseNvidiaEnergy('1500\n2500\n') // 4 (joules)
 */
export function parseNvidiaEnergy(stdout: string): number | null {
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (lines.length === 0) return null;
  let mj = 0;
  for (const line of lines) {
    const v = Number(line);
    if (!Number.isFinite(v)) return null;
    mj += v;
  }
  return mj / 1000;
}

/**
 * All NVIDIA GPUs' cumulative energy in joules (NVML's counter, read with `nvidia-smi`), or why it is unavailable
 * (no `nvidia-smi`, no GPU, counter not supported). Never throws. Synchronous: it blocks for the command's run
 * (tens of milliseconds), so a reading can be taken exactly when a fine-tune starts.
 * @example
 * const r = readNvidiaEnergy(); if (r.ok) console.log(`${r.joules} J since the driver loaded`);
 */
export function readNvidiaEnergy(exec: ExecCommand = execCommand): { ok: true; joules: number } | { ok: false; reason: string } {
  let stdout: string;
  try {
    stdout = exec('nvidia-smi', NVIDIA_SMI_ARGS);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ok: false, reason: e.code === 'ENOENT' ? 'no nvidia-smi on PATH' : `nvidia-smi failed: ${String(e.message).split('\n')[0]}` };
  }
  const joules = parseNvidiaEnergy(stdout);
  return joules === null ? { ok: false, reason: `nvidia-smi reports no total_energy_consumption ("${stdout.trim().slice(0, 40)}")` } : { ok: true, joules };
}
