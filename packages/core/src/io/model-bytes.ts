import type * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { loadModel, saveModel } from './model-io.js';

/**
 * A model as one buffer, to send to another process or machine: `model.json` and `weights.bin` as {@link saveModel}
 * writes them (annotations and `metadata` included), framed as `[4-byte length of model.json][model.json][weights]`.
 * @example
 * const bytes = await modelToBytes(model, { omniprune: { normalization } }); const copy = await modelFromBytes(bytes);
 */
export async function modelToBytes(model: tfl.LayersModel, metadata: Record<string, unknown> = {}): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'omniprune-model-'));
  try {
    await saveModel(model, join(dir, 'm'), metadata);
    const json = await readFile(join(dir, 'm', 'model.json'));
    const weights = await readFile(join(dir, 'm', 'weights.bin'));
    const head = Buffer.alloc(4);
    head.writeUInt32LE(json.length, 0);
    return Buffer.concat([head, json, weights]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The model {@link modelToBytes} framed.
 * @throws OmnipruneError `E_CORRUPT_FILE` when the frame is cut short
 * @example
 * const model = await modelFromBytes(bytes);
 */
export async function modelFromBytes(bytes: Uint8Array): Promise<tfl.LayersModel> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = buf.length >= 4 ? buf.readUInt32LE(0) : -1;
  if (length < 0 || 4 + length > buf.length) {
    throw new OmnipruneError('E_CORRUPT_FILE', `a serialized model of ${buf.length} bytes is cut short`, { hint: 'send it again' });
  }
  const dir = await mkdtemp(join(tmpdir(), 'omniprune-model-'));
  try {
    await mkdir(join(dir, 'm'));
    await writeFile(join(dir, 'm', 'model.json'), buf.subarray(4, 4 + length));
    await writeFile(join(dir, 'm', 'weights.bin'), buf.subarray(4 + length));
    return await loadModel(join(dir, 'm'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
