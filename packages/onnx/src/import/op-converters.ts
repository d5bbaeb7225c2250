import type { NodeArgs, Value } from './import-context.js';
import { batchNorm, conv, globalPool, pad, pool } from './conv-ops.js';
import {
  binary,
  clip,
  elu,
  gelu,
  hardSigmoid,
  hardSwish,
  leakyRelu,
  passThrough,
  relu,
  sigmoid,
  softmax,
  softplus,
  softsign,
  tanh,
} from './elementwise-ops.js';
import { concat, flatten, gemm, matMul, reshape, shape, squeeze, unsqueeze } from './shape-ops.js';

/** Converts one ONNX node (computed inputs) into TF.js layers; returns the value of its first output. */
export type OpConverter = (n: NodeArgs) => Value;

/**
 * The op table: ONNX op type -> converter. Nodes whose inputs are all constants are folded instead (see
 * `const-fold.ts`: Constant, Shape, Gather, Unsqueeze, Concat, Cast, Squeeze, Slice, Reshape, arithmetic, ...).
 * An op missing here is an `E_UNSUPPORTED_ONNX_OP` error naming the op and the node.
 */
export const OP_CONVERTERS: Readonly<Record<string, OpConverter>> = {
  Conv: conv,
  BatchNormalization: batchNorm,
  MaxPool: pool('MaxPool'),
  AveragePool: pool('AveragePool'),
  GlobalAveragePool: globalPool('avg'),
  GlobalMaxPool: globalPool('max'),
  ReduceMean: globalPool('avg'),
  Pad: pad,
  Relu: relu,
  Clip: clip,
  Sigmoid: sigmoid,
  HardSigmoid: hardSigmoid,
  HardSwish: hardSwish,
  Gelu: gelu,
  Tanh: tanh,
  LeakyRelu: leakyRelu,
  Elu: elu,
  Softplus: softplus,
  Softsign: softsign,
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
  Add: binary,
  Sub: binary,
  Mul: binary,
  Div: binary,
  Max: binary,
  Min: binary,
  Concat: concat,
  Flatten: flatten,
  Reshape: reshape,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Shape: shape,
  Gemm: gemm,
  MatMul: matMul,
  Identity: passThrough,
  Dropout: passThrough,
};
