/** @omniprune/core/util: see ../README.md and this folder's files. Every export is listed explicitly. */
export { createRng } from './rng.js';
export type { Rng } from './rng.js';
export { makeDirs, writeError } from './atomic-write.js';
export { nameFilter, regexOption } from './name-filter.js';
export { hashSettings } from './hash-settings.js';
