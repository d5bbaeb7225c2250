import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Short weight name within its layer: `s1_b0_conv1/kernel` -> `kernel`, `attn/query/kernel` -> `query/kernel`. */
export function weightShortName(layerName: string, weight: tfl.LayerVariable): string {
  const full = (weight as unknown as { originalName?: string }).originalName ?? weight.name;
  return full.startsWith(`${layerName}/`) ? full.slice(layerName.length + 1) : full.replace(/^[^/]*\//, '');
}

/** Returns the new value of one weight given the old one, or null to copy it unchanged. */
export type WeightMapper = (layerName: string, shortName: string, value: tf.Tensor) => tf.Tensor | null;

/**
 * Copy weights from `source` into `target` by layer name and short weight name, through `map`.
 * Layers of `target` absent in `source` keep their initial weights.
 * @example
 * transferWeights(oldModel, newModel, () => null); // plain copy
 */
export function transferWeights(source: tfl.LayersModel, target: tfl.LayersModel, map: WeightMapper): void {
  const sourceLayers = new Map(source.layers.map((l) => [l.name, l]));
  for (const layer of target.layers) {
    const old = sourceLayers.get(layer.name);
    if (!old || layer.weights.length === 0) continue;
    const oldValues = new Map(old.weights.map((w) => [weightShortName(old.name, w), w]));
    const values = layer.weights.map((w) => {
      const short = weightShortName(layer.name, w);
      const prev = oldValues.get(short);
      if (!prev) throw new Error(`weight ${layer.name}/${short} has no counterpart in the source model`);
      const value = prev.read();
      return map(layer.name, short, value) ?? value;
    });
    layer.setWeights(values);
    for (const v of values) if (!old.weights.some((w) => w.read() === v)) v.dispose();
  }
}

/**
 * Keep `indices` along `axis` (negative axes count from the end). Done on the host with typed arrays:
 * backends differ in how they lay out gathered tensors, and weights are small.
 */
export function keepAlong(value: tf.Tensor, axis: number, indices: readonly number[]): tf.Tensor {
  const a = axis < 0 ? value.rank + axis : axis;
  const shape = value.shape;
  const outer = shape.slice(0, a).reduce((x, y) => x * y, 1);
  const inner = shape.slice(a + 1).reduce((x, y) => x * y, 1);
  const dim = shape[a];
  const src = value.dataSync() as Float32Array;
  const out = new Float32Array(outer * indices.length * inner);
  let o = 0;
  for (let i = 0; i < outer; i++) {
    for (const k of indices) {
      const start = (i * dim + k) * inner;
      out.set(src.subarray(start, start + inner), o);
      o += inner;
    }
  }
  return tf.tensor(
    out,
    shape.map((d, i) => (i === a ? indices.length : d)),
    value.dtype,
  );
}
