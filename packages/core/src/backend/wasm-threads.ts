import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Multi-threaded wasm in Node.
 *
 * tfjs-backend-wasm ships a threaded SIMD binary (XNNPACK on a pthreadpool of Web Workers) but disables it in
 * Node (`WASM_HAS_MULTITHREAD_SUPPORT` is false when `IS_NODE`, tfjs issue #3830) for three reasons, each worked
 * around here, only while the backend initialises:
 * 1. The pthread worker script is handed to Emscripten as a `blob:` URL, which Node's `worker_threads` cannot
 *    load, and the worker then `importScripts` the main script from another Blob. We write the worker script to a
 *    temp file (content-addressed, reused) that loads the package's `tfjs-backend-wasm-threaded-simd.js` from disk,
 *    and make `URL.createObjectURL` return that path for the worker Blob.
 * 2. The C++ side sizes the pool as `min(requested, os.cpus().length / 2)` (it assumes hyper-threading), i.e. one
 *    thread on a 2-core machine; `os.cpus` reports twice the cores during initialisation.
 * 3. Running pthreads keep Node's event loop alive; the workers are `unref()`ed so the process can exit.
 */

const WORKER_LOAD_MAIN =
  'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(' +
  'e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}';

interface EmscriptenWorker {
  unref(): void;
  loaded?: boolean;
}
interface PThreadPool {
  runningWorkers: EmscriptenWorker[];
  unusedWorkers: EmscriptenWorker[];
}

/** Directory of the installed `@tensorflow/tfjs-backend-wasm` package. */
function wasmPackageDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/** Write (once) the pthread worker script that Node's `worker_threads` can run; returns its path. */
function writeWorkerScript(): string {
  const dir = wasmPackageDir();
  const require = createRequire(import.meta.url);
  const source = (
    require(join(dir, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js')) as {
      wasmWorkerContents?: string;
    }
  ).wasmWorkerContents;
  if (typeof source !== 'string' || !source.includes(WORKER_LOAD_MAIN)) {
    throw new Error('unexpected tfjs-backend-wasm worker script (package version changed?)');
  }
  const mainScript = join(dir, 'wasm-out/tfjs-backend-wasm-threaded-simd.js');
  // The embedded script's "\n" escapes became newlines when the template literal was evaluated; restore them.
  const script = source.replace(WORKER_LOAD_MAIN, `importScripts(${JSON.stringify(mainScript)});`).replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 16);
  const path = join(os.tmpdir(), `omniprune-tfjs-wasm-worker-${hash}.cjs`);
  if (!existsSync(path) || readFileSync(path, 'utf8') !== script) {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, script);
    renameSync(tmp, path);
  }
  return path;
}

/**
 * Initialise the `wasm` backend with `threads` XNNPACK threads (the threaded SIMD binary). Resolves to the
 * thread count in use; rejects when the threaded binary cannot start, leaving the backend uninitialised so the
 * caller can fall back to the single-threaded binary.
 */
export async function initThreadedWasm(threads: number): Promise<number> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  const workerPath = writeWorkerScript();
  const createObjectURL = URL.createObjectURL;
  const cpus = os.cpus;
  URL.createObjectURL = (obj: Blob | MediaSource) => (obj instanceof Blob && obj.type === 'application/javascript' ? workerPath : createObjectURL(obj as Blob));
  os.cpus = () => {
    const real = cpus();
    return [...real, ...real];
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
  } finally {
    URL.createObjectURL = createObjectURL;
    os.cpus = cpus;
  }
  if (!ok) {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setThreadsCount(1);
    throw new Error('the threaded wasm binary failed to initialise');
  }
  const pool = (tf.backend() as unknown as { wasm?: { PThread?: PThreadPool } }).wasm?.PThread;
  if (pool) await startPool(pool);
  return wasm.getThreadsCount();
}

/**
 * Let the pool's threads start, then unref them. A pthread whose worker has not reported `loaded` yet only starts
 * when the event loop delivers that message; until then XNNPACK's work stealing silently runs everything on the
 * main thread, and a synchronous training loop never yields to the event loop.
 */
async function startPool(pool: PThreadPool, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pool.runningWorkers.some((w) => !w.loaded) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  for (const worker of [...pool.runningWorkers, ...pool.unusedWorkers]) worker.unref();
}
