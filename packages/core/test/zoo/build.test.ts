import { beforeAll, describe, expect, it } from 'vitest';
import { isOmnipruneError } from '../../src/errors/omniprune-error.js';
import { buildZooModel, isZooModelName, ZOO_MODEL_NAMES } from '../../src/zoo/index.js';
import { expectNoLeaks, useCpu } from '../../src/testing/index.js';

beforeAll(useCpu);

describe('buildZooModel', () => {
  it('builds every zoo model by name, with [32, 32, 3] / 10 classes by default', async () => {
    expect([...ZOO_MODEL_NAMES]).toEqual(['resnet20', 'resnet32', 'resnet44', 'resnet56', 'resnet110', 'vgg16', 'vit']);
    await expectNoLeaks(() => {
      for (const name of ZOO_MODEL_NAMES) {
        const model = buildZooModel(name, { seed: 1 });
        expect(model.name).toBe(name);
        expect(model.inputs[0].shape).toEqual([null, 32, 32, 3]);
        expect(model.outputs[0].shape).toEqual([null, 10]);
        model.dispose();
      }
    });
  });

  it('passes options through to the builders', () => {
    const model = buildZooModel('vit', { inputShape: [28, 28, 1], classes: 4, depth: 2, numHeads: 2, dim: 32, mlpDim: 64 });
    expect(model.layers.filter((l) => l.name.endsWith('_attn'))).toHaveLength(2);
    expect(model.outputs[0].shape).toEqual([null, 4]);
    model.dispose();
    const resnet = buildZooModel('resnet32', { inputShape: [28, 28, 1], classes: 3, weightDecay: 0 });
    expect(resnet.layers.filter((l) => l.name.endsWith('_add'))).toHaveLength(15);
    expect(resnet.getLayer('logits').getConfig().kernelRegularizer).toBeNull();
    resnet.dispose();
  });

  it('rejects an unknown name with E_UNKNOWN_PLUGIN listing the valid names', () => {
    expect(isZooModelName('resnet18')).toBe(false);
    try {
      buildZooModel('resnet18');
      expect.unreachable();
    } catch (e) {
      expect(isOmnipruneError(e, 'E_UNKNOWN_PLUGIN')).toBe(true);
      expect((e as Error).message).toMatch(/unknown zoo model "resnet18"/);
      expect((e as Error).message).toMatch(/resnet20, resnet32, resnet44, resnet56, resnet110, vgg16, vit/);
    }
  });
});
