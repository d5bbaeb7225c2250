import type * as tf from '@tensorflow/tfjs-core';
import { OmnipruneError } from '../../errors/omniprune-error.js';
import type { FlattenResult } from './flatten-nested.js';
import { isSavingPath, type SavedLayer } from './saving-paths.js';

/** What the weight renaming needs to know about the normalised topology. */
export interface WeightNaming {
  /** Names of the layers of the normalised (flat) model. */
  readonly layers: ReadonlySet<string>;
  /** Name of the outer model (Keras 3 prefixes Sequential weights with it). */
  readonly model: string;
  readonly flatten: FlattenResult;
  /** Keras 3 weights paths of the original topology ({@link kerasSavingPaths}). */
  readonly savingPaths: ReadonlyMap<string, SavedLayer>;
}

/** Weight specs renamed to the names TF.js gives the normalised model's variables, and the weights kept. */
export interface RenamedWeights {
  readonly weightSpecs: tf.io.WeightsManifestEntry[];
  readonly weightData?: ArrayBuffer;
}

/**
 * Rename weight specs so TF.js finds every variable of the normalised model:
 * - Keras 3 saving paths (`layers/conv2d/vars/0`, tensorflowjs_converter of a `.keras` file) -> `<layer>/<i>`, the
 *   positional form TF.js 4.22 matches against each layer's weights in order; optimizer and metric variables dropped;
 * - names prefixed with a model's name (`sequential/conv2d/kernel`, Keras 3 and TF 1 saves) -> `conv2d/kernel`,
 *   and inner layers renamed by flattening follow their layer.
 * Dropping a spec in the middle needs `weightData` (the bytes are cut out); without it only trailing specs can go.
 */
export function renameWeightSpecs(
  specs: readonly tf.io.WeightsManifestEntry[],
  naming: WeightNaming,
  notes: string[],
  weightData?: ArrayBuffer,
): RenamedWeights {
  if (specs.some((s) => isSavingPath(s.name))) return fromSavingPaths(specs, naming, notes, weightData);
  let renamed = 0;
  let example = '';
  const out = specs.map((spec) => {
    const name = plainName(spec.name, naming);
    if (name === spec.name) return spec;
    renamed++;
    example ||= `${spec.name} -> ${name}`;
    return { ...spec, name };
  });
  if (renamed > 0) notes.push(`${renamed} weight names follow their layer in the flat graph (e.g. ${example})`);
  return { weightSpecs: out, weightData };
}

function plainName(name: string, naming: WeightNaming): string {
  let tokens = name.split('/');
  while (tokens.length > 2 && !naming.layers.has(tokens[0])) {
    const renamed = naming.flatten.renamed.get(`${tokens[0]}/${tokens[1]}`);
    if (renamed) tokens = [renamed, ...tokens.slice(2)];
    else if (tokens[0] === naming.model || naming.flatten.models.has(tokens[0])) tokens = tokens.slice(1);
    else break;
  }
  return naming.layers.has(tokens[0]) ? tokens.join('/') : name;
}

function fromSavingPaths(specs: readonly tf.io.WeightsManifestEntry[], naming: WeightNaming, notes: string[], weightData?: ArrayBuffer): RenamedWeights {
  const paths = [...naming.savingPaths.keys()].sort((a, b) => b.length - a.length);
  /** Per layer: own variables and sub-layer variables, by path, to number them in Keras order. */
  const perLayer = new Map<string, { spec: number; sub: string; index: number }[]>();
  const keep: boolean[] = [];
  const dropped: string[] = [];
  specs.forEach((spec, i) => {
    const match = /^(.*)\/vars\/(\d+)$/.exec(spec.name) ?? /^()vars\/(\d+)$/.exec(spec.name);
    const prefix = match?.[1] ?? '';
    const path = match ? paths.find((p) => prefix === p || prefix.startsWith(`${p}/`)) : undefined;
    if (!match || !path) {
      keep.push(false);
      dropped.push(spec.name);
      return;
    }
    const saved = naming.savingPaths.get(path)!;
    const layer = finalName(saved, naming);
    const list = perLayer.get(layer) ?? [];
    list.push({ spec: i, sub: prefix.slice(path.length + 1), index: Number(match[2]) });
    perLayer.set(layer, list);
    keep.push(true);
  });
  const names = new Map<number, string>();
  for (const [layer, vars] of perLayer) {
    const subs = new Set(vars.map((v) => v.sub).filter((s) => s !== ''));
    if (subs.size > 1) {
      throw new OmnipruneError(
        'E_UNSUPPORTED_LAYER',
        `layer "${layer}" keeps its weights in ${subs.size} sub-layers (${[...subs].join(', ')}), whose order TF.js does not share`,
        {
          hint: 'save the model as Keras 2 .h5 (model.save("m.h5")) or convert it with tensorflowjs_converter from .h5',
        },
      );
    }
    vars.sort((a, b) => (a.sub === b.sub ? a.index - b.index : a.sub === '' ? -1 : 1));
    vars.forEach((v, k) => names.set(v.spec, `${layer}/${k}`));
  }
  const renamed = specs.map((spec, i) => ({ ...spec, name: names.get(i) ?? spec.name }));
  notes.push(`Keras 3 weight paths (e.g. ${specs.find((_s, i) => keep[i])?.name ?? '-'}) read as <layer>/<index> in each layer's weight order`);
  if (dropped.length > 0) notes.push(`${dropped.length} variables that are not layer weights were left out (optimizer or metric state, e.g. ${dropped[0]})`);
  return dropSpecs(renamed, keep, weightData);
}

function finalName(saved: SavedLayer, naming: WeightNaming): string {
  const nested = saved.models[saved.models.length - 1];
  return (nested && naming.flatten.renamed.get(`${nested}/${saved.layer}`)) || saved.layer;
}

/** Bytes a spec takes in the weight data. */
export function specBytes(spec: tf.io.WeightsManifestEntry): number {
  const size = (spec.shape ?? []).reduce((a, d) => a * d, 1);
  if (spec.quantization) return size * (spec.quantization.dtype === 'uint8' ? 1 : 2);
  return size * (spec.dtype === 'bool' ? 1 : 4);
}

function dropSpecs(specs: tf.io.WeightsManifestEntry[], keep: boolean[], weightData?: ArrayBuffer): RenamedWeights {
  if (keep.every(Boolean)) return { weightSpecs: specs, weightData };
  const lastKept = keep.lastIndexOf(true);
  const trailingOnly = keep.slice(0, lastKept + 1).every(Boolean);
  if (!weightData) {
    if (trailingOnly) return { weightSpecs: specs.slice(0, lastKept + 1) };
    throw new OmnipruneError('E_UNSUPPORTED_MODEL', 'the weights manifest mixes layer weights with optimizer or metric variables', {
      hint: 'save the model without its optimizer (model.save(path, include_optimizer=False)) and convert it again',
    });
  }
  const kept: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  specs.forEach((spec, i) => {
    const bytes = specBytes(spec);
    if (keep[i]) {
      kept.push(spec);
      parts.push(new Uint8Array(weightData, offset, bytes));
    }
    offset += bytes;
  });
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let at = 0;
  for (const p of parts) out.set(p, at), (at += p.byteLength);
  return { weightSpecs: kept, weightData: out.buffer };
}
