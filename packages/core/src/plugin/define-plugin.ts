/** The plugin definition and its helpers live in `@omniprune/plugin-api`; core implements that API version. */
export { PLUGIN_API_VERSION, CRITERION_ROLES, definePruner, defineCriterion, defineTrainer, defineEvaluator } from '@omniprune/plugin-api';
export type { PluginContext, PluginDefinition, PluginKind } from '@omniprune/plugin-api';
