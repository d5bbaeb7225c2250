import type { ImageDataset } from '@omniprune/plugin-api';

/**
 * `count` images of `ds`, cycled from its start when it has fewer (a view, no copy, when it has enough).
 * @example
 * const workload = cycledImages(ctx.test, 10_000); // 10,000 images from a 1,000-image test set
 */
export function cycledImages(ds: ImageDataset, count: number): ImageDataset {
  const per = ds.shape[0] * ds.shape[1] * ds.shape[2];
  if (ds.count === 0) return { ...ds, count: 0, images: new Float32Array(0), labels: new Int32Array(0) };
  if (count <= ds.count) {
    return { ...ds, count, images: ds.images.subarray(0, count * per), labels: ds.labels.subarray(0, count) };
  }
  const images = new Float32Array(count * per);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const j = i % ds.count;
    images.set(ds.images.subarray(j * per, (j + 1) * per), i * per);
    labels[i] = ds.labels[j];
  }
  return { ...ds, name: `${ds.name}/cycled`, count, images, labels };
}
