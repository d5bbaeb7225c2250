/** Model formats as plugins: declared in `@omniprune/plugin-api` (`readModel` and the registry live in `read-model.ts`). */
export { defineModelFormat } from '@omniprune/plugin-api';
export type { ModelFormat, ModelFormatPlugin, ModelOrigin, LoadedModel } from '@omniprune/plugin-api';
