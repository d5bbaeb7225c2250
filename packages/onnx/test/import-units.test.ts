import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { HardSigmoid, HardSwish } from '@omniprune/core/zoo';
import { expectClose, randomImages, useCpu } from '@omniprune/core/testing';
import { foldConstant, makeConst, resolveReshape, transposeConst } from '../src/import/const-fold.js';
import { LayerNamer, readableName } from '../src/import/layer-names.js';
import type { DecodedNode } from '../src/import/onnx-model.js';
import { resolvePadding } from '../src/import/padding.js';
import { ProtoDecodeError, ProtoReader } from '../src/import/proto-reader.js';
import { ProtoWriter } from '../src/protobuf.js';
import { exportOnnx } from '../src/index.js';
import { runOrt } from './onnx-helpers.js';

beforeAll(useCpu);

describe('ProtoReader', () => {
  it('reads varints (also negative int64), floats, strings and skips unknown fields', () => {
    const bytes = new ProtoWriter()
      .int(1, 300)
      .int(2, -1)
      .int(3, 2 ** 40 + 5)
      .float(4, 1.5)
      .string(5, 'conv')
      .int(6, -7)
      .finish();
    const r = new ProtoReader(bytes);
    const seen: unknown[] = [];
    while (!r.done()) {
      const { field, wire } = r.key();
      if (field === 4) seen.push(r.float());
      else if (field === 5) seen.push(r.string());
      else if (wire === 0) seen.push(r.varint());
      else r.skip(wire);
    }
    expect(seen).toEqual([300, -1, 2 ** 40 + 5, 1.5, 'conv', -7]);
  });

  it('reads packed and unpacked repeated fields', () => {
    const packed = Uint8Array.of(0x0a, 4, 1, 0x96, 0x01, 3); // field 1, LEN, varints 1, 150, 3
    const r = new ProtoReader(packed);
    const out: number[] = [];
    r.packedVarints(r.key().wire, out);
    expect(out).toEqual([1, 150, 3]);
    const floats = new Uint8Array(10);
    floats.set([0x22, 8]);
    new DataView(floats.buffer).setFloat32(2, 0.25, true);
    new DataView(floats.buffer).setFloat32(6, -2, true);
    const f = new ProtoReader(floats);
    const fs: number[] = [];
    f.packedFloats(f.key().wire, fs);
    expect(fs).toEqual([0.25, -2]);
  });

  it('throws ProtoDecodeError on truncated data and invalid keys', () => {
    const bytes = new ProtoWriter().string(1, 'a long enough string').finish();
    const cut = new ProtoReader(bytes.subarray(0, 6));
    cut.key();
    expect(() => cut.bytes()).toThrow(ProtoDecodeError);
    expect(() => new ProtoReader(Uint8Array.of(0x0b)).key()).toThrow(/invalid field key/);
    expect(() => new ProtoReader(Uint8Array.of(0x80, 0x80)).varint()).toThrow(/truncated/);
  });
});

const node = (opType: string, attrs: Record<string, { i?: number; ints?: number[] }> = {}): DecodedNode => ({
  name: `/${opType}`,
  opType,
  domain: '',
  inputs: [],
  outputs: ['y'],
  attributes: new Map(
    Object.entries(attrs).map(([name, a]) => [
      name,
      { name, type: a.ints ? 7 : 2, i: a.i, floats: [], ints: a.ints ?? [], strings: [], tensors: [], graphs: [] },
    ]),
  ),
});

