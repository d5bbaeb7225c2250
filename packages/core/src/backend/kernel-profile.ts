import * as tf from '@tensorflow/tfjs-core';

/** Time spent in one kernel by {@link profileKernels}. */
export interface KernelTime {
  /** Kernel name, e.g. `Conv2D`. */
  name: string;
  /** Calls. */
  calls: number;
  /** Milliseconds inside the kernel, kernels it ran itself (composite kernels) excluded. */
  selfMs: number;
  /** Milliseconds inside the kernel, nested kernels included. */
  totalMs: number;
}

/**
 * Per-kernel timing of `fn` on the active backend, for benchmarks. Every kernel of the backend is wrapped by a
 * timer while `fn` runs (then the original registrations are restored), so kernels that call other kernels get
 * both a self and a total time. Unlike `tf.profile` it has no per-kernel memory bookkeeping (which overflows the
 * stack on a ViT training step) and its times are synchronous wall-clock times, exact on the cpu and wasm
 * backends. Sorted by self time, largest first.
 * @example
 * const times = await profileKernels(() => trainStep());
 * console.table(times.slice(0, 10));
 */
export async function profileKernels(fn: () => unknown): Promise<KernelTime[]> {
  const backendName = tf.getBackend();
  const originals = tf.getKernelsForBackend(backendName);
  const times = new Map<string, KernelTime>();
  const stack: number[] = []; // time spent in nested kernels, per active kernel
  for (const config of originals) {
    const { kernelName, kernelFunc } = config;
    const timed: tf.KernelFunc = (args) => {
      stack.push(0);
      const start = performance.now();
      try {
        return kernelFunc(args);
      } finally {
        const elapsed = performance.now() - start;
        const nested = stack.pop() ?? 0;
        if (stack.length > 0) stack[stack.length - 1] += elapsed;
        const entry = times.get(kernelName) ?? { name: kernelName, calls: 0, selfMs: 0, totalMs: 0 };
        entry.calls++;
        entry.selfMs += elapsed - nested;
        entry.totalMs += elapsed;
        times.set(kernelName, entry);
      }
    };
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({ ...config, kernelFunc: timed });
  }
  try {
    await fn();
  } finally {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  }
  return [...times.values()].sort((a, b) => b.selfMs - a.selfMs);
}
