import * as tfl from '@tensorflow/tfjs-layers';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { annotationsOf, type ClassifierSpec } from '../io/model-annotations.js';

/** How omniprune reads a classifier's output: where its logits are and what its own output is. */
export interface ClassifierOutput {
  /** Layer whose output is the logits, or null when only probabilities are available (the model's output). */
  readonly logitsLayer: string | null;
  /** What the model's own output is. */
  readonly output: 'logits' | 'probabilities';
  /** Why, for humans (`inspect`, the run report). */
  readonly reason: string;
}

const HOW_TO_OVERRIDE =
  'if the output is logits or probabilities all the same, say so in the pipeline: ' +
  'model: { path: ..., output: logits | probabilities } or model: { path: ..., logitsLayer: NAME }';

function activationOf(layer: tfl.layers.Layer): string | undefined {
  const className = layer.getClassName();
  if (className === 'Softmax') return 'softmax';
  if (layer instanceof tfl.LayersModel) return layer.outputLayers.length === 1 ? activationOf(layer.outputLayers[0]) : undefined;
  const config = layer.getConfig() as { activation?: unknown };
  if (!('activation' in config)) return undefined;
  const a = config.activation;
  if (a === undefined || a === null) return 'linear';
  return typeof a === 'string' ? a : String((a as { className?: string }).className ?? a);
}

function singleInbound(layer: tfl.layers.Layer): tfl.layers.Layer | undefined {
  const node = layer.inboundNodes[0];
  return node && node.inboundLayers.length === 1 ? (node.inboundLayers[0] as tfl.layers.Layer) : undefined;
}

function checkRank2(model: tfl.LayersModel, layer: tfl.layers.Layer, what: string): void {
  const output = layer === model.outputLayers[0] ? model.outputs[0] : layer.inboundNodes.length === 1 ? layer.output : undefined;
  const shape = output && !Array.isArray(output) ? output.shape : undefined;
  if (shape?.length !== 2 || shape[1] == null) {
    throw new OmnipruneError(
      'E_UNSUPPORTED_MODEL',
      `${what} "${layer.name}" of model ${model.name} has shape [${shape ? shape.join(', ') : '(several outputs)'}], expected [batch, classes]`,
      {
        hint: 'omniprune prunes single-label image classifiers whose output is [batch, classes]; end the model with a Dense (Linear) layer over the classes',
      },
    );
  }
}

/**
 * Decide how to read `model`'s output, from the output layer's activation: softmax (a `Softmax` layer or an
 * `Activation('softmax')`) means probabilities whose input layer gives the logits; a linear output (a `Dense`/Gemm
 * without activation, `from_logits=True` training) is logits, and so is a log-softmax (PyTorch's `NLLLoss` models,
 * logits up to a per-row constant); anything else (sigmoid, tanh, an unknown layer) is an
 * `E_UNSUPPORTED_MODEL` error unless `spec` (default: the model's annotation, set from the pipeline's `model:`)
 * says what the output is. The one place the trainer, both runners, the criteria and the exporter ask.
 * @example
 * classifierOutput(resnet({ depth: 20, inputShape: [32, 32, 3], classes: 10 })) // { logitsLayer: 'logits', output: 'probabilities', ... }
 */
export function classifierOutput(model: tfl.LayersModel, spec: ClassifierSpec | undefined = annotationsOf(model).classifier): ClassifierOutput {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new OmnipruneError(
      'E_UNSUPPORTED_MODEL',
      `model ${model.name} has ${model.inputs.length} inputs and ${model.outputs.length} outputs; omniprune needs exactly one of each`,
      {
        hint: 'prune single-input, single-output classifiers (wrap a multi-output model in one that keeps only the class scores)',
      },
    );
  }
  const out = model.outputLayers[0];
  if (spec?.logitsLayer) {
    const layer = model.layers.find((l) => l.name === spec.logitsLayer);
    if (!layer) {
      throw new OmnipruneError('E_BAD_INPUT', `model ${model.name} has no layer "${spec.logitsLayer}" (model.logitsLayer)`, {
        hint: `name one of its layers, e.g. "${singleInbound(out)?.name ?? out.name}"`,
      });
    }
    checkRank2(model, layer, 'logits layer');
    return {
      logitsLayer: layer.name,
      output: layer === out ? 'logits' : (spec.output ?? 'probabilities'),
      reason: `logits from layer "${layer.name}" (set by model.logitsLayer)`,
    };
  }
  checkRank2(model, out, 'output layer');
  if (spec?.output === 'logits') return { logitsLayer: out.name, output: 'logits', reason: `output "${out.name}" read as logits (set by model.output)` };
  const activation = activationOf(out);
  const input = singleInbound(out);
  const separateSoftmax = out.getClassName() === 'Softmax' || out.getClassName() === 'Activation';
  if (activation === 'softmax' && separateSoftmax && input && !Array.isArray(input.output)) {
    return {
      logitsLayer: input.name,
      output: 'probabilities',
      reason: `output "${out.name}" is a softmax: probabilities; its input "${input.name}" gives the logits`,
    };
  }
  if (spec?.output === 'probabilities' || activation === 'softmax') {
    return {
      logitsLayer: null,
      output: 'probabilities',
      reason: `output "${out.name}" read as probabilities (${spec?.output ? 'set by model.output' : 'softmax inside the layer; logits taken as log-probabilities'})`,
    };
  }
  if (activation === 'linear') {
    return { logitsLayer: out.name, output: 'logits', reason: `output "${out.name}" (${out.getClassName()}, linear) gives logits` };
  }
  if (activation === 'logSoftmax' || activation === 'log_softmax') {
    return {
      logitsLayer: out.name,
      output: 'logits',
      reason: `output "${out.name}" is a log-softmax: log-probabilities, used as logits (softmax of them is the same distribution)`,
    };
  }
  throw new OmnipruneError(
    'E_UNSUPPORTED_MODEL',
    `output layer "${out.name}" (${out.getClassName()}${activation ? `, activation ${activation}` : ''}) of model ${model.name} is neither a softmax nor a linear classifier output`,
    {
      hint: `omniprune trains and scores single-label classifiers with softmax cross-entropy; ${HOW_TO_OVERRIDE}`,
    },
  );
}
