import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isOmnipruneError } from '../../src/errors/omniprune-error.js';
import { loadImageFolder, resizeImage } from '../../src/data/index.js';
import { cleanup, makeTempDir, writeFileDeep } from './fixtures.js';

type Rgb = [number, number, number];

function rgbaOf(w: number, h: number, pixel: (x: number, y: number) => Rgb): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b] = pixel(x, y);
      data.set([r, g, b, 255], (y * w + x) * 4);
    }
  return data;
}

function png(w: number, h: number, pixel: (x: number, y: number) => Rgb): Buffer {
  const img = new PNG({ width: w, height: h });
  rgbaOf(w, h, pixel).copy(img.data);
  return PNG.sync.write(img);
}

function jpg(w: number, h: number, color: Rgb): Buffer {
  return jpeg.encode({ width: w, height: h, data: rgbaOf(w, h, () => color) }, 100).data;
}

/** 2x3 PNG whose pixel (x, y) = [10*x + base, 20*y + base, base]. */
const grad = (base: number) => png(3, 2, (x, y) => [10 * x + base, 20 * y + base, base]);

describe('loadImageFolder', () => {
  let root: string;
  beforeEach(async () => {
    root = await makeTempDir();
  });
  afterEach(async () => {
    await cleanup(root);
  });

  async function writeTree() {
    await writeFileDeep(join(root, 'train/zebra/b.png'), grad(100));
    await writeFileDeep(join(root, 'train/zebra/a.png'), grad(50));
    await writeFileDeep(join(root, 'train/ant/x.jpg'), jpg(3, 2, [200, 40, 120]));
    await writeFileDeep(join(root, 'train/ant/notes.txt'), 'ignored');
    await writeFileDeep(join(root, 'test/zebra/c.PNG'), grad(0));
  }

  it('reads PNG and JPEG files with classes from sorted folder names', async () => {
    await writeTree();
    const { train, test } = await loadImageFolder({ root });
    expect(train.classNames).toEqual(['ant', 'zebra']);
    expect(train.numClasses).toBe(2);
    expect(train.shape).toEqual([2, 3, 3]);
    expect(train.count).toBe(3);
    expect([...train.labels]).toEqual([0, 1, 1]);
    expect([...test.labels]).toEqual([1]);
    // train[1] is zebra/a.png (sorted): pixel (x=2, y=1) = [70, 70, 50]
    const at = (k: number, y: number, x: number) => Array.from(train.images.subarray(k * 18 + (y * 3 + x) * 3, k * 18 + (y * 3 + x) * 3 + 3));
    expect(at(1, 1, 2).map((v) => Math.round(v * 255))).toEqual([70, 70, 50]);
    expect(at(2, 0, 0).map((v) => Math.round(v * 255))).toEqual([100, 100, 100]);
    // JPEG is lossy: a flat colour at quality 100 decodes within 2 levels.
    for (const [v, want] of at(0, 1, 1).map((v, i) => [v * 255, [200, 40, 120][i]])) expect(Math.abs(v - want)).toBeLessThanOrEqual(2);
    expect(test.images[(1 * 3 + 2) * 3] * 255).toBeCloseTo(20, 3);
  });

  it('converts to grayscale and resizes to a fixed size', async () => {
    await writeTree();
    const { train } = await loadImageFolder({ root, channels: 1, imageSize: [4, 6], resize: 'nearest', scale: false });
    expect(train.shape).toEqual([4, 6, 1]);
    // nearest 2x upscale of zebra/a.png: output (y=3, x=5) <- source (1, 2) = [70, 70, 50]
    expect(train.images[1 * 24 + 3 * 6 + 5]).toBeCloseTo(0.299 * 70 + 0.587 * 70 + 0.114 * 50, 3);
    expect(train.images[1 * 24 + 0]).toBeCloseTo(50, 3);
  });

  it('rejects an undecodable image with E_CORRUPT_FILE naming it', async () => {
    await writeTree();
    const bad = grad(1).subarray(0, 30);
    await writeFileDeep(join(root, 'test/zebra/broken.png'), bad);
    const err = await loadImageFolder({ root }).catch((e) => e);
    expect(isOmnipruneError(err, 'E_CORRUPT_FILE')).toBe(true);
    expect(err.message).toMatch(/broken\.png: PNG cannot be decoded/);
    await writeFileDeep(join(root, 'test/zebra/broken.png'), 'not an image');
    expect((await loadImageFolder({ root }).catch((e) => e)).message).toMatch(/not a PNG or JPEG image/);
  });

  it('reports a missing split and an unknown test class', async () => {
    await writeFileDeep(join(root, 'train/a/1.png'), grad(0));
    const missing = await loadImageFolder({ root }).catch((e) => e);
    expect(isOmnipruneError(missing, 'E_FILE_NOT_FOUND')).toBe(true);
    expect(missing.message).toMatch(/test split folder not found: .*test/);
    expect(missing.message).toMatch(/hint: lay the images out as <root>\/train\/<class>/);
    await writeFileDeep(join(root, 'test/b/1.png'), grad(0));
    const unknown = await loadImageFolder({ root }).catch((e) => e);
    expect(isOmnipruneError(unknown, 'E_BAD_INPUT')).toBe(true);
    expect(unknown.message).toMatch(/class folder .*test\/b has no counterpart in the train split/);
  });
});

describe('resizeImage', () => {
  it('bilinear keeps constants and averages a 2x1 -> 1x1 downscale', () => {
    expect([...resizeImage(Float32Array.of(5, 5, 5, 5), [2, 2], [3, 3], 1)]).toEqual(new Array(9).fill(5));
    expect([...resizeImage(Float32Array.of(0, 10), [1, 2], [1, 1], 1, 'bilinear')]).toEqual([5]);
    expect([...resizeImage(Float32Array.of(1, 2, 3, 4), [1, 4], [1, 2], 1, 'nearest')]).toEqual([2, 4]);
  });
});
