import * as tf from '@tensorflow/tfjs-core';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { type Backend, type BackendAttempt, type BackendName, BACKEND_NAMES, type InitBackendOptions } from './backend-types.js';
import { registerGradientOverrides } from './kernels/tile-gradient.js';
import { type LoadedBackend, loadBackend, nativeKernelsOn, setNativeKernels, shortReason } from './load-backend.js';

/** Environment variable that replaces `'auto'` with an explicit backend. */
export const BACKEND_ENV_VAR = 'OMNIPRUNE_BACKEND';

const PLUGIN = 'backend';

/** What to do when an explicitly chosen backend cannot load. */
const HINTS: Record<BackendName, string> = {
  'tfjs-node-gpu':
    'build its native addon (npm rebuild @tensorflow/tfjs-node-gpu --build-addon-from-source; needs ' + 'CUDA), or choose backend auto to fall back to wasm',
  'tfjs-node': 'run its install script (npm rebuild @tensorflow/tfjs-node), or choose backend auto to fall back to ' + 'wasm',
  native: 'install g++ and libdnnl-dev (Debian), then pnpm --filter @omniprune/backend-native build:native; or choose ' + 'backend auto to fall back to wasm',
  wasm: 'reinstall @tensorflow/tfjs-backend-wasm, or choose backend cpu',
  cpu: 'reinstall @tensorflow/tfjs-backend-cpu',
};

/** One load attempt per backend and process: native imports are slow and their failure is permanent. */
const attempts = new Map<BackendName, Promise<LoadedBackend>>();

function attempt(name: BackendName, threads: number | undefined): Promise<LoadedBackend> {
  let loaded = attempts.get(name);
  if (!loaded) {
    loaded = loadBackend(name, threads);
    attempts.set(name, loaded);
  }
  return loaded;
}

function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}

function checkName(value: string, source: string): BackendName | 'auto' {
  if (value === 'auto' || isBackendName(value)) return value;
  throw new OmnipruneError('E_BAD_INPUT', `${source} "${value}" is not a backend`, {
    plugin: PLUGIN,
    hint: `use one of: auto, ${BACKEND_NAMES.join(', ')}`,
  });
}

/**
 * Load `name` (once) and make it the active TF.js backend (cheap when it already is). `native` and `wasm` share the
 * TF.js wasm backend: the native convolution kernels are switched on for `native` and off for `wasm`.
 */
async function use(name: BackendName, threads: number | undefined): Promise<LoadedBackend> {
  if (name === 'wasm') setNativeKernels(false);
  const loaded = await attempt(name, threads);
  if (name === 'native') setNativeKernels(true);
  if (tf.getBackend() !== loaded.tfBackend && !(await tf.setBackend(loaded.tfBackend))) {
    throw new Error(`tf.setBackend('${loaded.tfBackend}') failed`);
  }
  return loaded;
}

function toBackend(name: BackendName, loaded: LoadedBackend, tried: BackendAttempt[], notes: string[], threads: number | undefined): Backend {
  return Object.freeze({
    name,
    tfBackend: loaded.tfBackend,
    tried,
    notes: [...notes, ...loaded.notes],
    ...(loaded.threads === undefined ? {} : { threads: loaded.threads }),
    activate: async () => void (await use(name, threads)),
    isActive: () => tf.getBackend() === loaded.tfBackend && (loaded.tfBackend !== 'wasm' || nativeKernelsOn() === (name === 'native')),
  });
}

/**
 * Select, load and activate the TF.js backend; the one place omniprune does so. Returns the backend as a value:
 * hand it to `runPipeline` and the trainer (`fit(..., { backend })`), which activate it before they compute. Kernel registration (omniprune's
 * wasm training kernels) and gradient fixes (a linear-time `Tile` gradient) happen here, never on import.
 *
 * `'auto'` (default) tries `tfjs-node-gpu`, `tfjs-node`, `native`, `wasm`, `cpu` in that order and records one short reason
 * per backend it skipped; the environment variable `OMNIPRUNE_BACKEND` replaces `'auto'`. An explicit backend
 * that cannot load throws `E_BACKEND` with a hint; an unknown name throws `E_BAD_INPUT`. Calling again is cheap:
 * each backend is loaded at most once per process, later calls only re-activate it.
 *
 * @param choice backend to use, default `'auto'`
 * @param options `threads`: wasm XNNPACK threads (default: all cores, at most 8)
 * @example
 * const info = await initBackend();
 * console.log(describeBackend(info)); // backend: wasm, 2 threads (tfjs-node-gpu unavailable: ...; ...)
 */
export async function initBackend(choice: BackendName | 'auto' = 'auto', options: InitBackendOptions = {}): Promise<Backend> {
  let resolved = checkName(choice, 'backend');
  const notes: string[] = [];
  const fromEnv = process.env[BACKEND_ENV_VAR]?.trim();
  if (resolved === 'auto' && fromEnv) {
    resolved = checkName(fromEnv, BACKEND_ENV_VAR);
    if (resolved !== 'auto') notes.push(`chosen by ${BACKEND_ENV_VAR}`);
  }
  if (resolved !== 'auto') {
    try {
      return toBackend(resolved, await withOverrides(use(resolved, options.threads)), [], notes, options.threads);
    } catch (err) {
      throw new OmnipruneError('E_BACKEND', `backend ${resolved} is unavailable: ${shortReason(err)}`, {
        plugin: PLUGIN,
        hint: HINTS[resolved],
        cause: err,
      });
    }
  }
  const tried: BackendAttempt[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      return toBackend(name, await withOverrides(use(name, options.threads)), tried, notes, options.threads);
    } catch (err) {
      tried.push({ name, error: shortReason(err) });
    }
  }
  throw new OmnipruneError('E_BACKEND', `no TF.js backend could be loaded (${describeAttempts(tried)})`, {
    plugin: PLUGIN,
    hint: 'reinstall @tensorflow/tfjs-backend-cpu and @tensorflow/tfjs-backend-wasm',
  });
}

function describeAttempts(tried: readonly BackendAttempt[]): string {
  return tried.map((t) => `${t.name} unavailable: ${t.error}`).join('; ');
}

/**
 * Our gradient overrides (one-pass Tile gradient), registered after a backend is loaded: a failed tfjs-node
 * import re-registers tfjs's own gradients, and its per-tile Slice/Add Tile gradient made a ViT training step
 * 10x slower (304k Slice calls per epoch of 1,024 images).
 */
async function withOverrides<T>(loading: Promise<T>): Promise<T> {
  try {
    return await loading;
  } finally {
    registerGradientOverrides();
  }
}

/**
 * One line for logs and reports: the backend, its threads, and why the better backends were skipped.
 * @example
 * describeBackend(await initBackend());
 * // "backend: wasm, 2 threads (tfjs-node-gpu unavailable: native addon ...; tfjs-node unavailable: ...)"
 */
export function describeBackend(info: Omit<Backend, 'activate' | 'isActive'>): string {
  const threads = info.threads === undefined ? '' : `, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
  const details = [describeAttempts(info.tried), ...info.notes].filter((s) => s !== '');
  return `backend: ${info.name}${threads}${details.length > 0 ? ` (${details.join('; ')})` : ''}`;
}
