import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { replaceDirAtomic } from '../util/atomic-write.js';
import { annotationsOf } from './model-annotations.js';
import { modelFromArtifacts } from './model-from-artifacts.js';
import type { ClassifierSpec, LoadedModel, ModelOrigin, OmnipruneModelMetadata } from '@omniprune/plugin-api';

const WEIGHTS_FILE = 'weights.bin';

/**
 * Save a model as `model.json` + `weights.bin` (the TF.js Layers format) into `dir`, atomically.
 * @example
 * await saveModel(model, 'runs/resnet20');
 */
export async function saveModel(model: tfl.LayersModel, dir: string, metadata: Record<string, unknown> = {}): Promise<void> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = artifacts!;
  const weightData = tf.io.CompositeArrayBuffer.join(a.weightData as ArrayBuffer | ArrayBuffer[]);
  const modelJson = {
    format: 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: 'omniprune',
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: a.weightSpecs }],
    userDefinedMetadata: withAnnotations(model, metadata),
  };
  await replaceDirAtomic(resolve(dir), async (tmp) => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(tmp, WEIGHTS_FILE), new Uint8Array(weightData));
    await writeFile(join(tmp, 'model.json'), JSON.stringify(modelJson));
  });
}

/** `metadata` with the model's annotations (origin, classifier override) added under `omniprune`. */
function withAnnotations(model: tfl.LayersModel, metadata: Record<string, unknown>): Record<string, unknown> {
  const { origin, classifier } = annotationsOf(model);
  if (!origin && !classifier) return metadata;
  const own = (metadata.omniprune ?? {}) as Record<string, unknown>;
  return { ...metadata, omniprune: { ...(origin ? { origin } : {}), ...(classifier ? { classifier } : {}), ...own } };
}

/** Resolve a model path: a `model.json` file or a directory holding one. */
export async function resolveModelJson(path: string): Promise<string> {
  const s = await stat(path).catch(() => null);
  if (!s)
    throw new OmnipruneError('E_FILE_NOT_FOUND', `no model at ${path}`, {
      hint: 'pass a model.json file or a directory containing one (e.g. written by `omniprune train --out DIR`)',
    });
  return s.isDirectory() ? join(path, 'model.json') : path;
}

/**
 * Load a TF.js Layers model from a `model.json` path (or its directory), with the zoo's custom layers registered.
 * Missing or corrupt files give E_FILE_NOT_FOUND / E_CORRUPT_FILE naming the file.
 * @example
 * const model = await loadModel('runs/resnet20/model.json');
 */
export async function loadModel(path: string): Promise<tfl.LayersModel> {
  return (await readLayersModel(path)).model;
}

/**
 * Read a layers-model `model.json` (TF.js or `tensorflowjs_converter` output, Sequential or functional, Keras 2 or 3
 * topology) with what was normalised on the way in; the model carries the origin and classifier facts saved with it.
 * @example
 * const { model, notes } = await readLayersModel('converted/model.json');
 */
