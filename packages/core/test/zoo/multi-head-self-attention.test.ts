import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ATTENTION_WEIGHT_NAMES, MultiHeadSelfAttention, registerZooLayers } from '../../src/zoo/index.js';
import { expectClose, expectNoLeaks, useCpu } from '../../src/testing/index.js';

beforeAll(useCpu);

type Weights = Record<string, { values: Float32Array; shape: number[] }>;

/** Weights of an attention layer by short name (`query/kernel`, ...). */
function weightsOf(layer: tfl.layers.Layer): Weights {
  const out: Weights = {};
  for (const w of layer.weights) {
    out[w.originalName.slice(layer.name.length + 1)] = { values: w.read().dataSync() as Float32Array, shape: w.shape as number[] };
  }
  return out;
}

/**
 * Plain-loop reference of multi-head self-attention: per batch, per head, softmax(q k^T / sqrt(dh)) v, heads
 * concatenated and projected. Heads listed in `skip` contribute nothing.
 */
function reference(x: number[][][], w: Weights, heads: number, headDim: number, skip: readonly number[] = []): number[][][] {
  const inner = heads * headDim;
  const dim = x[0][0].length;
  const outDim = w['output/kernel'].shape[1];
  const bias = (name: string, j: number) => (w[name] ? w[name].values[j] : 0);
  const project = (rows: number[][], kernel: string, b: string, cols: number): number[][] =>
    rows.map((row) =>
      Array.from({ length: cols }, (_, c) => {
        let s = bias(b, c);
        for (let d = 0; d < row.length; d++) s += row[d] * w[kernel].values[d * cols + c];
        return s;
      }),
    );
  return x.map((tokens) => {
    const q = project(tokens, 'query/kernel', 'query/bias', inner);
    const k = project(tokens, 'key/kernel', 'key/bias', inner);
    const v = project(tokens, 'value/kernel', 'value/bias', inner);
    const context = tokens.map(() => new Array<number>(inner).fill(0));
    for (let h = 0; h < heads; h++) {
      if (skip.includes(h)) continue;
      for (let t = 0; t < tokens.length; t++) {
        const scores = tokens.map((_, u) => {
          let s = 0;
          for (let j = 0; j < headDim; j++) s += q[t][h * headDim + j] * k[u][h * headDim + j];
          return s / Math.sqrt(headDim);
        });
        const max = Math.max(...scores);
        const exps = scores.map((s) => Math.exp(s - max));
        const total = exps.reduce((a, b) => a + b, 0);
        for (let u = 0; u < tokens.length; u++) {
          for (let j = 0; j < headDim; j++) context[t][h * headDim + j] += (exps[u] / total) * v[u][h * headDim + j];
        }
      }
    }
    expect(dim).toBe(w['query/kernel'].shape[0]);
    return project(context, 'output/kernel', 'output/bias', outDim);
  });
}

/** A built attention layer with random weights (biases included) and a random input [batch, tokens, dim]. */
function setup(heads: number, headDim: number, dim: number, opts: { useBias?: boolean; tokens?: number } = {}) {
  const layer = new MultiHeadSelfAttention({ name: 'attn', numHeads: heads, headDim, useBias: opts.useBias, seed: 5 });
  const x = tf.randomNormal([2, opts.tokens ?? 5, dim], 0, 1, 'float32', 11);
  tf.dispose(layer.apply(x) as tf.Tensor); // builds the layer
  const values = layer.weights.map((w, i) => tf.randomNormal(w.shape as number[], 0, 0.5, 'float32', 100 + i));
  layer.setWeights(values);
  tf.dispose(values);
  return { layer, x };
}

const run = (layer: tfl.layers.Layer, x: tf.Tensor): Float32Array => tf.tidy(() => (layer.apply(x) as tf.Tensor).dataSync() as Float32Array);

