/** `perProposal` needs nothing of core, so plugins get it from `@omniprune/plugin-api`. */
export { perProposal } from '@omniprune/plugin-api';