export async function readLayersModel(path: string): Promise<LoadedModel> {
  const file = await resolveModelJson(path);
  const text = await readFile(file, 'utf8').catch((cause) => {
    throw new OmnipruneError('E_FILE_NOT_FOUND', `cannot read ${file}`, { cause, hint: 'check the path' });
  });
  let json: {
    modelTopology?: unknown;
    weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
    userDefinedMetadata?: { omniprune?: OmnipruneModelMetadata };
  };
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new OmnipruneError('E_CORRUPT_FILE', `${file} is not valid JSON: ${(cause as Error).message}`, {
      cause,
      hint: 're-export the model; the file may be truncated',
    });
  }
  if (!json || typeof json.modelTopology !== 'object' || json.modelTopology === null || !Array.isArray(json.weightsManifest)) {
    throw new OmnipruneError('E_CORRUPT_FILE', `${file} is not a TF.js Layers model.json (missing modelTopology or weightsManifest)`, {
      hint: 'convert Keras models with tensorflowjs_converter --input_format keras, or pass the Keras .h5/.keras file itself',
    });
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new OmnipruneError('E_CORRUPT_FILE', `${file}: a weightsManifest entry lacks paths or weights`, { hint: 're-export the model' });
    }
    for (const w of group.weights) specs.push(checkedWeightSpec(w, specs.length, file));
    for (const p of group.paths) {
      if (typeof p !== 'string') throw new OmnipruneError('E_CORRUPT_FILE', `${file}: a weights path is not a string`, { hint: 're-export the model' });
      const wpath = join(dirname(file), p);
      buffers.push(
        await readFile(wpath).catch((cause) => {
          throw new OmnipruneError('E_FILE_NOT_FOUND', `weights file ${wpath} named by ${file} is missing`, {
            cause,
            hint: 'copy the weights next to model.json',
          });
        }),
      );
    }
  }
  const total = buffers.reduce((s, b) => s + b.byteLength, 0);
  const weightData = new Uint8Array(total);
  let off = 0;
  for (const b of buffers) weightData.set(b, off), (off += b.byteLength);
  const expected = specs.reduce((s, w) => s + (w.shape ?? []).reduce((a, d) => a * d, 1) * bytesPerElement(w), 0);
  if (expected !== total) {
    throw new OmnipruneError('E_CORRUPT_FILE', `weights of ${file} hold ${total} bytes, the manifest expects ${expected}`, {
      hint: 'the weights file is truncated or belongs to another model',
    });
  }
  const metadata = json.userDefinedMetadata?.omniprune ?? {};
  const origin: ModelOrigin = (metadata.origin as ModelOrigin | undefined) ?? { format: 'tfjs-layers', file };
  const { model, notes } = await modelFromArtifacts(
    { modelTopology: json.modelTopology as Record<string, unknown>, weightSpecs: specs, weightData: weightData.buffer },
    file,
    origin,
    metadata.classifier as ClassifierSpec | undefined,
  );
  return { model, origin, notes, metadata };
}

const WEIGHT_DTYPES = new Set(['float32', 'int32', 'bool', 'complex64', 'string']);

/** A weight manifest entry as TF.js needs it (name, shape of non-negative integers, a known dtype), else E_CORRUPT_FILE. */
function checkedWeightSpec(w: unknown, index: number, file: string): tf.io.WeightsManifestEntry {
  const spec = w as Partial<tf.io.WeightsManifestEntry> | null;
  const bad = (what: string) =>
    new OmnipruneError('E_CORRUPT_FILE', `${file}: weight ${index} of the manifest ${what}`, { hint: 'the model.json is damaged; re-export the model' });
  if (!spec || typeof spec !== 'object') throw bad('is not an object');
  if (typeof spec.name !== 'string' || spec.name === '') throw bad('has no name');
  if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`(${spec.name}) has no valid shape`);
  if (!WEIGHT_DTYPES.has(String(spec.dtype))) throw bad(`(${spec.name}) has an unknown dtype ${JSON.stringify(spec.dtype)}`);
  return spec as tf.io.WeightsManifestEntry;
}

function bytesPerElement(spec: tf.io.WeightsManifestEntry): number {
  if (spec.quantization) return spec.quantization.dtype === 'uint8' ? 1 : 2;
  return spec.dtype === 'bool' ? 1 : 4;
}

/** What omniprune records in a saved model's `userDefinedMetadata.omniprune` (declared in `@omniprune/plugin-api`). */
export type { OmnipruneModelMetadata };

/**
 * The omniprune metadata of a saved model (`{}` when it has none).
 * @example
 * const { normalization } = await readModelMetadata('runs/resnet20/model.json');
 */
export async function readModelMetadata(path: string): Promise<OmnipruneModelMetadata> {
  const file = await resolveModelJson(path);
  try {
    const json = JSON.parse(await readFile(file, 'utf8')) as { userDefinedMetadata?: { omniprune?: OmnipruneModelMetadata } };
    return json.userDefinedMetadata?.omniprune ?? {};
  } catch (cause) {
    throw new OmnipruneError('E_CORRUPT_FILE', `${file} is not valid JSON: ${(cause as Error).message}`, {
      cause,
      hint: 're-export the model; the file may be truncated',
    });
  }
}
