export { PLUGIN_API_VERSION, definePruner, defineCriterion, defineTrainer, defineDataset } from './define-plugin.js';
export type { PluginContext, PluginDefinition, PluginKind } from './define-plugin.js';
export { createPluginContainer, registerPlugin, resolvePlugin, listPlugins, pluginOrigin, pluginToken } from './plugin-container.js';
export type { PluginContainer, PluginOrigin } from './plugin-container.js';
export { createPlugin, formatZodIssues } from './create-plugin.js';
export { coreServices } from './core-services.js';
export type { CoreServices } from './core-services.js';
export { loadPluginModules, resolvePluginModule, pluginsOfModule } from './load-plugin-modules.js';
export type { LoadedPluginModule } from './load-plugin-modules.js';
