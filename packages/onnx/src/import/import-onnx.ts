import * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '@omniprune/core';
import { annotateModel } from '@omniprune/core/io';
import { registerZooLayers } from '@omniprune/core/zoo';
import type { LoadedModel, ModelOrigin } from '@omniprune/plugin-api';
import { foldConstant } from './const-fold.js';
import { fusePatterns } from './fuse-patterns.js';
import { ImportContext, NodeArgs, type TensorValue, type Value } from './import-context.js';
import { decodeModel, type DecodedModel, type DecodedValue } from './onnx-model.js';
import { DTYPE, type ConstTensor } from './onnx-tensor.js';
import { OP_CONVERTERS } from './op-converters.js';
import { ProtoDecodeError } from './proto-reader.js';

const KEEP_BN = 'export with torch.onnx.export(..., training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False) to keep it';
const SINGLE_IMAGE_HINT = 'omniprune imports single-input image classifiers: one float32 input [batch, C, H, W] with static C, H, W';

function decode(bytes: Uint8Array, where: string): DecodedModel {
  try {
    return decodeModel(bytes);
  } catch (cause) {
    if (cause instanceof OmnipruneError) throw cause;
    const message = cause instanceof ProtoDecodeError ? cause.message : String((cause as Error)?.message ?? cause);
    throw new OmnipruneError('E_CORRUPT_FILE', `${where} is not a valid ONNX model: ${message}`, {
      plugin: 'onnx',
      cause,
      hint: 'the file may be truncated or not an .onnx file; export it again with torch.onnx.export',
    });
  }
}

/** The single image input, checked: float32, `[batch, C, H, W]` with static C, H, W. */
function imageInput(model: DecodedModel, where: string): DecodedValue & { dims: readonly (number | string | null)[] } {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const inputs = model.graph.inputs.filter((i) => !inits.has(i.name));
  if (inputs.length !== 1) {
    throw new OmnipruneError('E_UNSUPPORTED_MODEL', `${where} has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ') || 'none'})`, {
      plugin: 'onnx',
      hint: SINGLE_IMAGE_HINT,
    });
  }
  const input = inputs[0];
  const dims = input.dims;
  if (dims?.length !== 4 || dims.slice(1).some((d) => typeof d !== 'number' || d <= 0)) {
    throw new OmnipruneError(
      'E_UNSUPPORTED_MODEL',
      `input "${input.name}" of ${where} has shape [${dims ? dims.map((d) => d ?? '?').join(', ') : 'unknown'}], not [batch, C, H, W] with static C, H, W`,
      {
        plugin: 'onnx',
        hint: `${SINGLE_IMAGE_HINT}; export with a fixed image size and dynamic_axes={"${input.name}": {0: "batch"}} only`,
      },
    );
  }
  if (input.elemType !== DTYPE.FLOAT) {
    throw new OmnipruneError('E_UNSUPPORTED_MODEL', `input "${input.name}" of ${where} has element type ${input.elemType}, not float32`, {
      plugin: 'onnx',
      hint: SINGLE_IMAGE_HINT,
    });
  }
  if (model.graph.outputs.length !== 1) {
    throw new OmnipruneError(
      'E_UNSUPPORTED_MODEL',
      `${where} has ${model.graph.outputs.length} outputs (${model.graph.outputs.map((o) => o.name).join(', ')}); omniprune needs one, the class scores`,
      {
        plugin: 'onnx',
        hint: 'export only the classifier output (output_names=["logits"])',
      },
    );
  }
  return { ...input, dims };
}

/** Convert one node: fold it when its inputs are constants, else run its converter. */
function convertNode(args: NodeArgs, opset: number): Value {
  const { node, ctx } = args;
  if (node.domain && node.domain !== 'ai.onnx')
    throw args.unsupported(`op of custom domain "${node.domain}"`, 'export with standard ONNX ops only (no custom or contrib ops)');
  const inputs = node.inputs.map((name) => (name ? ctx.values.get(name) : undefined));
  if (inputs.every((v, i) => !node.inputs[i] || v?.kind === 'const')) {
    let folded: ConstTensor[] | undefined;
    try {
      folded = foldConstant(
        node,
        inputs.map((v) => (v?.kind === 'const' ? v.tensor : undefined)),
        opset,
      );
    } catch (cause) {
      throw args.unsupported(`constant folding failed: ${(cause as Error).message}`);
    }
    if (folded) return { kind: 'const', tensor: folded[0] };
  }
  const convert = OP_CONVERTERS[node.opType];
  if (!convert) {
    throw args.unsupported(
      `op type ${node.opType} is not supported`,
      `supported ops: ${Object.keys(OP_CONVERTERS).join(', ')} (and constant shape computations); replace the module in PyTorch or ask for the op`,
    );
  }
  if (node.opType === 'Identity' || node.opType === 'Dropout') ctx.count('identity');
  try {
    return convert(args);
  } catch (cause) {
    if (cause instanceof OmnipruneError) throw cause;
    throw args.unsupported(`conversion failed: ${(cause as Error).message}`);
  }
}

