/** The option schema of a regular expression and the include/exclude name test: plugin-api's, for core's own use. */
export { nameFilter, regexOption } from '@omniprune/plugin-api';
