// Crashes the fuzz suite found, kept as fixed cases (each was a raw TypeError before its fix).
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildZooModel } from '@omniprune/core/zoo';
import { initBackend, readModel, saveModel } from '@omniprune/core';
import { builtinContainer } from '../../src/shared/plugin-registry.js';

let dir: string;
let modelJson: { weightsManifest: { weights: Record<string, unknown>[] }[] };

beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'omniprune-regress-'));
  const model = buildZooModel('resnet20', { inputShape: [8, 8, 1], classes: 3, seed: 1 });
  await saveModel(model, join(dir, 'base'));
  model.dispose();
  modelJson = JSON.parse(await readFile(join(dir, 'base', 'model.json'), 'utf8'));
});

async function loadEdited(name: string, edit: (json: typeof modelJson) => void): Promise<unknown> {
  const json = structuredClone(modelJson);
  edit(json);
  await mkdir(join(dir, name));
  await writeFile(join(dir, name, 'model.json'), JSON.stringify(json));
  await writeFile(join(dir, name, 'weights.bin'), await readFile(join(dir, 'base', 'weights.bin')));
  return readModel(join(dir, name, 'model.json'), builtinContainer()).catch((e: unknown) => e);
}

describe('fuzz regressions', () => {
  it('a weight manifest entry without a name (TypeError in plainName)', async () => {
    const err = await loadEdited('no-name', (j) => {
      delete j.weightsManifest[0].weights[3].name;
    });
    expect(err).toMatchObject({ code: 'E_CORRUPT_FILE', message: expect.stringMatching(/weight 3 of the manifest has no name/) });
  });

  it('a layer whose name is not a string: TF.js looped forever building the model (hang)', async () => {
    const err = await loadEdited('numeric-name', (j) => {
      (j as unknown as { modelTopology: { config: { layers: { name: unknown }[] } } }).modelTopology.config.layers[28].name = -5.313136514250755e139;
    });
    expect(err).toMatchObject({ code: 'E_CORRUPT_FILE', message: expect.stringMatching(/layer 28 of the topology has no name/) });
  }, 30_000);

  it('an inbound node naming a layer the model does not have', async () => {
    const err = await loadEdited('dangling', (j) => {
      const layers = (j as unknown as { modelTopology: { config: { layers: { inbound_nodes: unknown[][][] }[] } } }).modelTopology.config.layers;
      layers[5].inbound_nodes[0][0][0] = 'no_such_layer';
    });
    expect(err).toMatchObject({
      code: 'E_CORRUPT_FILE',
      message: expect.stringMatching(/takes its input from "no_such_layer", which is not a layer of the model/),
    });
  }, 30_000);

  it('a weight manifest entry with a bad shape or dtype', async () => {
    expect(await loadEdited('bad-shape', (j) => void (j.weightsManifest[0].weights[0].shape = [3, -1]))).toMatchObject({
      code: 'E_CORRUPT_FILE',
      message: expect.stringMatching(/weight 0 of the manifest \(\S+\) has no valid shape/),
    });
    expect(await loadEdited('bad-dtype', (j) => void (j.weightsManifest[0].weights[1].dtype = 'float99'))).toMatchObject({
      code: 'E_CORRUPT_FILE',
      message: expect.stringMatching(/has an unknown dtype "float99"/),
    });
  });
});
