import type * as tfl from '@tensorflow/tfjs-layers';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { loadModel, saveModel } from '../io/model-io.js';
import { replaceDirAtomic } from '../util/atomic-write.js';
import type { EpochSummary, TrainResumeState } from './types.js';

/** Folder of a training's checkpoint inside its output folder. */
export const CHECKPOINT_DIR = 'checkpoint';

interface CheckpointState {
  readonly version: 1;
  /** Hash of the settings the training was started with. */
  readonly settingsHash: string;
  readonly epochsDone: number;
  readonly history: readonly EpochSummary[];
  /** Length of each optimizer buffer in `optimizer.bin` (float32, in order); null where the buffer did not exist. */
  readonly optimizer: readonly (number | null)[];
}

/**
 * Save what resuming a training needs (model weights incl. batch-norm statistics, optimizer buffers, epochs done,
 * history) into `outDir/checkpoint`, atomically: a kill at any moment leaves the previous checkpoint or this one.
 * @example
 * await saveTrainCheckpoint('runs/r56', model, state, hashSettings(args), { omniprune: { normalization } });
 */
export async function saveTrainCheckpoint(
  outDir: string,
  model: tfl.LayersModel,
  state: TrainResumeState,
  settingsHash: string,
  metadata: Record<string, unknown> = {},
): Promise<void> {
  await replaceDirAtomic(join(outDir, CHECKPOINT_DIR), async (tmp) => {
    await saveModel(model, join(tmp, 'model'), metadata);
    const buffers = state.optimizer.filter((b): b is Float32Array => b !== null);
    const bytes = new Uint8Array(buffers.reduce((s, b) => s + b.byteLength, 0));
    let offset = 0;
    for (const b of buffers) bytes.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), offset), (offset += b.byteLength);
    await writeFile(join(tmp, 'optimizer.bin'), bytes);
    const json: CheckpointState = {
      version: 1,
      settingsHash,
      epochsDone: state.epochsDone,
      history: state.history,
      optimizer: state.optimizer.map((b) => b?.length ?? null),
    };
    await writeFile(join(tmp, 'state.json'), `${JSON.stringify(json, null, 2)}\n`);
  });
}

/**
 * The checkpoint in `outDir` (its model and resume state), or null when there is none. A checkpoint made with other
 * settings is an `E_BAD_INPUT` error (resuming would mix two trainings); a damaged one is `E_CORRUPT_FILE`.
 * @example
 * const saved = await readTrainCheckpoint('runs/r56', hashSettings(args));
 * if (saved) await trainer.fit(saved.model, train, { resume: saved.state });
 */
export async function readTrainCheckpoint(outDir: string, settingsHash: string): Promise<{ model: tfl.LayersModel; state: TrainResumeState } | null> {
  const dir = join(outDir, CHECKPOINT_DIR);
  if (!(await stat(join(dir, 'state.json')).catch(() => null))) return null;
  let json: CheckpointState;
  try {
    json = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as CheckpointState;
  } catch (cause) {
    throw new OmnipruneError('E_CORRUPT_FILE', `the training checkpoint ${dir}/state.json is unreadable`, { cause, hint: `delete ${dir} or pass --restart` });
  }
  if (json.settingsHash !== settingsHash) {
    throw new OmnipruneError('E_BAD_INPUT', `${outDir} holds a training started with other settings (epoch ${json.epochsDone} done)`, {
      hint: 'run the same command to resume it, pass --restart to discard it, or choose another --out',
    });
  }
  const bytes = await readFile(join(dir, 'optimizer.bin'));
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const expected = json.optimizer.reduce<number>((s, n) => s + (n ?? 0), 0);
  if (floats.length !== expected) {
    throw new OmnipruneError('E_CORRUPT_FILE', `${dir}/optimizer.bin holds ${floats.length} values, state.json expects ${expected}`, {
      hint: `delete ${dir} or pass --restart`,
    });
  }
  let offset = 0;
  const optimizer = json.optimizer.map((n) => {
    if (n === null) return null;
    const b = floats.slice(offset, offset + n);
    offset += n;
    return b;
  });
  const model = await loadModel(join(dir, 'model'));
  return { model, state: { epochsDone: json.epochsDone, history: json.history, optimizer } };
}

/** Remove the checkpoint once the training is saved in full. */
export async function removeTrainCheckpoint(outDir: string): Promise<void> {
  await rm(join(outDir, CHECKPOINT_DIR), { recursive: true, force: true });
}