describe('MultiHeadSelfAttention', () => {
  it('has the query/key/value/output weights in the fixed order, names and shapes', () => {
    const layer = new MultiHeadSelfAttention({ name: 't0_attn', numHeads: 3, headDim: 5 });
    const y = layer.apply(tfl.input({ shape: [7, 8] })) as tfl.SymbolicTensor;
    expect(y.shape).toEqual([null, 7, 8]);
    expect(layer.weights.map((w) => w.originalName)).toEqual(ATTENTION_WEIGHT_NAMES.map((n) => `t0_attn/${n}`));
    expect(layer.weights.map((w) => w.shape)).toEqual([[8, 15], [15], [8, 15], [15], [8, 15], [15], [15, 8], [8]]);
    expect(layer.trainableWeights).toHaveLength(8);
    expect(layer.getConfig()).toMatchObject({ name: 't0_attn', numHeads: 3, headDim: 5, useBias: true });
    const noBias = new MultiHeadSelfAttention({ name: 'nb', numHeads: 2, headDim: 4, useBias: false });
    noBias.apply(tfl.input({ shape: [3, 6] }));
    expect(noBias.weights.map((w) => w.originalName)).toEqual(['nb/query/kernel', 'nb/key/kernel', 'nb/value/kernel', 'nb/output/kernel']);
    layer.dispose();
    noBias.dispose();
  });

  it.each([
    ['4 heads of 4', 4, 4, 16, true],
    ['one head', 1, 6, 6, true],
    ['3 heads of 3 on dim 8 (inner != dim)', 3, 3, 8, true],
    ['2 heads without biases', 2, 4, 8, false],
  ])('equals the per-head loop reference: %s', async (_label, heads, headDim, dim, useBias) => {
    await expectNoLeaks(() => {
      const { layer, x } = setup(heads, headDim, dim, { useBias });
      const expected = reference(x.arraySync() as number[][][], weightsOf(layer), heads, headDim).flat(2);
      expectClose(run(layer, x), expected, 1e-5);
      x.dispose();
      layer.dispose();
    });
  });

  it('with one head masked (its Q/K/V columns and O rows zeroed) equals the reference without that head', async () => {
    await expectNoLeaks(() => {
      const heads = 4;
      const headDim = 3;
      const { layer, x } = setup(heads, headDim, 10);
      const original = weightsOf(layer);
      const masked = 2;
      const isHeadColumn = (c: number) => Math.floor(c / headDim) === masked;
      const values = layer.weights.map((w) => {
        const short = w.originalName.slice('attn/'.length);
        const v = Float32Array.from(original[short].values);
        const [rows, cols] = w.shape.length === 2 ? (w.shape as number[]) : [1, w.shape[0] as number];
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) {
            const zero = short.startsWith('output/') ? short === 'output/kernel' && isHeadColumn(r) : isHeadColumn(c);
            if (zero) v[r * cols + c] = 0;
          }
        }
        return tf.tensor(v, w.shape as number[]);
      });
      layer.setWeights(values);
      tf.dispose(values);
      const xs = x.arraySync() as number[][][];
      const withoutHead = reference(xs, original, heads, headDim, [masked]).flat(2);
      const actual = run(layer, x);
      expectClose(actual, withoutHead, 1e-5);
      // and the masked head did contribute before
      const full = reference(xs, original, heads, headDim).flat(2);
      expect(Math.max(...full.map((f, i) => Math.abs(f - withoutHead[i])))).toBeGreaterThan(1e-2);
      x.dispose();
      layer.dispose();
    });
  });

  it('passes gradients to every weight', async () => {
    await expectNoLeaks(() => {
      const { layer, x } = setup(2, 4, 8);
      const target = tf.randomNormal([2, 5, 8], 0, 1, 'float32', 3);
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, target)) as tf.Scalar, vars);
      expect(Object.keys(grads)).toHaveLength(8);
      for (const v of vars) {
        const g = grads[v.name];
        expect(g.shape).toEqual(v.shape);
        const norm = tf.tidy(() => tf.norm(g).dataSync()[0]);
        expect(Number.isFinite(norm) && norm > 0).toBe(true);
      }
      tf.dispose([value, target, x, ...Object.values(grads)]);
      layer.dispose();
    });
  });

  it('round-trips through its serialised config', () => {
    registerZooLayers();
    registerZooLayers(); // idempotent
    const layer = new MultiHeadSelfAttention({ name: 'a', numHeads: 2, headDim: 8, useBias: false, seed: 3 });
    const copy = MultiHeadSelfAttention.fromConfig(MultiHeadSelfAttention, layer.getConfig());
    expect(copy.getConfig()).toEqual(layer.getConfig());
    const map = tf.serialization.SerializationMap.getMap().classNameMap;
    expect(map.MultiHeadSelfAttention[0]).toBe(MultiHeadSelfAttention);
  });

  it('rejects a non-positive head count with E_BAD_INPUT', () => {
    expect(() => new MultiHeadSelfAttention({ numHeads: 0, headDim: 4 })).toThrow(/numHeads must be a positive integer/);
    const layer = new MultiHeadSelfAttention({ numHeads: 2, headDim: 4 });
    expect(() => layer.apply(tfl.input({ shape: [8] }))).toThrow(/expects inputs \[batch, tokens, dim\]/);
  });
});
