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
      cached = createRequire(import.meta.url)(ADDON_PATH) as NativeAddon;
    } catch (err) {
      cached = new Error(`native addon failed to load: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return cached;
}
