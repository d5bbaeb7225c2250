import type * as tf from '@tensorflow/tfjs-core';

/** A Keras file read into TF.js layers-model artifacts, before normalisation. */
export interface KerasArtifacts {
  /** `{keras_version, backend, model_config}` (Keras 2 .h5) or the Keras 3 `config.json` object. */
  readonly modelTopology: Record<string, unknown>;
  /** Float32 weight specs, named as tensorflowjs_converter names them for the same file. */
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData: ArrayBuffer;
  readonly kerasVersion?: string;
  readonly backend?: string;
  /** What the reader left out, one line each. */
  readonly notes: string[];
}

/** Collects float32 weights into specs and one buffer. */
export class WeightCollector {
  readonly specs: tf.io.WeightsManifestEntry[] = [];
  private readonly parts: Float32Array[] = [];

  /** Append a weight. */
  add(name: string, shape: number[], values: Float32Array): void {
    this.specs.push({ name, shape, dtype: 'float32' });
    this.parts.push(values);
  }

  /** All weights, in the order added, as one little-endian float32 buffer. */
  data(): ArrayBuffer {
    const out = new Float32Array(this.parts.reduce((s, p) => s + p.length, 0));
    let at = 0;
    for (const p of this.parts) out.set(p, at), (at += p.length);
    return out.buffer;
  }
}
