import { BACKEND_NAMES, OmnipruneError, initBackend, type Backend } from '@omniprune/core';
import { describeBackend, type BackendName } from '@omniprune/core/backend';

/** `--backend` flag shared by every command that computes. */
export const backendArg = {
  backend: {
    type: 'string',
    description: `Compute backend: auto | ${BACKEND_NAMES.join(' | ')} (default: auto, or $OMNIPRUNE_BACKEND)`,
    default: 'auto',
  },
} as const;

/** Start the backend named by `--backend`, print which one is in use to stderr, and return it. */
export async function startBackend(choice: string | undefined, quiet = false): Promise<Backend> {
  // initBackend rejects unknown names with E_BAD_INPUT listing the valid ones
  const backend = await initBackend((choice ?? 'auto') as BackendName | 'auto');
  if (!quiet) process.stderr.write(`${describeBackend(backend)}\n`);
  return backend;
}

/** Parse a comma-separated list of positive integers, e.g. `32,32,3`. */
export function parseIntList(flag: string, value: string): number[] {
  const parts = value.split(',').map((s) => Number(s.trim()));
  if (parts.length === 0 || parts.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new OmnipruneError('E_BAD_INPUT', `--${flag} must be positive integers separated by commas, got "${value}"`, { hint: `e.g. --${flag} 32,32,3` });
  }
  return parts;
}

/** Parse a positive integer flag. */
export function parsePositiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new OmnipruneError('E_BAD_INPUT', `--${flag} must be a positive integer, got "${value}"`);
  return n;
}

/** Parse a positive number flag. */
export function parsePositiveNumber(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new OmnipruneError('E_BAD_INPUT', `--${flag} must be a positive number, got "${value}"`);
  return n;
}

/**
 * Parse `--normalize MEAN/STD` as PyTorch's `Normalize(mean, std)` values: `0.286/0.353` or `0.49,0.48,0.45/0.25,0.24,0.26`.
 * @example
 * parseNormalize('0.2860/0.3530') // { mean: [0.286], std: [0.353] }
 */
export function parseNormalize(value: string): { mean: number[]; std: number[] } {
  const [m, s, extra] = value.split('/');
  const nums = (part: string | undefined): number[] => (part ?? '').split(',').map((x) => Number(x.trim()));
  const mean = nums(m);
  const std = nums(s);
  if (extra !== undefined || s === undefined || mean.some((x) => !Number.isFinite(x)) || std.some((x) => !(x > 0)) || mean.length !== std.length) {
    throw new OmnipruneError('E_BAD_INPUT', `--normalize must be MEAN/STD with as many std values (> 0) as means, got "${value}"`, {
      hint: 'e.g. --normalize 0.2860/0.3530 (one channel) or --normalize 0.485,0.456,0.406/0.229,0.224,0.225',
    });
  }
  return { mean, std };
}
