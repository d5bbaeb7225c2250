/** Similarity-metric contracts: declared in `@omniprune/plugin-api`. */
export type { Representation, SimilarityMetric } from '@omniprune/plugin-api';
