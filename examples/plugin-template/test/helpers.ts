// The host: omniprune core (a dev dependency), so the tests build, register and run the plugins the way omniprune does.
import { buildDependencyGraph } from '@omniprune/core/graph';
import { buildZooModel } from '@omniprune/core/zoo';
import { createPlugin, createPluginContainer, initBackend, registerPlugin } from '@omniprune/core';
import { createRng } from '@omniprune/core/util';
import type { ImageDataset, PluginDefinition, ProposeContext } from '@omniprune/plugin-api';
import { plugins } from '../src/index.js';

type Model = ProposeContext['parent'];

/** Start the default CPU backend (wasm) once. */
export async function useBackend(): Promise<void> {
  await initBackend('wasm');
}

/** A seeded ResNet-20 on 8x8 grey images and `perClass` random images of each of its 10 classes. */
export function tinyResnet(perClass = 4): { model: Model; train: ImageDataset } {
  const model = buildZooModel('resnet20', { inputShape: [8, 8, 1], classes: 10, seed: 1 });
  const rng = createRng(7);
  const count = perClass * 10;
  const train: ImageDataset = {
    name: 'random',
    shape: [8, 8, 1],
    numClasses: 10,
    count,
    images: Float32Array.from({ length: count * 64 }, () => rng.next() * 2 - 1),
    labels: Int32Array.from({ length: count }, (_, i) => i % 10),
  };
  return { model, train };
}

/** What a pruner or criterion sees in the first iteration of a run on `model`. */
export function proposeContext(model: Model, train: ImageDataset, logs: string[] = []): ProposeContext {
  return { parent: model, graph: buildDependencyGraph(model), iteration: 1, rng: createRng(3), train, earlier: [], log: (m) => logs.push(m) };
}

/** Create one of this package's plugins the way omniprune does: registered in a container, options validated. */
export async function create<T>(kind: 'pruner' | 'criterion', name: string, options: unknown = {}): Promise<T> {
  const c = createPluginContainer();
  for (const p of plugins) registerPlugin(c, p as PluginDefinition, 'omniprune-plugin-template');
  return createPlugin<T>(c, kind, name, options, { log: () => {}, seed: 1 });
}
