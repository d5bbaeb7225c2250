import type * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '@omniprune/core';
import { modelToJson, topoOrder } from '@omniprune/core/graph';
import { foldableBatchNorms } from './fold-batch-norm.js';
import { GraphBuilder, type Sym } from './graph-builder.js';
import { CONVERTERS } from './layer-converters.js';
import { encodeModel, type OnnxTensor, type OnnxValue } from './onnx-graph.js';

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /** Extra graph outputs: layer names whose activations are also returned (TF.js layout, for activation capture). */
  readonly extraOutputs?: readonly string[];
  /** Default-domain opset. Default 17 (LayerNormalization; HardSwish needs 14). */
  readonly opset?: number;
  /** Name of the graph input. Default: the model's input layer name. */
  readonly inputName?: string;
  /**
   * Layout of a 4-D image input and of 4-D model outputs: `NHWC` (default, as TF.js feeds them) or `NCHW` (as
   * PyTorch and most onnxruntime deployments feed them; the graph then starts without a Transpose).
   */
  readonly layout?: 'NHWC' | 'NCHW';
  /** Name of the symbolic batch dimension of the input and outputs. Default `batch`. */
  readonly batchName?: string;
  /** Names of the model's outputs in the graph, in order. Default `out:<layer>`. Extra outputs keep `out:<layer>`. */
  readonly outputNames?: readonly string[];
  /**
   * Fold every batch norm that follows a conv / dense layer without activation into that layer's kernel and bias
   * (deployment: one Conv+bias node that onnxruntime fuses with the ReLU after it). Default false: batch norm stays
   * an ONNX `BatchNormalization` node, as PyTorch exports it, so the file imports back with its batch norms.
   */
  readonly foldBatchNorm?: boolean;
  /**
   * Constants (by graph name, as a previous export of the same model returned them in `initializers`) made graph
   * inputs instead, to be fed at every run: one session then serves any values of them (masked scoring). onnxruntime
   * cannot constant-fold these (onnxruntime-node does not let a run override a true initializer).
   */
  readonly weightInputs?: ReadonlySet<string>;
  /** Encode the graph to bytes. Default true; false when only `initializers` is needed. */
  readonly encode?: boolean;
}

/** An exported model: the ONNX bytes and the names of its input and outputs. */
export interface OnnxExport {
  readonly bytes: Uint8Array;
  readonly input: string;
  /** Graph output names: the model's outputs, then the extra outputs, each named after its layer. */
  readonly outputs: readonly string[];
  /** The graph's constants (weights and shapes), with deterministic names: the same model structure gives the same names. */
  readonly initializers: readonly OnnxTensor[];
}

/**
 * Export a single-input TF.js Layers model to ONNX. By default images stay NHWC at the graph's input and outputs
 * (like TF.js) and run NCHW inside; `layout: 'NCHW'` gives the graph a PyTorch-style NCHW input (and 4-D outputs)
 * instead. The batch dimension is symbolic. Batch norm becomes one multiply-add per channel. A layer class the
 * exporter does not know is an `E_UNSUPPORTED_LAYER` error naming it.
 * @example
 * const { bytes } = exportOnnx(model); await writeFileAtomic('model.onnx', bytes);
 * const same = exportOnnx(imported, { inputName: 'input', layout: 'NCHW', outputNames: ['logits'] }); // as the original
 */
