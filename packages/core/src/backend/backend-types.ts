/** Backends omniprune can run on, in the order `'auto'` tries them. */
export const BACKEND_NAMES = ['tfjs-node-gpu', 'tfjs-node', 'native', 'wasm', 'cpu'] as const;

/**
 * A compute backend: the native TensorFlow bindings (GPU or CPU), `native` (the wasm backend with its convolutions
 * on oneDNN through `@omniprune/backend-native`'s addon), WebAssembly (XNNPACK), or plain JavaScript.
 */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** A backend that `'auto'` tried and could not use. */
export interface BackendAttempt {
  /** The backend tried. */
  name: BackendName;
  /** One short reason, e.g. `native addon tfjs_binding.node is missing (...)`. */
  error: string;
}

/** Result of {@link initBackend}: which backend runs and why the better ones do not. */
export interface BackendInfo {
  /** The backend in use. */
  name: BackendName;
  /** Its name inside TF.js (`tf.getBackend()`): `tensorflow`, `wasm` or `cpu`. */
  tfBackend: string;
  /** Backends tried before `name`, best first (empty for an explicit choice). */
  tried: BackendAttempt[];
  /** Threads of the wasm backend's XNNPACK pool (wasm only). */
  threads?: number;
  /** Remarks, e.g. why wasm runs single-threaded. */
  notes: string[];
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * wasm only: XNNPACK threads, used when wasm is first initialised in the process (later calls cannot change
   * it). Default: `OMNIPRUNE_WASM_THREADS`, else `os.availableParallelism()`, at most 8; 1 = single-threaded.
   */
  threads?: number;
}

/**
 * A compute backend as a value (what {@link initBackend} returns): which backend, and `activate()` to make it the one
 * TF.js computes on. TF.js has one active backend per process; whoever runs work on a backend (the orchestrator,
 * the trainer) activates the one it was given, so another component choosing another backend in between cannot
 * silently change where that work runs (`native` and `wasm` share the wasm backend and differ by kernels).
 */
export interface Backend extends BackendInfo {
  /** Make this backend the active one (switching native kernels on or off); cheap when it already is. */
  activate(): Promise<void>;
  /** True when TF.js currently computes on this backend (with this backend's kernels). */
  isActive(): boolean;
}
