import { createPluginContainer, loadPipelinePlugins, registerPlugin, type PluginContainer } from '@omniprune/core';
import { sgdTrainerPlugin } from '@omniprune/core/train';
import type { PluginDefinition } from '@omniprune/plugin-api';
import { plugins as ckaPlugins } from '@omniprune/criteria-cka';
import { plugins as similarityPlugins } from '@omniprune/criteria-similarity';
import { plugins as evaluatorPlugins } from '@omniprune/evaluators';
import { plugins as filterPlugins } from '@omniprune/pruner-filter';
import { plugins as headPlugins } from '@omniprune/pruner-head';
import { kerasFormat, kerasH5Format } from '@omniprune/keras';
import { onnxFormat } from '@omniprune/onnx';
import { plugins as layerPlugins } from '@omniprune/pruner-layer';

/** Built-in plugins, by the package that provides them. */
export const BUILTIN_PLUGINS: readonly { readonly source: string; readonly plugins: readonly PluginDefinition[] }[] = [
  { source: '@omniprune/core', plugins: [sgdTrainerPlugin as PluginDefinition] },
  { source: '@omniprune/criteria-cka', plugins: ckaPlugins as readonly PluginDefinition[] },
  { source: '@omniprune/criteria-similarity', plugins: similarityPlugins as readonly PluginDefinition[] },
  { source: '@omniprune/pruner-layer', plugins: layerPlugins as readonly PluginDefinition[] },
  { source: '@omniprune/pruner-filter', plugins: filterPlugins as readonly PluginDefinition[] },
  { source: '@omniprune/pruner-head', plugins: headPlugins as readonly PluginDefinition[] },
  { source: '@omniprune/onnx', plugins: [onnxFormat as unknown as PluginDefinition] },
  { source: '@omniprune/keras', plugins: [kerasH5Format, kerasFormat] as unknown as PluginDefinition[] },
  { source: '@omniprune/evaluators', plugins: evaluatorPlugins as unknown as PluginDefinition[] },
];

/**
 * A fresh container with every built-in plugin registered (explicitly, namespaced `<kind>:<name>`).
 * @example
 * const c = builtinContainer(); resolvePlugin(c, 'pruner', 'layer');
 */
export function builtinContainer(): PluginContainer {
  const c = createPluginContainer();
  for (const { source, plugins } of BUILTIN_PLUGINS) for (const p of plugins) registerPlugin(c, p, source);
  return c;
}

/**
 * The built-in plugins plus, when `pipeline` is given, the modules that pipeline lists under `plugins:`.
 * @example
 * const c = await containerFor('examples/my-pipeline.yaml');
 */
export async function containerFor(pipeline?: string): Promise<PluginContainer> {
  const c = builtinContainer();
  if (pipeline !== undefined) await loadPipelinePlugins(pipeline, c);
  return c;
}