describe('constant folding', () => {
  it("folds torch's view(x.size(0), -1) chain with a symbolic batch", () => {
    const shape = foldConstant(node('Shape'), [makeConst([2, 8, 7, 7], new Float32Array(2 * 8 * 49), true)], 13)![0];
    expect(Array.from(shape.values)).toEqual([2, 8, 7, 7]);
    const symbolic = makeConst([4], [NaN, 8, 7, 7], false);
    const batch = foldConstant(node('Gather', { axis: { i: 0 } }), [symbolic, makeConst([], [0], false)], 13)![0];
    expect(batch.dims).toEqual([]);
    const unsq = foldConstant(node('Unsqueeze', { axes: { ints: [0] } }), [batch], 11)![0];
    const unsq13 = foldConstant(node('Unsqueeze'), [makeConst([], [-1], false), makeConst([1], [0], false)], 13)![0];
    const target = foldConstant(node('Concat', { axis: { i: 0 } }), [unsq, unsq13], 13)![0];
    expect(target.dims).toEqual([2]);
    expect(Array.from(target.values)).toEqual([NaN, -1]);
  });

  it('folds Slice, Cast, Transpose, Squeeze, arithmetic and Reshape targets', () => {
    const t = makeConst([2, 3], [0, 1, 2, 3, 4, 5], true);
    expect(Array.from(transposeConst(t, [1, 0]).values)).toEqual([0, 3, 1, 4, 2, 5]);
    const sliced = foldConstant(node('Slice'), [makeConst([4], [NaN, 8, 7, 7], false), makeConst([1], [1], false), makeConst([1], [1e18], false)], 13)![0];
    expect(Array.from(sliced.values)).toEqual([8, 7, 7]);
    const cast = foldConstant(node('Cast', { to: { i: 7 } }), [makeConst([2], [1.7, -1.2], true)], 13)![0];
    expect(Array.from(cast.values)).toEqual([1, -1]);
    expect(foldConstant(node('Squeeze'), [makeConst([1, 3, 1], [1, 2, 3], false)], 11)![0].dims).toEqual([3]);
    const mul = foldConstant(node('Mul'), [makeConst([3], [8, 7, 7], false), makeConst([], [2], false)], 13)![0];
    expect(Array.from(mul.values)).toEqual([16, 14, 14]);
    expect(resolveReshape([2, 8, 7, 7], [0, -1])).toEqual([2, 392]);
    const where = foldConstant(node('Where'), [makeConst([3], [1, 0, 1], false), makeConst([3], [NaN, 5, 6], false), makeConst([], [-1], false)], 13)![0];
    expect(Array.from(where.values)).toEqual([NaN, -1, 6]);
    expect(foldConstant(node('Conv'), [], 13)).toBeUndefined();
  });
});

describe('padding', () => {
  it('keeps TF.js same padding where it equals ONNX pads, pads explicitly where it does not', () => {
    const o = { kernel: [3, 3], dilation: [1, 1], autoPad: 'NOTSET' };
    expect(resolvePadding([16, 16], { ...o, stride: [1, 1], pads: [1, 1, 1, 1] })).toEqual({ mode: 'same', out: [16, 16] });
    expect(resolvePadding([16, 16], { ...o, stride: [2, 2], pads: [1, 1, 1, 1] })).toEqual({
      mode: 'valid',
      explicit: [
        [1, 0],
        [1, 0],
      ],
      out: [8, 8],
    });
    expect(resolvePadding([15, 15], { ...o, stride: [2, 2], pads: [1, 1, 1, 1] })).toEqual({ mode: 'same', out: [8, 8] });
    expect(resolvePadding([16, 16], { ...o, stride: [1, 1], pads: [0, 0, 0, 0] })).toEqual({ mode: 'valid', out: [14, 14] });
    expect(resolvePadding([16, 16], { ...o, stride: [2, 2], pads: [0, 0, 0, 0], autoPad: 'SAME_UPPER' })).toEqual({ mode: 'same', out: [8, 8] });
    expect(resolvePadding([5, 5], { kernel: [2, 2], dilation: [1, 1], autoPad: 'NOTSET', stride: [2, 2], pads: [0, 0, 0, 0], ceil: true })).toEqual({
      mode: 'same',
      out: [3, 3],
    });
    expect(resolvePadding([16, 16], { ...o, stride: [2, 2], pads: [1, 1, 1, 1], ceil: true })).toEqual({
      mode: 'valid',
      explicit: [
        [1, 2],
        [1, 2],
      ],
      out: [9, 9],
    });
  });
});

