/**
 * Shared by the `pnpm bench` scripts: a throughput loop and the PyTorch CPU reference (`torch_resnet.py`, run with
 * Debian's `/usr/bin/python3`), so every bench reports ratios against a reference measured in the same run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/**
 * PyTorch CPU training and inference throughput of the zoo's CIFAR ResNet of `depth` (32x32x3, 10 classes), or why
 * it could not run.
 * @example
 * torchReference(56, 64, 2, 20) // { train: 240.1, infer: 905.3 }
 */
export function torchReference(depth: number, batch: number, threads: number, seconds: number): { train: number; infer: number } | string {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'PyTorch unavailable (/usr/bin/python3 -c "import torch" failed; apt-get install python3-torch)';
  const script = join(dirname(fileURLToPath(import.meta.url)), 'torch_resnet.py');
  const out = execFileSync(
    '/usr/bin/python3',
    [script, '--depth', String(depth), '--batch', String(batch), '--threads', String(threads), '--seconds', String(seconds)],
    { encoding: 'utf8' },
  );
  const r = JSON.parse(out.trim().split('\n').pop()!) as { train_img_s: number; infer_img_s: number };
  return { train: r.train_img_s, infer: r.infer_img_s };
}
