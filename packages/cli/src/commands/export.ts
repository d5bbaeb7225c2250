import { defineCommand } from 'citty';
import { dirname, resolve } from 'node:path';
import { OmnipruneError, annotationsOf, checkWritableDir, writeFileAtomic } from '@omniprune/core';
import { exportOnnx, originInterface, type ExportOnnxOptions } from '@omniprune/onnx';
import { modelArgs, modelFromFlags } from '../shared/model-source.js';
import { startBackend } from '../shared/common-args.js';

/** `omniprune export`: write a model as ONNX for deployment anywhere. */
export default defineCommand({
  meta: {
    name: 'export',
    description:
      'Export a model to ONNX (opset 17). A model that came in as ONNX keeps its input name, NCHW layout and dynamic batch; others take NHWC images unless --layout nchw',
  },
  args: {
    ...modelArgs,
    format: { type: 'string', default: 'onnx', description: 'Output format (onnx)' },
    out: { type: 'string', required: true, description: 'Output file, e.g. model.onnx' },
    layout: { type: 'string', description: "Input layout: nchw (PyTorch's) or nhwc (TF.js'); default: the original's (ONNX models) else nhwc" },
    'input-name': { type: 'string', description: "Name of the graph input; default: the original's (ONNX models) else the model's input layer" },
    'keep-batch-norm': {
      type: 'boolean',
      default: false,
      description:
        'Keep batch norms as BatchNormalization nodes (as PyTorch exports them); default: fold each into the conv/dense layer before it, the form runtimes fuse',
    },
  },
  async run({ args }) {
    if (args.format !== 'onnx') throw new OmnipruneError('E_BAD_INPUT', `unknown export format "${args.format}"`, { hint: 'use --format onnx' });
    await checkWritableDir(dirname(resolve(args.out)), '--out folder');
    if (args.layout !== undefined && args.layout !== 'nchw' && args.layout !== 'nhwc') {
      throw new OmnipruneError('E_BAD_INPUT', `--layout must be nchw or nhwc, got "${args.layout}"`, {
        hint: 'nchw is what PyTorch code feeds; nhwc what TF.js code feeds',
      });
    }
    await startBackend('auto', true);
    const { model, source } = await modelFromFlags(args);
    const origin = annotationsOf(model).origin;
    const options: ExportOnnxOptions = {
      ...(origin?.input ? originInterface(model, origin) : {}),
      ...(args.layout ? { layout: args.layout === 'nchw' ? ('NCHW' as const) : ('NHWC' as const) } : {}),
      ...(args['input-name'] ? { inputName: args['input-name'] } : {}),
      foldBatchNorm: !args['keep-batch-norm'],
    };
    const { bytes, input, outputs } = exportOnnx(model, options);
    await writeFileAtomic(resolve(args.out), bytes);
    const [h, w, c] = model.inputs[0].shape.slice(1) as number[];
    const dims = options.layout === 'NCHW' ? `[batch, ${c}, ${h}, ${w}] (NCHW)` : `[batch, ${h}, ${w}, ${c}] (NHWC)`;
    const norms = options.foldBatchNorm ? 'batch norms folded' : 'batch norms kept';
    process.stdout.write(
      `wrote ${args.out} (${(bytes.length / 1e6).toFixed(2)} MB) from ${source}: input "${input}" ${dims}, outputs ${outputs.join(', ')}; ${norms}\n`,
    );
    model.dispose();
  },
});
