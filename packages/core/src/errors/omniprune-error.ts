/** `OmnipruneError` and its codes are part of the plugin API: plugins throw them, core recognises them. */
export { OmnipruneError, INPUT_ERROR_CODES, isOmnipruneError } from '@omniprune/plugin-api';
export type { OmnipruneErrorCode, OmnipruneErrorOptions } from '@omniprune/plugin-api';
