import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isOmnipruneError } from '../../src/errors/omniprune-error.js';
import { BACKEND_NAMES, describeBackend, initBackend, type BackendInfo } from '../../src/backend/index.js';
import { tileGradConfig } from '../../src/backend/kernels/tile-gradient.js';
import { loadNativeAddon, nativeKernelsEnabled } from '@omniprune/backend-native';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MISSING_ADDON = /^native addon tfjs_binding\.node is missing \(the package was installed without its install script\)$/;

beforeEach(() => {
  vi.stubEnv('OMNIPRUNE_BACKEND', '');
});

afterEach(() => {
  vi.unstubAllEnvs();
});

afterAll(async () => {
  await initBackend('cpu');
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('initBackend', () => {
  it('importing the module has no side effects (no backend, kernel or gradient registered)', () => {
    const script = [
      "import * as tf from '@tensorflow/tfjs-core';",
      "await import('./src/backend/index.js');",
      'console.log(JSON.stringify({ backend: tf.getBackend() ?? null, wasm: tf.findBackendFactory("wasm") != null,',
      '  kernel: tf.getKernel("Conv2DBackpropFilter", "wasm") != null, tileGrad: tf.getGradient("Tile") != null }));',
    ].join('\n');
    const out = execFileSync(process.execPath, ['--conditions=omniprune-src', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: packageDir,
      encoding: 'utf8',
      env: { ...process.env, OMNIPRUNE_BACKEND: '' },
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ backend: null, wasm: false, kernel: false, tileGrad: false });
  });

  it("'auto' falls back to wasm, saying why, when the native kernels are unavailable", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-backend-'));
    const script = join(dir, 'auto.mts');
    await writeFile(
      script,
      [
        `import { initBackend, describeBackend } from ${JSON.stringify(join(packageDir, 'src/backend/index.ts'))};`,
        "console.log(describeBackend(await initBackend('auto')));",
      ].join('\n'),
    );
    const out = execFileSync(process.execPath, ['--conditions=omniprune-src', '--import', 'tsx', script], {
      cwd: packageDir,
      encoding: 'utf8',
      env: { ...process.env, OMNIPRUNE_BACKEND: '', OMNIPRUNE_SKIP_NATIVE: '1' },
    });
    expect(out.trim().split('\n').pop()).toMatch(
      /^backend: wasm, \d+ threads? \(tfjs-node-gpu unavailable: .*; native unavailable: native kernels turned off \(OMNIPRUNE_SKIP_NATIVE is set\)\)$/,
    );
  });

  it("'auto' selects native (wasm + oneDNN) here, else wasm, and says why each better backend is unavailable", async () => {
    const info = await initBackend('auto');
    const addon = loadNativeAddon();
    expect(info.name).toBe(addon instanceof Error ? 'wasm' : 'native');
    expect(info.tfBackend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.tried.map((t) => t.name)).toEqual(['tfjs-node-gpu', 'tfjs-node', ...(addon instanceof Error ? ['native'] : [])]);
    for (const attempt of info.tried.slice(0, 2)) expect(attempt.error).toMatch(MISSING_ADDON);
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(describeBackend(info)).toMatch(
      addon instanceof Error
        ? /^backend: wasm, \d+ threads? \(tfjs-node-gpu unavailable: .*; tfjs-node unavailable: .*; native unavailable: (native addon not built .*libdnnl-dev.*|native kernels turned off \(OMNIPRUNE_SKIP_NATIVE is set\))\)$/
        : /^backend: native, \d+ threads? \(tfjs-node-gpu unavailable: native addon .*; tfjs-node unavailable: native addon .*; oneDNN \d+\.\d+\.\d+, \d+ threads?\)$/,
    );
    expect(nativeKernelsEnabled()).toBe(!(addon instanceof Error));
    // The failed native imports left no half-registered TensorFlow backend behind.
    expect(tf.getKernelsForBackend('tensorflow')).toEqual([]);
    expect(tf.findBackendFactory('tensorflow')).toBeNull();
    // ... and our one-pass Tile gradient survived them (tfjs's own re-registered one slices per tile: 10x slower ViT training).
    expect(tf.getGradient('Tile')).toBe(tileGradConfig);
  });

  it('is idempotent: a second call returns the same info and re-registers nothing', async () => {
    const first = await initBackend();
    const kernel = tf.getKernel('Conv2DBackpropInput', 'wasm');
    await initBackend('cpu');
    const second = await initBackend();
    expect(JSON.parse(JSON.stringify(second))).toEqual(JSON.parse(JSON.stringify(first)));
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(kernel);
  });

  it('is a value: activate() switches explicitly, isActive() says which one computes, the trainer activates its own', async () => {
    const wasm = await initBackend('wasm');
    const cpu = await initBackend('cpu');
    expect(cpu.isActive()).toBe(true);
    expect(wasm.isActive()).toBe(false);
    await wasm.activate();
    expect(tf.getBackend()).toBe('wasm');
    expect(wasm.isActive() && !cpu.isActive()).toBe(true);
    const { createSgdTrainer } = await import('../../src/train/sgd-trainer.js');
    const { prototypeDataset } = await import('../train/fixtures.js');
    const { mlpClassifier } = await import('../../src/testing/index.js');
    await cpu.activate();
    const model = mlpClassifier();
    await wasm.activate();
    let during = '';
    await createSgdTrainer({ epochs: 1, batchSize: 16 }).fit(model, prototypeDataset(32, 1), {
      backend: cpu,
      onEvent: () => {
        during = tf.getBackend();
      },
    });
    expect(during).toBe('cpu');
    if (loadNativeAddon() instanceof Error) return;
    const native = await initBackend('native');
    expect(native.isActive() && !wasm.isActive()).toBe(true);
    await wasm.activate();
    expect(nativeKernelsEnabled()).toBe(false);
    expect(native.isActive()).toBe(false);
    await native.activate();
    expect(nativeKernelsEnabled()).toBe(true);
  });

  it('switches the native convolutions off for wasm and on again for native', async () => {
    if (loadNativeAddon() instanceof Error)
      return expect(((await rejection(initBackend('native'))) as Error).message).toMatch(/native addon not built|OMNIPRUNE_SKIP_NATIVE/);
    await initBackend('native');
    const native = tf.getKernel('Conv2D', 'wasm')!.kernelFunc;
    await initBackend('wasm');
    expect(nativeKernelsEnabled()).toBe(false);
    expect(tf.getKernel('Conv2D', 'wasm')!.kernelFunc).not.toBe(native);
    await initBackend('native');
    expect(tf.getKernel('Conv2D', 'wasm')!.kernelFunc).toBe(native);
  });

  it.each(['tfjs-node', 'tfjs-node-gpu'] as const)('throws E_BACKEND with a hint for an explicit %s', async (name) => {
    const err = await rejection(initBackend(name));
    expect(isOmnipruneError(err, 'E_BACKEND')).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`^\\[backend\\] backend ${name} is unavailable: native addon`));
    expect((err as { hint?: string }).hint).toMatch(/npm rebuild @tensorflow\/.*auto/);
    expect((err as Error).cause).toBeInstanceOf(Error);
  });

  it('throws E_BAD_INPUT for an unknown backend name', async () => {
    const err = await rejection(initBackend('tpu' as never));
    expect(isOmnipruneError(err, 'E_BAD_INPUT')).toBe(true);
    expect((err as { hint?: string }).hint).toBe(`use one of: auto, ${BACKEND_NAMES.join(', ')}`);
  });

  it('lets OMNIPRUNE_BACKEND replace auto, but not an explicit choice', async () => {
    vi.stubEnv('OMNIPRUNE_BACKEND', 'cpu');
    const fromEnv = await initBackend();
    expect(fromEnv).toMatchObject({ name: 'cpu', tfBackend: 'cpu', tried: [], notes: ['chosen by OMNIPRUNE_BACKEND'] });
    expect(tf.getBackend()).toBe('cpu');
    expect((await initBackend('wasm')).name).toBe('wasm');
    vi.stubEnv('OMNIPRUNE_BACKEND', 'tfjs-node');
    expect(isOmnipruneError(await rejection(initBackend()), 'E_BACKEND')).toBe(true);
    vi.stubEnv('OMNIPRUNE_BACKEND', 'gpu');
    const err = await rejection(initBackend());
    expect(isOmnipruneError(err, 'E_BAD_INPUT')).toBe(true);
    expect((err as Error).message).toMatch(/OMNIPRUNE_BACKEND "gpu" is not a backend/);
  });
});

describe('describeBackend', () => {
  it('is one line: backend, threads, skipped backends and notes', () => {
    const info: BackendInfo = {
      name: 'wasm',
      tfBackend: 'wasm',
      threads: 1,
      notes: ['single-threaded: no workers'],
      tried: [
        { name: 'tfjs-node-gpu', error: 'no CUDA' },
        { name: 'tfjs-node', error: 'package not installed' },
      ],
    };
    expect(describeBackend(info)).toBe(
      'backend: wasm, 1 thread (tfjs-node-gpu unavailable: no CUDA; ' + 'tfjs-node unavailable: package not installed; single-threaded: no workers)',
    );
    expect(describeBackend({ name: 'cpu', tfBackend: 'cpu', tried: [], notes: [] })).toBe('backend: cpu');
  });
});