describe('layer names', () => {
  it('turns torch scope names into module paths, unique and valid for TF.js', () => {
    expect(readableName('/layer1/layer1.0/conv1/Conv', 'Conv')).toBe('layer1.0.conv1');
    expect(readableName('/features/features.0/features.0.0/Conv', 'Conv')).toBe('features.0.0');
    expect(readableName('/layer1/layer1.0/relu_1/Relu', 'Relu')).toBe('layer1.0.relu_1');
    expect(readableName('/Flatten', 'Flatten')).toBe('flatten');
    expect(readableName('/act/Mul_1', 'Mul')).toBe('act');
    expect(readableName('Conv_12', 'Conv')).toBe('Conv_12');
    expect(readableName('', 'Relu')).toBe('relu');
    expect(readableName('onnx::Add:3', 'Add')).toBe('onnx_Add_3');
    const namer = new LayerNamer();
    expect([namer.unique('fc'), namer.unique('fc'), namer.unique('fc'), namer.unique('_x y')]).toEqual(['fc', 'fc_2', 'fc_3', 'x_y']);
  });
});

describe('exportOnnx with the original interface', () => {
  it('writes an NCHW input with the given input, batch and output names; the layers ONNX import creates export too', async () => {
    const input = tfl.input({ shape: [5, 5, 3], name: 'in' });
    let x = tfl.layers.conv2d({ name: 'conv', filters: 4, kernelSize: 3, padding: 'same' }).apply(input) as tfl.SymbolicTensor;
    x = new HardSwish({ name: 'hswish' }).apply(x) as tfl.SymbolicTensor;
    x = new HardSigmoid({ name: 'hsig', alpha: 0.3, beta: 0.4 }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.rescaling({ name: 'rescale', scale: -2, offset: 0.5 }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU({ name: 'relu4', maxValue: 0.25 }).apply(x) as tfl.SymbolicTensor;
    const image = tfl.layers.permute({ name: 'to_chw', dims: [3, 1, 2] }).apply(x) as tfl.SymbolicTensor;
    const out = tfl.layers.flatten({ name: 'flat' }).apply(image) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: [out, x] });
    const { bytes, input: name, outputs } = exportOnnx(model, { inputName: 'images', layout: 'NCHW', batchName: 'n', outputNames: ['flat_out', 'map'] });
    expect([name, outputs]).toEqual(['images', ['flat_out', 'map']]);
    const nchw = randomImages([2, 3, 5, 5], 1);
    const ort = await runOrt(bytes, 'images', nchw, [2, 3, 5, 5]);
    expect(ort.inputShape).toEqual(['n', 3, 5, 5]);
    const [flat, map] = tf.tidy(() =>
      (model.predict(tf.transpose(tf.tensor4d(nchw, [2, 3, 5, 5]), [0, 2, 3, 1])) as tf.Tensor[]).map((t) => t.dataSync() as Float32Array),
    );
    expectClose(ort.data, flat, 1e-5);
    const ortModel = await (await import('../src/index.js')).loadOnnxRuntime();
    if (ortModel instanceof Error) throw ortModel;
    const session = await ortModel.InferenceSession.create(bytes);
    const both = await session.run({ images: new ortModel.Tensor('float32', nchw, [2, 3, 5, 5]) });
    expect(both.map.dims).toEqual([2, 4, 5, 5]);
    const mapNhwc = tf.tidy(() => tf.transpose(tf.tensor4d(both.map.data as Float32Array, [2, 4, 5, 5]), [0, 2, 3, 1]).dataSync() as Float32Array);
    expectClose(mapNhwc, map, 1e-5);
    await session.release();
    const plain = exportOnnx(model);
    expect([plain.input, plain.outputs]).toEqual(['in', ['out:flat', 'out:relu4']]);
    expect(() => exportOnnx(model, { outputNames: ['one'] })).toThrow(/1 output names given for a model with 2 outputs/);
    model.dispose();
  });
});
