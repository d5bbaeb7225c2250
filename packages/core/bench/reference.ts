/**
 * Shared by the `pnpm bench` scripts: a throughput loop and the PyTorch CPU reference (`torch_resnet.py`,
 * `torch_vit.py`, run with Debian's `/usr/bin/python3`), so every bench reports ratios against a reference measured
 * in the same run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OMP_POLICY_MARKER } from '@omniprune/backend-native';

/** The environment of the PyTorch reference: PyTorch's own OpenMP defaults, not the spin count the native addon chose. */
function torchEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (env[OMP_POLICY_MARKER]) {
    delete env.GOMP_SPINCOUNT;
    delete env[OMP_POLICY_MARKER];
  }
  return env;
}

/**
 * Images per second of `step` (which processes `batch` images): one warm-up call, then calls for at least
 * `seconds` seconds and at least 2 calls.
 * @example
 * await imagesPerSecond(() => model.predict(x), 64, 20)
 */
export async function imagesPerSecond(step: () => Promise<unknown> | unknown, batch: number, seconds: number): Promise<number> {
  await step();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000 || n < 2) {
    await step();
    n++;
  }
  return (n * batch) / ((performance.now() - start) / 1000);
}

/** One PyTorch reference measurement (see `measure` in `torch_resnet.py`). */
export interface TorchResult {
  /** Training steps (forward, backward, SGD update), img/s. */
  train: number;
  /** Inference (no_grad forward), img/s. */
  infer: number;
  /** Trainable parameter count of the PyTorch network. */
  params: number;
  /**
   * Peak RSS (ru_maxrss) of the Python process in MB: `base` after importing torch, before building the network;
   * `train` at the end of the training measurement; `process` at the end (includes the training phase, so it is
   * an upper bound, not inference's own peak).
   */
  peakRssMb: { base: number; train: number; process: number };
}

/**
 * PyTorch CPU training and inference throughput, parameter count and peak RSS of one reference network: `script`
 * (`torch_resnet.py` or `torch_vit.py` in this folder) with its own `args` (network configuration), or why it could
 * not run.
 * @example
 * torchRun('torch_vit.py', ['--dim', '64'], 64, 2, 20) // { train: 1510.2, infer: 5203.4, params: 138890, ... }
 */
export function torchRun(script: string, args: string[], batch: number, threads: number, seconds: number): TorchResult | string {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'PyTorch unavailable (/usr/bin/python3 -c "import torch" failed; apt-get install python3-torch)';
  const path = join(dirname(fileURLToPath(import.meta.url)), script);
  const out = execFileSync('/usr/bin/python3', [path, ...args, '--batch', String(batch), '--threads', String(threads), '--seconds', String(seconds)], {
    encoding: 'utf8',
    env: torchEnv(),
  });
  const r = JSON.parse(out.trim().split('\n').pop()!) as {
    train_img_s: number;
    infer_img_s: number;
    params: number;
    rss_base_kb: number;
    train_peak_rss_kb: number;
    peak_rss_kb: number;
  };
  // ru_maxrss is in KB on Linux.
  const mb = (kb: number) => kb / 1024;
  return {
    train: r.train_img_s,
    infer: r.infer_img_s,
    params: r.params,
    peakRssMb: { base: mb(r.rss_base_kb), train: mb(r.train_peak_rss_kb), process: mb(r.peak_rss_kb) },
  };
}

/**
 * PyTorch CPU training and inference throughput of the zoo's CIFAR ResNet of `depth` (32x32x3, 10 classes), or why
 * it could not run.
 * @example
 * torchReference(56, 64, 2, 20) // { train: 240.1, infer: 905.3, params: 855770, ... }
 */
export function torchReference(depth: number, batch: number, threads: number, seconds: number): TorchResult | string {
  return torchRun('torch_resnet.py', ['--depth', String(depth)], batch, threads, seconds);
}
