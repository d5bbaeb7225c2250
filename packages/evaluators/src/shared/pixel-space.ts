import type * as tf from '@tensorflow/tfjs-core';
import { normalize } from '@omniprune/core/data';
import type { ImageDataset, InputNormalization } from '@omniprune/plugin-api';

/** The raw pixel space of a model's inputs: how raw pixels are normalised, and their range. */
export interface PixelSpace {
  /** `(pixel - mean) / std` per channel, or null when the model takes raw pixels. */
  readonly normalization: InputNormalization | null;
  /** `[low, high]` of raw pixels, e.g. `[0, 1]`. */
  readonly pixelRange: readonly [number, number];
}

/** `values` (one per channel, or one for all) expanded to `channels` entries. */
function perChannel(values: readonly number[], channels: number): number[] {
  return values.length === 1 ? Array.from({ length: channels }, () => values[0]) : [...values];
}

/**
 * Raw pixels of normalised NHWC images: `x * std[c] + mean[c]`; a copy of `images` when `normalization` is null.
 * @example
 * toRawPixels(new Float32Array([1, -1]), 1, { mean: [0.5], std: [0.25] }) // Float32Array [0.75, 0.25]
 */
export function toRawPixels(images: Float32Array, channels: number, normalization: InputNormalization | null): Float32Array {
  if (normalization === null) return images.slice();
  const mean = perChannel(normalization.mean, channels);
  const std = perChannel(normalization.std, channels);
  const out = new Float32Array(images.length);
  for (let i = 0; i < images.length; i += channels) {
    for (let c = 0; c < channels; c++) out[i + c] = images[i + c] * std[c] + mean[c];
  }
  return out;
}

/**
 * A dataset of raw pixels normalised for the model with core's `normalize` (the same dataset when `normalization` is null).
 * @example
 * const forModel = toNormalizedDataset(rawTest, ctx.normalization);
 */
export function toNormalizedDataset(ds: ImageDataset, normalization: InputNormalization | null): ImageDataset {
  return normalization === null ? ds : normalize(ds, { mean: [...normalization.mean], std: [...normalization.std] });
}

/** Per-channel `[1, 1, 1, channels]` tensors of a normalisation, or null. */
function channelTensors(tfc: typeof tf, normalization: InputNormalization | null, channels: number): { mean: tf.Tensor4D; std: tf.Tensor4D } | null {
  if (normalization === null) return null;
  return {
    mean: tfc.tensor4d(perChannel(normalization.mean, channels), [1, 1, 1, channels]),
    std: tfc.tensor4d(perChannel(normalization.std, channels), [1, 1, 1, channels]),
  };
}

/**
 * Raw pixels of a batch of normalised NHWC images, `x * std + mean` (the input itself, not a copy, when not normalised).
 * Call inside `tf.tidy`.
 * @example
 * const raw = tf.tidy(() => rawPixelsTensor(tf, x, ctx.normalization));
 */
export function rawPixelsTensor(tfc: typeof tf, x: tf.Tensor4D, normalization: InputNormalization | null): tf.Tensor4D {
  const t = channelTensors(tfc, normalization, x.shape[3]);
  return t === null ? x : tfc.add(tfc.mul(x, t.std), t.mean);
}

/**
 * Normalised model inputs of a batch of raw NHWC pixels, `(raw - mean) / std` (the input itself when not normalised).
 * Differentiable; call inside `tf.tidy`.
 * @example
 * const x = tf.tidy(() => normalizedTensor(tf, raw, ctx.normalization));
 */
export function normalizedTensor(tfc: typeof tf, raw: tf.Tensor4D, normalization: InputNormalization | null): tf.Tensor4D {
  const t = channelTensors(tfc, normalization, raw.shape[3]);
  return t === null ? raw : tfc.div(tfc.sub(raw, t.mean), t.std);
}
