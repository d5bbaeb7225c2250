import * as tfl from '@tensorflow/tfjs-layers';
import type { InboundRef, LayerJson, ModelJson } from '@omniprune/plugin-api';
import { OmnipruneError } from '../errors/omniprune-error.js';

/** A functional model's Keras-style JSON, its layer entries and inbound references: declared in `@omniprune/plugin-api`. */
export type { InboundRef, LayerJson, ModelJson };

/**
 * The topology of `model` as plain, deep-copied Keras JSON.
 * @example
 * const json = modelToJson(model); json.config.layers.length;
 */
export function modelToJson(model: tfl.LayersModel): ModelJson {
  const json = model.toJSON(null, false) as unknown as ModelJson;
  if (!json?.config?.layers) {
    throw new OmnipruneError('E_UNSUPPORTED_LAYER', `model ${model.name} is not a functional model`, {
      hint: 'build the model with tf.model({inputs, outputs}) (Sequential models: convert with tf.model too)',
    });
  }
  return structuredClone(json);
}

/**
 * Build an untrained model from Keras JSON (weights freshly initialised).
 * @example
 * const copy = await jsonToModel(modelToJson(model));
 */
export async function jsonToModel(json: ModelJson): Promise<tfl.LayersModel> {
  try {
    return await tfl.models.modelFromJSON({ modelTopology: json as never });
  } catch (cause) {
    throw new OmnipruneError('E_CORRUPT_FILE', `cannot build model "${json.config?.name}" from its JSON topology: ${(cause as Error).message}`, {
      hint: 'the topology is inconsistent; if it came from a file, re-export it, if from a plan, report a bug',
      cause,
    });
  }
}

/** Names of the layers feeding `layer` (first call node only). */
export function inboundNames(layer: LayerJson): string[] {
  const node = layer.inbound_nodes[0];
  return node ? node.map((ref) => ref[0]) : [];
}

/**
 * Layer names in topological order (inputs first). Throws on cycles or shared layers.
 * @example
 * topoOrder(json) // ['input', 'stem_conv', ...]
 */
export function topoOrder(json: ModelJson): string[] {
  const layers = json.config.layers;
  const byName = new Map(layers.map((l) => [l.name, l]));
  for (const l of layers) {
    if (l.inbound_nodes.length > 1) {
      throw new OmnipruneError('E_UNSUPPORTED_LAYER', `layer "${l.name}" is called ${l.inbound_nodes.length} times (shared layer)`, {
        hint: 'omniprune prunes models where each layer is applied once; unshare the layer',
      });
    }
  }
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new OmnipruneError('E_CORRUPT_FILE', `cycle through layer "${name}"`);
    const layer = byName.get(name);
    if (!layer) throw new OmnipruneError('E_CORRUPT_FILE', `a layer refers to missing layer "${name}"`);
    state.set(name, 'visiting');
    for (const inbound of inboundNames(layer)) visit(inbound);
    state.set(name, 'done');
    order.push(name);
  };
  for (const l of layers) visit(l.name);
  return order;
}

/** Map from a layer name to the names of the layers that read its output. */
export function consumersOf(json: ModelJson): Map<string, string[]> {
  const out = new Map<string, string[]>(json.config.layers.map((l) => [l.name, []]));
  for (const l of json.config.layers) for (const src of inboundNames(l)) out.get(src)?.push(l.name);
  return out;
}
