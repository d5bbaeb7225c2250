import { OmnipruneError } from '@omniprune/core';
import { unzipSync } from 'fflate';
import { Dataset, Group, readFloat32, withHdf5 } from './hdf5.js';
import { WeightCollector, type KerasArtifacts } from './keras-artifacts.js';

const CONFIG = 'config.json';
const METADATA = 'metadata.json';
const WEIGHTS = 'model.weights.h5';
/** Groups of `model.weights.h5` that hold layer variables (Keras 3; tf.keras 2.13 `.keras`). */
const LAYER_ROOTS = ['layers', '_layer_checkpoint_dependencies'];

/**
 * Read a Keras 3 `.keras` archive: `config.json` (the Keras 3 serialization of the model), `metadata.json`
 * (`keras_version`) and `model.weights.h5`, whose layer variables sit at `layers/<snake_case(class)>[_k]/vars/<i>`
 * (nested models: `layers/sequential/layers/dense/vars/0`). Weights are named by those paths, as
 * tensorflowjs_converter names them; `normalizeLayersArtifacts` maps them to layers. Optimizer and metric state and
 * `assets/` are not read.
 * @example
 * const artifacts = await kerasV3Artifacts(await readFile('m.keras'), 'm.keras');
 */
export async function kerasV3Artifacts(bytes: Uint8Array, file: string): Promise<KerasArtifacts> {
  const entries = unzip(bytes, file);
  const config = parseJson(entries[CONFIG], `${file}:${CONFIG}`);
  const metadata = entries[METADATA] ? parseJson(entries[METADATA], `${file}:${METADATA}`) : {};
  const weightsBytes = entries[WEIGHTS];
  if (!weightsBytes) {
    const npz = Object.keys(entries).some((n) => n.endsWith('.npz'));
    throw new OmnipruneError(npz ? 'E_UNSUPPORTED_MODEL' : 'E_CORRUPT_FILE', `${file} has no ${WEIGHTS}${npz ? ' (its weights are in .npz form)' : ''}`, {
      hint: 'save the model with Keras model.save("m.keras") (the default h5 weights format)',
    });
  }
  const weights = new WeightCollector();
  const skipped = await withHdf5(weightsBytes, `${file}:${WEIGHTS}`, (h5) => {
    for (const root of LAYER_ROOTS) {
      const group = h5.get(root);
      if (group instanceof Group) collectVars(group, root, weights, file);
    }
    return h5.keys().filter((k) => !LAYER_ROOTS.includes(k) && k !== 'vars');
  });
  const kerasVersion = typeof metadata.keras_version === 'string' ? metadata.keras_version : undefined;
  const backend = typeof metadata.backend === 'string' ? metadata.backend : undefined;
  const notes = skipped.length > 0 ? [`${file}: state outside the layers was not read (${skipped.join(', ')})`] : [];
  return { modelTopology: config, weightSpecs: weights.specs, weightData: weights.data(), kerasVersion, backend, notes };
}

/** Every `.../vars/<i>` dataset under `group`, depth first in name order, named by its path. */
function collectVars(group: Group, path: string, weights: WeightCollector, file: string): void {
  const keys = group.keys();
  const vars = keys.includes('vars') ? group.get('vars') : null;
  if (vars instanceof Group) {
    const indices = vars
      .keys()
      .filter((k) => /^\d+$/.test(k))
      .sort((a, b) => Number(a) - Number(b));
    for (const k of indices) {
      const dataset = vars.get(k);
      if (!(dataset instanceof Dataset)) continue;
      const { shape, values } = readFloat32(dataset, `${file}: ${path}/vars/${k}`);
      weights.add(`${path}/vars/${k}`, shape, values);
    }
  }
  for (const key of keys) {
    if (key === 'vars') continue;
    const child = group.get(key);
    if (child instanceof Group) collectVars(child, `${path}/${key}`, weights, file);
  }
}

function unzip(bytes: Uint8Array, file: string): Record<string, Uint8Array> {
  const isZip = bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  if (!isZip) {
    throw new OmnipruneError('E_CORRUPT_FILE', `${file} is not a .keras archive (not a zip file)`, {
      hint: 'Keras 3 writes .keras files with model.save("m.keras"); Keras 2 HDF5 files end in .h5',
    });
  }
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, { filter: (f) => f.name === CONFIG || f.name === METADATA || f.name.startsWith('model.weights.') });
  } catch (cause) {
    throw new OmnipruneError('E_CORRUPT_FILE', `${file} is a damaged .keras archive (${(cause as Error).message})`, {
      cause,
      hint: 'the file may be truncated; save or download it again',
    });
  }
  if (!entries[CONFIG]) {
    throw new OmnipruneError('E_CORRUPT_FILE', `${file} has no ${CONFIG}; it is a zip file but not a Keras model`, {
      hint: 'save the model with Keras model.save("m.keras")',
    });
  }
  return entries;
}

function parseJson(bytes: Uint8Array, label: string): Record<string, unknown> {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new OmnipruneError('E_CORRUPT_FILE', `${label} is not valid JSON (${(cause as Error).message})`, { cause, hint: 'save the model again' });
  }
}