function notesOf(model: DecodedModel, ctx: ImportContext, fused: Map<string, number>, batch: number | string | null): string[] {
  const ops = new Set(model.graph.nodes.map((n) => n.opType));
  const notes: string[] = [];
  const count = (k: string) => ctx.counts.get(k) ?? fused.get(k) ?? 0;
  if (ops.has('Conv') && !ops.has('BatchNormalization')) {
    notes.push(
      `no batch norm in the graph: if the PyTorch model has BatchNorm layers, the exporter folded them into the conv weights (eval-mode export); fine-tuning after pruning cannot re-estimate their statistics that way; ${KEEP_BN}`,
    );
  }
  if (count('gelu')) notes.push(`${count('gelu')} GELU activation(s) rebuilt from torch's Erf decomposition`);
  if (count('hardswish')) notes.push(`${count('hardswish')} HardSwish activation(s) rebuilt from HardSigmoid * x (opset < 14)`);
  if (count('linear')) notes.push(`${count('linear')} MatMul + Add pair(s) became dense layers`);
  if (count('identity')) notes.push(`${count('identity')} Identity/Dropout node(s) removed (dropout is off at inference)`);
  if (count('dead')) notes.push(`${count('dead')} node(s) no output depends on were dropped`);
  if (count('zero-padding'))
    notes.push(`${count('zero-padding')} explicit conv/pool padding(s) that TF.js "same" padding does not reproduce became ZeroPadding2D layers`);
  if (count('flatten-rows'))
    notes.push('the dense layer reading a flattened feature map had its weight rows reordered from CHW (PyTorch) to HWC (TF.js) order');
  if (count('rescaling')) notes.push(`${count('rescaling')} arithmetic op(s) with a scalar constant became Rescaling layers`);
  notes.push(...ctx.notes);
  if (typeof batch === 'number') notes.push(`the input had a fixed batch size ${batch}; the imported model (and its ONNX export) takes any batch size`);
  const opset = model.opsets.get('')!;
  if (opset < 11 || opset > 18) notes.push(`opset ${opset} is outside the range omniprune is tested on (11-18)`);
  notes.push('images are NHWC in TF.js ([batch, H, W, C]); the ONNX written back takes NCHW input as the original does');
  return notes;
}

/**
 * Import an ONNX model (as `torch.onnx.export` writes them, opsets 11-18, fixed or dynamic batch) as a trainable
 * functional TF.js Layers model: NHWC input `[H, W, C]`, conv weights transposed once (OIHW -> HWIO, depthwise
 * -> HWC1), layers named after the PyTorch modules (`/layer1/layer1.0/conv1/Conv` -> `layer1.0.conv1`). The origin
 * (input name, NCHW layout, dims with the symbolic batch, output names, opset) is attached with `annotateModel`,
 * so `onnxFormat.write` can export the pruned model with the same interface. `notes` say what was changed.
 * Errors: `E_CORRUPT_FILE` (truncated or not ONNX), `E_UNSUPPORTED_MODEL` (not a single-input image model,
 * external weights), `E_UNSUPPORTED_ONNX_OP` (an op, or an op configuration, it cannot import; names op and node).
 * @example
 * const { model, origin, notes } = await importOnnx(new Uint8Array(await readFile('resnet.onnx')), 'resnet.onnx');
 */
export async function importOnnx(bytes: Uint8Array, file?: string): Promise<LoadedModel> {
  const where = file ?? 'the ONNX model';
  registerZooLayers();
  const model = decode(bytes, where);
  const input = imageInput(model, where);
  const opset = model.opsets.get('')!;
  const [batch, c, h, w] = input.dims as [number | string | null, number, number, number];
  const ctx = new ImportContext(opset, typeof batch === 'number' ? batch : null);
  for (const t of model.graph.initializers) ctx.values.set(t.name, { kind: 'const', tensor: t });
  const inputSym = tfl.input({ shape: [h, w, c], name: ctx.uniqueName(input.name || 'input') });
  ctx.values.set(input.name, { kind: 'tensor', sym: inputSym, dims: [c, h, w] });
  const fused = new Map<string, number>();
  try {
    for (const node of fusePatterns(model.graph, fused)) {
      const args = new NodeArgs(node, ctx);
      const out = convertNode(args, opset);
      if (node.outputs[0]) ctx.values.set(node.outputs[0], out);
    }
    const outName = model.graph.outputs[0].name;
    const out = ctx.values.get(outName);
    if (out?.kind !== 'tensor' || out.sym === inputSym) {
      throw new OmnipruneError(
        'E_UNSUPPORTED_MODEL',
        `output "${outName}" of ${where} is ${out ? (out.kind === 'const' ? 'a constant' : 'the input itself') : 'not computed by any node'}`,
        { plugin: 'onnx', hint: SINGLE_IMAGE_HINT },
      );
    }
    const sym = out.dims.length === 3 ? ctx.image(out as TensorValue, 'output') : ctx.features(out as TensorValue, 'output');
    const tfModel = tfl.model({ inputs: inputSym, outputs: sym, name: ctx.uniqueName(model.graph.name || 'onnx_model') });
    const origin: ModelOrigin = {
      format: 'onnx',
      ...(file ? { file } : {}),
      input: { name: input.name, layout: 'NCHW', dtype: 'float32', dims: [batch, c, h, w] },
      outputs: model.graph.outputs.map((o) => o.name),
      details: { opset, producer: `${model.producerName} ${model.producerVersion}`.trim(), irVersion: model.irVersion },
    };
    annotateModel(tfModel, { origin });
    return { model: tfModel, origin, notes: notesOf(model, ctx, fused, batch), metadata: {} };
  } catch (error) {
    ctx.disposeLayers();
    throw error;
  }
}
