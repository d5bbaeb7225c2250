export { PLUGIN_API_VERSION, definePruner, defineCriterion, defineTrainer, defineDataset } from './define-plugin.js';
export type { PluginContext, PluginDefinition, PluginKind } from './define-plugin.js';
export { createPluginContainer, registerPlugin, resolvePlugin, listPlugins, pluginToken } from './plugin-container.js';
export type { PluginContainer } from './plugin-container.js';
export { createPlugin, formatZodIssues } from './create-plugin.js';
