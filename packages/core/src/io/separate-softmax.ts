import type * as tfl from '@tensorflow/tfjs-layers';
import { jsonToModel, modelToJson } from '../graph/model-json.js';
import { transferWeights } from '../graph/weight-transfer.js';
import { inheritAnnotations } from './model-annotations.js';

/** Layer classes whose `activation` config may fuse a softmax into the output layer. */
const FUSING = new Set(['Dense', 'Conv2D', 'Conv1D']);

/**
 * When the output layer fuses its softmax (Keras `Dense(10, activation='softmax')`), split it into the same layer
 * with a linear activation followed by an `Activation('softmax')` named `<layer>_softmax`, so the logits can be
 * read (training from logits, KL criteria). Weights and outputs are unchanged. Returns the model (a new one when it
 * split, the given one otherwise; the given one is then disposed) and a note, or null when nothing changed.
 * @example
 * const { model, note } = await separateOutputSoftmax(loaded);
 */
export async function separateOutputSoftmax(model: tfl.LayersModel): Promise<{ model: tfl.LayersModel; note: string | null }> {
  if (model.outputs.length !== 1) return { model, note: null };
  const out = model.outputLayers[0];
  const config = out.getConfig() as { activation?: unknown };
  if (!FUSING.has(out.getClassName()) || config.activation !== 'softmax') return { model, note: null };
  const json = modelToJson(model);
  const names = new Set(json.config.layers.map((l) => l.name));
  let name = `${out.name}_softmax`;
  for (let k = 1; names.has(name); k++) name = `${out.name}_softmax_${k}`;
  const layer = json.config.layers.find((l) => l.name === out.name)!;
  layer.config.activation = 'linear';
  json.config.layers.push({
    name,
    class_name: 'Activation',
    config: { name, trainable: true, dtype: 'float32', activation: 'softmax' },
    inbound_nodes: [[[out.name, 0, 0, {}]]],
  });
  json.config.output_layers = [[name, 0, 0]];
  const next = await jsonToModel(json);
  transferWeights(model, next, () => null);
  inheritAnnotations(model, next);
  model.dispose();
  return {
    model: next,
    note: `output layer "${out.name}" fused its softmax: split into "${out.name}" (linear, the logits) + "${name}" (softmax); outputs unchanged`,
  };
}
