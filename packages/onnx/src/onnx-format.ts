import { readFile } from 'node:fs/promises';
import { OmnipruneError, writeFileAtomic } from '@omniprune/core';
import { defineModelFormat, type ModelOrigin } from '@omniprune/plugin-api';
import type * as tfl from '@tensorflow/tfjs-layers';
import { exportOnnx, type ExportOnnxOptions } from './export-onnx.js';
import { importOnnx } from './import/import-onnx.js';

/**
 * Export options that give `model` the graph interface `origin` describes (input name, layout, batch, outputs).
 * @example
 * exportOnnx(model, originInterface(model, annotationsOf(model).origin!));
 */
export function originInterface(model: tfl.LayersModel, origin: ModelOrigin): ExportOnnxOptions {
  const input = origin.input;
  const batch = input?.dims[0];
  return {
    ...(input ? { inputName: input.name, layout: input.layout } : {}),
    batchName: typeof batch === 'string' ? batch : 'batch',
    ...(origin.outputs?.length === model.outputs.length ? { outputNames: origin.outputs } : {}),
  };
}

/**
 * The ONNX model format: reads `.onnx` files (PyTorch exports) with {@link importOnnx}, and writes pruned models
 * back with the original's interface: input name, NCHW layout, float32, a symbolic batch, output names.
 * @example
 * const { model, origin } = await onnxFormat.create({}, ctx).read('resnet.onnx');
 * await onnxFormat.create({}, ctx).write!(pruned, 'runs/x/final/model.onnx', origin);
 */
export const onnxFormat = defineModelFormat({
  name: 'onnx',
  description: 'ONNX (e.g. torch.onnx.export): CNN image classifiers in, pruned models out with the same input/output names and NCHW layout',
  extensions: ['.onnx'],
  fileName: 'model.onnx',
  async read(file) {
    const bytes = await readFile(file).catch((cause: NodeJS.ErrnoException) => {
      throw new OmnipruneError(cause.code === 'ENOENT' ? 'E_FILE_NOT_FOUND' : 'E_CORRUPT_FILE', `cannot read ${file}: ${cause.message}`, {
        plugin: 'onnx',
        cause,
        hint: 'check the path to the .onnx file',
      });
    });
    return importOnnx(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
  },
  async write(model, file, origin) {
    const { bytes } = exportOnnx(model, originInterface(model, origin));
    await writeFileAtomic(file, bytes);
  },
});