export function exportOnnx(model: tfl.LayersModel, options: ExportOnnxOptions = {}): OnnxExport {
  const json = modelToJson(model);
  const order = topoOrder(json);
  const byName = new Map(json.config.layers.map((l) => [l.name, l]));
  if (json.config.input_layers.length !== 1) {
    throw new OmnipruneError('E_UNSUPPORTED_LAYER', `cannot export model "${model.name}" with ${json.config.input_layers.length} inputs to ONNX`, {
      plugin: 'onnx',
      hint: 'export single-input models',
    });
  }
  const g = new GraphBuilder();
  const folds = options.foldBatchNorm ? foldableBatchNorms(model, json, options.extraOutputs) : { producers: new Map(), norms: new Set<string>() };
  const batch = options.batchName ?? 'batch';
  const syms = new Map<string, Sym>();
  const inputs: OnnxValue[] = [];
  for (const name of order) {
    const lj = byName.get(name)!;
    const layer = model.getLayer(name);
    const outShape = ((Array.isArray(layer.outputShape[0]) ? layer.outputShape[0] : layer.outputShape) as (number | null)[]).slice(1) as number[];
    if (lj.class_name === 'InputLayer') {
      const inputName = options.inputName ?? name;
      const nchw = options.layout === 'NCHW' && outShape.length === 3;
      inputs.push({ name: inputName, shape: [batch, ...(nchw ? [outShape[2], outShape[0], outShape[1]] : outShape)] });
      syms.set(name, { name: inputName, layout: nchw ? 'nchw' : 'plain', rank: outShape.length + 1 });
      continue;
    }
    const convert = CONVERTERS[lj.class_name];
    if (!convert) {
      throw new OmnipruneError('E_UNSUPPORTED_LAYER', `cannot export layer "${name}" (${lj.class_name}) to ONNX: no converter for this layer class`, {
        plugin: 'onnx',
        hint: 'export supports conv, depthwise conv, batch norm, dense, activations, add, concatenate, pooling, flatten/reshape, layer norm, the zoo attention and softmax',
      });
    }
    const inbound = (lj.inbound_nodes[0] ?? []).map((ref) => syms.get(ref[0])!);
    if (folds.norms.has(name)) {
      syms.set(name, inbound[0]); // folded into the layer before it
      continue;
    }
    syms.set(name, convert({ layer, className: lj.class_name, config: lj.config, inputs: inbound, g, outShape, fold: folds.producers.get(name) }));
  }
  const modelOutputs = json.config.output_layers.map((o) => o[0]);
  if (options.outputNames && options.outputNames.length !== modelOutputs.length) {
    throw new OmnipruneError('E_BAD_INPUT', `${options.outputNames.length} output names given for a model with ${modelOutputs.length} outputs`, {
      plugin: 'onnx',
      hint: 'name every output of the model, in order',
    });
  }
  const outputNames = [...new Set([...modelOutputs, ...(options.extraOutputs ?? [])])];
  const outputs: OnnxValue[] = outputNames.map((name, i) => {
    const sym = syms.get(name);
    if (!sym) throw new OmnipruneError('E_BAD_INPUT', `no layer "${name}" to export as an output`, { plugin: 'onnx', hint: 'name a layer of the model' });
    const shape = (
      (Array.isArray(model.getLayer(name).outputShape[0]) ? model.getLayer(name).outputShape[0] : model.getLayer(name).outputShape) as (number | null)[]
    ).slice(1) as number[];
    const nchw = options.layout === 'NCHW' && i < modelOutputs.length && shape.length === 3;
    const graphName = (i < modelOutputs.length ? options.outputNames?.[i] : undefined) ?? `out:${name}`;
    g.op('Identity', [(nchw ? g.toNchw(sym) : g.toPlain(sym)).name], {}, graphName);
    return { name: graphName, shape: [batch, ...(nchw ? [shape[2], shape[0], shape[1]] : shape)] };
  });
  const fed = (t: OnnxTensor) => options.weightInputs?.has(t.name) ?? false;
  const weightInputs = g.initializers.filter(fed).map((t) => ({ name: t.name, shape: [...t.dims] }));
  const constants = g.initializers.filter((t) => !fed(t));
  const graph = { name: model.name, nodes: g.nodes, initializers: constants, inputs: [...inputs, ...weightInputs], outputs };
  const bytes = options.encode === false ? new Uint8Array() : encodeModel(graph, options.opset ?? 17);
  return { bytes, input: inputs[0].name, outputs: outputs.map((o) => o.name), initializers: g.initializers };
}
