import { defineCommand } from 'citty';
import { resolve } from 'node:path';
import { OmnipruneError, writeFileAtomic } from '@omniprune/core';
import { exportOnnx } from '@omniprune/onnx';
import { modelArgs, modelFromFlags } from '../shared/model-source.js';
import { startBackend } from '../shared/common-args.js';

/** `omniprune export`: write a model as ONNX for deployment anywhere. */
export default defineCommand({
  meta: { name: 'export', description: 'Export a model (model.json or --zoo) to ONNX (opset 17); images stay NHWC at the input' },
  args: {
    ...modelArgs,
    format: { type: 'string', default: 'onnx', description: 'Output format (onnx)' },
    out: { type: 'string', required: true, description: 'Output file, e.g. model.onnx' },
  },
  async run({ args }) {
    if (args.format !== 'onnx') throw new OmnipruneError('E_BAD_INPUT', `unknown export format "${args.format}"`, { hint: 'use --format onnx' });
    await startBackend('auto', true);
    const { model, source } = await modelFromFlags(args);
    const { bytes, input, outputs } = exportOnnx(model);
    await writeFileAtomic(resolve(args.out), bytes);
    process.stdout.write(`wrote ${args.out} (${(bytes.length / 1e6).toFixed(2)} MB) from ${source}: input "${input}" [batch, ${(model.inputs[0].shape.slice(1) as number[]).join(', ')}], outputs ${outputs.join(', ')}\n`);
    model.dispose();
  },
});
