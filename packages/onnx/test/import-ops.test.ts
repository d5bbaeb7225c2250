import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDependencyGraph } from '@omniprune/core/graph';
import { createRng } from '@omniprune/core/util';
import { testPluginContext } from '@omniprune/core';
import type { ModelFormat } from '@omniprune/plugin-api';
import { expectClose, randomImages, useCpu } from '@omniprune/core/testing';
import { FLOAT, INT64, encodeModel, type OnnxNode, type OnnxTensor } from '../src/onnx-graph.js';
import { importOnnx, onnxFormat } from '../src/index.js';
import { runOrt, runTfjs } from './onnx-helpers.js';

/** Hand-written graphs (encoded with the package's own writer) for ops the PyTorch fixtures do not reach. */

const format: ModelFormat = onnxFormat.create({}, testPluginContext({ seed: 0 })) as ModelFormat;
let dir: string;
beforeAll(async () => {
  await useCpu();
  dir = await mkdtemp(join(tmpdir(), 'omniprune-onnx-ops-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const rng = createRng(5);
const floats = (name: string, dims: number[]): OnnxTensor => ({
  name,
  dims,
  type: FLOAT,
  values: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.next() - 0.5),
});
const ints = (name: string, values: number[]): OnnxTensor => ({ name, dims: [values.length], type: INT64, values: BigInt64Array.from(values.map(BigInt)) });
const scalar = (name: string, v: number): OnnxTensor => ({ name, dims: [], type: FLOAT, values: Float32Array.of(v) });
const node = (op: string, inputs: string[], output: string, attributes: OnnxNode['attributes'] = {}): OnnxNode => ({
  op,
  inputs,
  outputs: [output],
  name: `/${output}/${op}`,
  attributes,
});

function model(nodes: OnnxNode[], initializers: OnnxTensor[], input: number[], output: string, outDims: number[] = input, opset = 13): Uint8Array {
  return encodeModel(
    { name: 'handmade', nodes, initializers, inputs: [{ name: 'x', shape: [null, ...input] }], outputs: [{ name: output, shape: [null, ...outDims] }] },
    opset,
  );
}

/** Import, compare with onnxruntime on batch 2, write back with the original interface and compare again. */
async function expectFaithful(bytes: Uint8Array, dims: number[]): Promise<string[]> {
  const { model: m, origin, notes } = await importOnnx(bytes, 'handmade.onnx');
  const x = randomImages([2, ...dims], 3);
  const expected = await runOrt(bytes, 'x', x, [2, ...dims]);
  expectClose(runTfjs(m, x, [2, ...dims]), expected.data, 1e-4);
  const file = join(dir, `${Math.round(rng.next() * 1e9)}.onnx`);
  await format.write!(m, file, origin);
  const written = await runOrt(file, 'x', x, [2, ...dims]);
  expect(written.outputNames).toEqual(expected.outputNames);
  expectClose(written.data, expected.data, 1e-4);
  const graph = buildDependencyGraph(m);
  m.dispose();
  return [...notes, ...graph.warnings];
}

describe('importOnnx: ops beyond the PyTorch fixtures', () => {
  it('Linear squeeze-excitation (Unsqueeze gate), scalar Sub/Div, MatMul + Add after Flatten, LogSoftmax', async () => {
    const bytes = model(
      [
        node('GlobalAveragePool', ['x'], 'gap'),
        node('Flatten', ['gap'], 'squeeze', { axis: 1 }),
        node('Gemm', ['squeeze', 'w1', 'b1'], 'fc1', { transB: 1 }),
        node('Relu', ['fc1'], 'relu'),
        node('Gemm', ['relu', 'w2'], 'fc2', { alpha: { float: 0.5 } }),
        node('Sigmoid', ['fc2'], 'gate'),
        node('Unsqueeze', ['gate', 'axes'], 'gate4'),
        node('Mul', ['x', 'gate4'], 'scaled'),
        node('Sub', ['scaled', 'half'], 'shifted'),
        node('Div', ['shifted', 'two'], 'normed'),
        node('Sub', ['normed', 'scaled'], 'diff'),
        node('Flatten', ['diff'], 'flat', { axis: 1 }),
        node('MatMul', ['flat', 'w3'], 'mm'),
        node('Add', ['mm', 'b3'], 'logits'),
        node('LogSoftmax', ['logits'], 'logp', { axis: 1 }),
      ],
      [
        floats('w1', [2, 4]),
        floats('b1', [2]),
        floats('w2', [2, 4]),
        ints('axes', [2, 3]),
        scalar('half', 0.5),
        scalar('two', 2),
        floats('w3', [144, 3]),
        floats('b3', [3]),
      ],
      [4, 6, 6],
      'logp',
      [3],
    );
    const notes = await expectFaithful(bytes, [4, 6, 6]);
    expect(notes.join('\n')).toMatch(
      /1 MatMul \+ Add pair\(s\) became dense layers[\s\S]*rows reordered[\s\S]*2 arithmetic op\(s\) with a scalar constant became Rescaling/,
    );
  });

  it('a flattened feature map as the output (CHW order restored), ceil-mode pooling, a Reshape back to an image', async () => {
    const bytes = model(
      [
        node('Conv', ['x', 'w'], 'conv', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }),
        node('Relu', ['conv'], 'relu'),
        node('MaxPool', ['relu'], 'pool', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }),
        node('Shape', ['pool'], 'shape'),
        node('Gather', ['shape', 'zero'], 'batch', { axis: 0 }),
        node('Unsqueeze', ['batch', 'axis0'], 'batch1'),
        node('Concat', ['batch1', 'rest'], 'target', { axis: 0 }),
        node('Flatten', ['pool'], 'flat', { axis: 1 }),
        node('Reshape', ['flat', 'target'], 'image'),
        node('AveragePool', ['image'], 'avg', { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 }),
        node('AveragePool', ['avg'], 'avg2', { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }),
        node('Flatten', ['avg2'], 'out', { axis: 1 }),
      ],
      [floats('w', [3, 2, 3, 3]), { name: 'zero', dims: [], type: INT64, values: BigInt64Array.of(0n) }, ints('axis0', [0]), ints('rest', [3, 4, 4])],
      [2, 6, 6],
      'out',
      [12],
    );
    const notes = await expectFaithful(bytes, [2, 6, 6]);
    expect(notes.join('\n')).toMatch(/reordered to CHW with a Permute layer/);
  });

  it('a fixed batch of 1 (no dynamic_axes) imports and is written back with a symbolic batch', async () => {
    const bytes = encodeModel(
      {
        name: 'fixed',
        initializers: [ints('target', [1, -1]), floats('w', [3, 32])],
        nodes: [node('Reshape', ['x', 'target'], 'flat'), node('Gemm', ['flat', 'w'], 'y', { transB: 1 })],
        inputs: [{ name: 'x', shape: [1, 2, 4, 4] }],
        outputs: [{ name: 'y', shape: [1, 3] }],
      },
      11,
    );
    const { model: m, origin, notes } = await importOnnx(bytes);
    expect(origin.input!.dims).toEqual([1, 2, 4, 4]);
    expect(notes.join('\n')).toMatch(/fixed batch size 1; the imported model \(and its ONNX export\) takes any batch size/);
    const x1 = randomImages([1, 2, 4, 4], 8);
    expectClose(runTfjs(m, x1, [1, 2, 4, 4]), (await runOrt(bytes, 'x', x1, [1, 2, 4, 4])).data, 1e-4);
    const file = join(dir, 'fixed.onnx');
    await format.write!(m, file, origin);
    const x3 = randomImages([3, 2, 4, 4], 9);
    const written = await runOrt(file, 'x', x3, [3, 2, 4, 4]);
    expect(written.inputShape).toEqual(['batch', 2, 4, 4]);
    expectClose(written.data, runTfjs(m, x3, [3, 2, 4, 4]), 1e-4);
    m.dispose();
  });

  it('opset 18: ReduceMean with axes as an input, Pad with pads as an input', async () => {
    const bytes = model(
      [
        node('Pad', ['x', 'pads'], 'padded'),
        node('Conv', ['padded', 'w', 'b'], 'conv', { kernel_shape: [3, 3], strides: [2, 2] }),
        node('ReduceMean', ['conv', 'axes'], 'mean', { keepdims: 0 }),
        node('Gemm', ['mean', 'fc'], 'y', { transB: 1 }),
      ],
      [ints('pads', [0, 0, 1, 0, 0, 0, 2, 1]), floats('w', [4, 2, 3, 3]), floats('b', [4]), ints('axes', [-1, -2]), floats('fc', [3, 4])],
      [2, 7, 7],
      'y',
      [3],
      18,
    );
    await expectFaithful(bytes, [2, 7, 7]);
  });

  it('names the problem for ops or configurations it cannot import', async () => {
    const clip = model([node('Clip', ['x', 'lo', 'hi'], 'y')], [scalar('lo', -1), scalar('hi', 1)], [1, 4, 4], 'y');
    await expect(importOnnx(clip)).rejects.toMatchObject({
      code: 'E_UNSUPPORTED_ONNX_OP',
      message: expect.stringMatching(/"\/y\/Clip" \(Clip\): Clip\(-1, 1\)/),
    });
    const pool = model([node('MaxPool', ['x'], 'y', { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })], [], [1, 8, 8], 'y', [1, 4, 4]);
    await expect(importOnnx(pool)).rejects.toMatchObject({
      code: 'E_UNSUPPORTED_ONNX_OP',
      message: expect.stringMatching(/max pooling of a tensor that may be negative/),
    });
    const perChannel = model([node('Mul', ['x', 'scale'], 'y')], [floats('scale', [3, 1, 1])], [3, 4, 4], 'y');
    await expect(importOnnx(perChannel)).rejects.toMatchObject({
      code: 'E_UNSUPPORTED_ONNX_OP',
      message: expect.stringMatching(/per-element constant of 3 values/),
    });
    const batchReshape = model([node('Reshape', ['x', 'shape'], 'y')], [ints('shape', [-1, 4])], [1, 4, 4], 'y', [4]);
    await expect(importOnnx(batchReshape)).rejects.toMatchObject({ code: 'E_UNSUPPORTED_ONNX_OP', message: expect.stringMatching(/changes the batch axis/) });
  });
});
