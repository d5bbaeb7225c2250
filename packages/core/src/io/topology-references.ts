import { OmnipruneError } from '../errors/omniprune-error.js';

/** Layer names a node's inputs refer to: Keras 2 `[name, node, tensor, kwargs]` lists and Keras 3 `keras_history`. */
function referencedNames(inbound: unknown, out: unknown[]): void {
  if (Array.isArray(inbound)) {
    if (inbound.length >= 3 && typeof inbound[1] === 'number' && typeof inbound[2] === 'number' && !Array.isArray(inbound[0])) {
      out.push(inbound[0]);
      return;
    }
    for (const item of inbound) referencedNames(item, out);
  } else if (inbound && typeof inbound === 'object') {
    for (const [key, value] of Object.entries(inbound)) {
      if (key === 'keras_history' && Array.isArray(value)) out.push(value[0]);
      else referencedNames(value, out);
    }
  }
}

/**
 * Check that a functional topology (and every nested one) is consistent before TF.js builds it: every layer has a
 * string name, names are unique, and every inbound node, input and output names a layer of the same model. TF.js
 * 4.22's `Container.fromConfig` loops forever on a node that names a missing layer (found by the fuzz suite).
 * @throws OmnipruneError `E_CORRUPT_FILE` naming the layer and the missing name
 * @example
 * checkTopologyReferences(normalized.modelTopology, 'model.json');
 */
export function checkTopologyReferences(topology: unknown, file: string): void {
  const bad = (what: string) => new OmnipruneError('E_CORRUPT_FILE', `${file}: ${what}`, { hint: 'the model topology is damaged; re-export the model' });
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const config = (node as { config?: unknown }).config as { layers?: unknown; input_layers?: unknown; output_layers?: unknown } | undefined;
    const layers = config && typeof config === 'object' && Array.isArray(config.layers) ? (config.layers as unknown[]) : undefined;
    const functional = layers && (config!.input_layers !== undefined || layers.some((l) => (l as { inbound_nodes?: unknown })?.inbound_nodes !== undefined));
    if (layers && functional) {
      const names = new Set<string>();
      const layerNames = layers.map((layer, i) => {
        const name = (layer as { name?: unknown; config?: { name?: unknown } })?.name ?? (layer as { config?: { name?: unknown } })?.config?.name;
        if (typeof name !== 'string' || name === '') throw bad(`layer ${i} of the topology has no name`);
        if (names.has(name)) throw bad(`two layers are named "${name}"`);
        names.add(name);
        return name;
      });
      for (const [i, layer] of layers.entries()) {
        const refs: unknown[] = [];
        referencedNames((layer as { inbound_nodes?: unknown }).inbound_nodes, refs);
        for (const r of refs) {
          if (typeof r !== 'string' || !names.has(r))
            throw bad(`layer "${layerNames[i]}" takes its input from ${JSON.stringify(r)}, which is not a layer of the model`);
        }
      }
      for (const key of ['input_layers', 'output_layers'] as const) {
        const refs: unknown[] = [];
        referencedNames(config![key], refs);
        for (const r of refs) if (typeof r !== 'string' || !names.has(r)) throw bad(`${key} names ${JSON.stringify(r)}, which is not a layer of the model`);
      }
    }
    for (const value of Object.values(node)) if (value && typeof value === 'object') visit(value);
  };
  visit(topology);
}
