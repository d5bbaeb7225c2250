/** Similarity-metric contracts: declared in `@omniprune/plugin-api`. */
export type { Representation, SimilarityMetric, SimilarityAccumulator } from '@omniprune/plugin-api';
