import { OmnipruneError } from '../../errors/omniprune-error.js';
import { isObject, type JsonObject, type TensorRef } from './keras-json.js';

/** What the node conversion changed, for the notes. */
export interface NodeCounts {
  /** Layers whose Keras 3 `{args, kwargs}` nodes became Keras 2 lists. */
  keras3Layers: number;
  /** Keras 3 `input_layers`/`output_layers` given as one flat reference or a dict. */
  reshapedIo: number;
  /** Keyword arguments that were tensors or constants TF.js cannot pass, by layer. */
  dropped: string[];
}

/** Fresh counters for the node conversion. */
export function newNodeCounts(): NodeCounts {
  return { keras3Layers: 0, reshapedIo: 0, dropped: [] };
}

/**
 * A layer's `inbound_nodes` in Keras 2 form (`[[[name, node, tensor, kwargs], ...], ...]`), converted from
 * Keras 3's `[{args: [{class_name: '__keras_tensor__', config: {keras_history: [name, node, tensor]}}], kwargs}]`.
 * @example
 * toKeras2Nodes([{ args: [tensor('conv2d')], kwargs: {} }], 'bn', counts) // [[['conv2d', 0, 0, {}]]]
 */
export function toKeras2Nodes(nodes: unknown, layer: string, counts: NodeCounts): TensorRef[][] {
  if (!Array.isArray(nodes)) return [];
  let converted = false;
  const out: TensorRef[][] = [];
  for (const node of nodes) {
    if (Array.isArray(node)) {
      out.push(node.map((ref) => keras2Ref(ref, layer)));
    } else if (isObject(node) && ('args' in node || 'kwargs' in node)) {
      converted = true;
      const refs: [string, number, number][] = [];
      collectTensors(node.args, refs);
      const kwargs: JsonObject = {};
      for (const [key, value] of Object.entries(isObject(node.kwargs) ? node.kwargs : {})) {
        if (value === null || value === undefined) continue;
        if (containsTensor(value)) {
          counts.dropped.push(`${layer}.${key}`);
          continue;
        }
        kwargs[key] = value;
      }
      if (refs.length > 0) out.push(refs.map(([n, i, t]) => [n, i, t, { ...kwargs }]));
    } else {
      throw new OmnipruneError('E_CORRUPT_FILE', `layer "${layer}" has an inbound node in an unknown form: ${JSON.stringify(node).slice(0, 200)}`, {
        hint: 're-export the model with Keras (model.save) or tensorflowjs_converter',
      });
    }
  }
  if (converted) counts.keras3Layers++;
  return out;
}

function keras2Ref(ref: unknown, layer: string): TensorRef {
  if (!Array.isArray(ref) || typeof ref[0] !== 'string') {
    throw new OmnipruneError('E_CORRUPT_FILE', `layer "${layer}" has a malformed inbound reference ${JSON.stringify(ref)}`, { hint: 're-export the model' });
  }
  return [ref[0], Number(ref[1] ?? 0), Number(ref[2] ?? 0), isObject(ref[3]) ? ref[3] : {}];
}

function kerasHistory(value: unknown): [string, number, number] | null {
  if (!isObject(value) || value.class_name !== '__keras_tensor__' || !isObject(value.config)) return null;
  const history = value.config.keras_history;
  if (!Array.isArray(history) || typeof history[0] !== 'string') return null;
  return [history[0], Number(history[1] ?? 0), Number(history[2] ?? 0)];
}

function collectTensors(value: unknown, into: [string, number, number][]): void {
  const history = kerasHistory(value);
  if (history) into.push(history);
  else if (Array.isArray(value)) for (const v of value) collectTensors(v, into);
}

function containsTensor(value: unknown): boolean {
  if (kerasHistory(value)) return true;
  if (Array.isArray(value)) return value.some(containsTensor);
  if (isObject(value)) return Object.values(value).some(containsTensor);
  return false;
}

/**
 * `input_layers`/`output_layers` as a list of `[name, node, tensor]`: Keras 3 writes one flat reference for a
 * single tensor, nested lists, or a dict for named inputs.
 * @example
 * toRefList(['input_layer', 0, 0]) // [['input_layer', 0, 0]]
 */
export function toRefList(value: unknown, counts: NodeCounts): [string, number, number][] {
  const out: [string, number, number][] = [];
  const visit = (v: unknown, depth: number): void => {
    if (Array.isArray(v) && typeof v[0] === 'string') {
      if (depth === 0) counts.reshapedIo++;
      out.push([v[0], Number(v[1] ?? 0), Number(v[2] ?? 0)]);
    } else if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
    } else if (isObject(v)) {
      counts.reshapedIo++;
      for (const x of Object.values(v)) visit(x, depth + 1);
    }
  };
  visit(value, 0);
  return out;
}

/** Note lines for the node conversion. */
export function nodeNotes(counts: NodeCounts): string[] {
  const notes: string[] = [];
  if (counts.keras3Layers > 0)
    notes.push(`Keras 3 inbound nodes ({args, kwargs} with __keras_tensor__) of ${counts.keras3Layers} layers converted to Keras 2 lists`);
  if (counts.reshapedIo > 0) notes.push('Keras 3 input_layers/output_layers (single reference or dict) rewritten as lists of [layer, node, tensor]');
  if (counts.dropped.length > 0) notes.push(`call arguments TF.js cannot pass were dropped: ${counts.dropped.join(', ')}`);
  return notes;
}
