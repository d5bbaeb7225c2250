/** @omniprune/onnx: ONNX import (PyTorch models in) and export of TF.js Layers models, and an onnxruntime-node inference runner. */
export { exportOnnx } from './export-onnx.js';
export { importOnnx } from './import/import-onnx.js';
export { onnxFormat, originInterface } from './onnx-format.js';
export type { ExportOnnxOptions, OnnxExport } from './export-onnx.js';
export { encodeModel } from './onnx-graph.js';
export type { OnnxGraph, OnnxNode, OnnxTensor, OnnxValue } from './onnx-graph.js';
export { loadOnnxRuntime } from './load-onnxruntime.js';
export { onnxTimedModel } from './onnx-timed-model.js';
export { createOnnxRunner, evaluateOnOnnx, predictLogitsOnOnnx, readMaskedOnOnnx, onnxInferenceRunner } from './onnx-runner.js';
export type { OnnxRunner } from './onnx-runner.js';
