import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled addon (`native/*.cc`): oneDNN kernels in place on a heap, by byte offsets. */
export interface NativeAddon {
  /** `y = conv(x, w) [+ bias] [relu]`: a = x, b = w (HWIO), out = y; NHWC; `bias` -1 for none. */
  conv2d(heap: Uint8Array, x: number, w: number, y: number, dims: Int32Array, bias?: number, relu?: boolean): void;
  /** `dx`: a = dy, b = w, out = dx. */
  conv2dBackpropInput(heap: Uint8Array, dy: number, w: number, dx: number, dims: Int32Array): void;
  /** `dw` (HWIO): a = x, b = dy, out = dw. */
  conv2dBackpropFilter(heap: Uint8Array, x: number, dy: number, dw: number, dims: Int32Array): void;
  /** Batch statistics over `shape[0]` rows of `shape[1]` channels: y, mean, variance (biased) from x, gamma, beta. */
  batchNormTrain(heap: Uint8Array, shape: Int32Array, epsilon: number, x: number, gamma: number, beta: number, y: number, mean: number, variance: number): void;
  /** Its gradient: dx, dgamma, dbeta from dy and the forward's x, gamma, mean, variance. */
  batchNormGrad(
    heap: Uint8Array,
    shape: Int32Array,
    epsilon: number,
    dy: number,
    x: number,
    gamma: number,
    mean: number,
    variance: number,
    dx: number,
    dgamma: number,
    dbeta: number,
  ): void;
  /** Batch normalisation with given statistics: y from x, mean, variance, gamma, beta. */
  batchNormInfer(heap: Uint8Array, shape: Int32Array, epsilon: number, x: number, mean: number, variance: number, gamma: number, beta: number, y: number): void;
  /** `y = max(x, 0)` over `count` floats. */
  relu(heap: Uint8Array, x: number, y: number, count: number): void;
  /** `dx = dy * step(x)` over `count` floats (NaN where x is NaN, as tfjs-core). */
  reluGrad(heap: Uint8Array, dy: number, x: number, dx: number, count: number): void;
  /** `out = a + b` over `count` floats; `out` may be `a` or `b`. */
  add(heap: Uint8Array, a: number, b: number, out: number, count: number): void;
  /** One SGD step (see `SGD_UPDATE`): paramOut and velocityOut from param, grad, velocity; outputs may alias inputs. */
  sgdUpdate(
    heap: Uint8Array,
    param: number,
    grad: number,
    velocity: number,
    paramOut: number,
    velocityOut: number,
    count: number,
    learningRate: number,
    momentum: number,
    weightDecay: number,
    nesterov: boolean,
  ): void;
  setThreads(threads: number): void;
  /** e.g. `oneDNN 2.6.3, 2 threads`. */
  info(): string;
}

/** Where `scripts/build.mjs` writes the addon. */
export const ADDON_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'omniprune_native.node');

let cached: NativeAddon | Error | undefined;

/**
 * Set by the loader when it chose the OpenMP spin count itself (not the user): child processes that should run with
 * their own OpenMP defaults (the PyTorch reference of `pnpm bench`) drop both variables.
 */
export const OMP_POLICY_MARKER = 'OMNIPRUNE_SET_GOMP_SPINCOUNT';

/** Spin iterations of an idle OpenMP thread before it sleeps (libgomp's default is 300,000). */
const SPIN_COUNT = '2000';

/**
 * OpenMP threads that spin only briefly between the addon's parallel regions. By default libgomp spins for long,
 * which takes the cores from the work that runs between two native kernels: wasm's XNNPACK thread pool (matmuls,
 * GELU, layer norm). `pnpm bench`, 2-core machine, native rows (img/s): ViT train / infer 274.9 / 473.0 with the
 * default spin, 545.7 / 1,901.0 with 2,000, 589.6 / 1,772.2 with none (passive); ResNet-56 train / infer 174.0 / 689.0,
 * 165.8 / 648.3 and 162.3 / 538.6. libgomp reads the variable when it loads, so it is set before the addon is
 * required; a `GOMP_SPINCOUNT` or `OMP_WAIT_POLICY` the user set is kept.
 */
function shortOpenMpSpin(): void {
  if (process.env.OMP_WAIT_POLICY !== undefined || process.env.GOMP_SPINCOUNT !== undefined) return;
  process.env.GOMP_SPINCOUNT = SPIN_COUNT;
  process.env[OMP_POLICY_MARKER] = '1';
}

/**
 * The addon, or why it is unavailable (not built: no compiler or no `libdnnl-dev` at install; fails to load; or
 * turned off with `OMNIPRUNE_SKIP_NATIVE`).
 * @example
 * const addon = loadNativeAddon(); if (addon instanceof Error) console.log(addon.message);
 */
export function loadNativeAddon(): NativeAddon | Error {
  if (cached) return cached;
  if (process.env.OMNIPRUNE_SKIP_NATIVE) {
    cached = new Error('native kernels turned off (OMNIPRUNE_SKIP_NATIVE is set)');
  } else if (!existsSync(ADDON_PATH)) {
    cached = new Error(
      `native addon not built (${ADDON_PATH} missing; install g++ and libdnnl-dev, then run pnpm --filter @omniprune/backend-native build:native)`,
    );
  } else {
    try {
      shortOpenMpSpin();
      cached = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
    } catch (err) {
      cached = new Error(`native addon failed to load: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return cached;
}
