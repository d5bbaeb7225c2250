import { modelFromArtifacts } from '@omniprune/core/io';
import { OmnipruneError } from '@omniprune/core';
import type { LoadedModel, ModelOrigin } from '@omniprune/plugin-api';
import { readFile, stat } from 'node:fs/promises';
import type { KerasArtifacts } from './keras-artifacts.js';

/**
 * The bytes of a model file; a missing file is `E_FILE_NOT_FOUND`, a folder `E_BAD_INPUT`, both naming it.
 * @example
 * const bytes = await readModelFile('m.h5');
 */
export async function readModelFile(file: string): Promise<Uint8Array> {
  const s = await stat(file).catch(() => null);
  if (!s) throw new OmnipruneError('E_FILE_NOT_FOUND', `no model at ${file}`, { hint: 'check the path' });
  if (s.isDirectory()) throw new OmnipruneError('E_BAD_INPUT', `${file} is a folder, not a Keras model file`, { hint: 'pass the .h5/.keras file itself' });
  return new Uint8Array(await readFile(file));
}

/**
 * Normalise Keras artifacts (`normalizeLayersArtifacts`: Sequential -> functional, Keras 3 quirks, nested models
 * flattened, weight names mapped) and build the TF.js model. The model carries its origin
 * (`{format, file, details: {kerasVersion, backend}}`); an unknown layer class is `E_UNSUPPORTED_LAYER` naming it.
 * @example
 * const { model, notes } = await loadKerasArtifacts(await kerasH5Artifacts(bytes, file), file, 'keras-h5');
 */
export async function loadKerasArtifacts(artifacts: KerasArtifacts, file: string, format: string): Promise<LoadedModel> {
  const details: Record<string, string> = {};
  if (artifacts.kerasVersion) details.kerasVersion = artifacts.kerasVersion;
  if (artifacts.backend) details.backend = artifacts.backend;
  const origin: ModelOrigin = { format, file, details };
  const { model, notes } = await modelFromArtifacts(artifacts, file, origin);
  return { model, origin, notes: [...artifacts.notes, ...notes], metadata: {} };
}
