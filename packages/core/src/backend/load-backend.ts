import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from './backend-types.js';
import { registerWasmKernels } from './kernels/register-wasm-kernels.js';
import { initThreadedWasm } from './wasm-threads.js';

/** A backend that loaded: the TF.js backend name to activate and what was set up. */
export interface LoadedBackend {
  /** Name of the backend inside TF.js (`tensorflow` for both native packages). */
  tfBackend: string;
  /** XNNPACK threads (wasm only). */
  threads?: number;
  /** Remarks worth showing to the user, e.g. why wasm runs single-threaded. */
  notes: string[];
}

/** TF.js cannot use more than this many wasm threads (the size of the pre-created worker pool). */
const MAX_WASM_THREADS = 8;

/** The one-line reason `err` gives, shortened for a status line. */
export function shortReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (/tfjs_binding\.node/.test(message) && /can ?not be found/i.test(message)) {
    return 'native addon tfjs_binding.node is missing (the package was installed without its install script)';
  }
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(message)) {
    return 'package not installed';
  }
  const firstLine = message.split('\n').find((line) => line.trim() !== '') ?? 'unknown error';
  return firstLine.length > 160 ? `${firstLine.slice(0, 157)}...` : firstLine;
}

/**
 * Import a tfjs-node package. Its module registers ~150 `tensorflow` kernels before it finds out that the native
 * addon is missing; on failure those registrations are undone so a second attempt (tfjs-node after
 * tfjs-node-gpu) does not print a warning per kernel, and no half-registered backend is left behind.
 */
async function importNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node'): Promise<void> {
  const kernelsBefore = new Set(tf.getKernelsForBackend('tensorflow').map((k) => k.kernelName));
  const hadBackend = tf.findBackendFactory('tensorflow') != null;
  try {
    await import(pkg);
  } catch (err) {
    for (const { kernelName } of tf.getKernelsForBackend('tensorflow')) {
      if (!kernelsBefore.has(kernelName)) tf.unregisterKernel(kernelName, 'tensorflow');
    }
    if (!hadBackend && tf.findBackendFactory('tensorflow') != null) tf.removeBackend('tensorflow');
    throw err;
  }
}

async function activate(tfBackend: string): Promise<void> {
  if (!(await tf.setBackend(tfBackend))) {
    throw new Error(`tf.setBackend('${tfBackend}') failed (see the warning above)`);
  }
}

/**
 * Requested compute threads (wasm, and the onnxruntime runner the CLI starts): `threads`, else
 * `OMNIPRUNE_WASM_THREADS`, else the available cores (max 8).
 * @example
 * wasmThreadsWanted(undefined) // 2 on a 2-core machine
 */
export function wasmThreadsWanted(threads: number | undefined): number {
  const fromEnv = Number(process.env.OMNIPRUNE_WASM_THREADS);
  const wanted = threads ?? (Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : os.availableParallelism());
  return Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(wanted)));
}

async function loadWasm(threads: number | undefined): Promise<LoadedBackend> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmKernels();
  const notes: string[] = [];
  const wanted = wasmThreadsWanted(threads);
  if (tf.findBackend('wasm') == null && wanted > 1) {
    try {
      return { tfBackend: 'wasm', threads: await initThreadedWasm(wanted), notes };
    } catch (err) {
      notes.push(`single-threaded: ${shortReason(err)}`);
    }
  }
  await activate('wasm');
  return { tfBackend: 'wasm', threads: wasm.getThreadsCount(), notes };
}

async function loadCpu(): Promise<LoadedBackend> {
  await import('@tensorflow/tfjs-backend-cpu');
  await activate('cpu');
  // The cpu backend prints a "looks like you are running TensorFlow.js in Node.js" banner on first use; the
  // backend line of describeBackend already says why a native backend is not in use.
  const backend = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (backend && 'firstUse' in backend) backend.firstUse = false;
  return { tfBackend: 'cpu', notes: [] };
}

type NativeModule = typeof import('@omniprune/backend-native');

/** `@omniprune/backend-native` once its addon loaded. */
let nativeModule: NativeModule | undefined;
let nativeThreads = 1;

/** The wasm backend with the addon's oneDNN convolutions; throws with the reason when the addon is not built. */
async function loadNative(threads: number | undefined): Promise<LoadedBackend> {
  const mod = await import('@omniprune/backend-native');
  const addon = mod.loadNativeAddon();
  if (addon instanceof Error) throw addon;
  const wasm = await loadWasm(threads);
  nativeModule = mod;
  nativeThreads = wasmThreadsWanted(threads);
  const note = mod.enableNativeKernels({ threads: nativeThreads });
  nativeOn = true;
  return { ...wasm, notes: [...wasm.notes, note] };
}

let nativeOn = false;

/** Switch the native convolution kernels on or off (no-op before `native` has loaded). */
export function setNativeKernels(on: boolean): void {
  if (!nativeModule || on === nativeOn) return;
  if (on) nativeModule.enableNativeKernels({ threads: nativeThreads });
  else nativeModule.disableNativeKernels();
  nativeOn = on;
}

/** True while the native kernels replace wasm's. */
export function nativeKernelsOn(): boolean {
  return nativeOn;
}

/**
 * Import and initialise one backend (not activating it again when it already runs). Throws with the reason when
 * it cannot load.
 */
export async function loadBackend(name: BackendName, threads: number | undefined): Promise<LoadedBackend> {
  switch (name) {
    case 'tfjs-node-gpu':
      await importNative('@tensorflow/tfjs-node-gpu');
      await activate('tensorflow');
      return { tfBackend: 'tensorflow', notes: [] };
    case 'tfjs-node':
      await importNative('@tensorflow/tfjs-node');
      await activate('tensorflow');
      return { tfBackend: 'tensorflow', notes: [] };
    case 'native':
      return loadNative(threads);
    case 'wasm':
      return loadWasm(threads);
    case 'cpu':
      return loadCpu();
  }
}
