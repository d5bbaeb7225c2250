/** Statistics of the metric bench: rank correlations, bootstrap intervals, paired tests, multiple-testing correction. */
export { averageRanks } from '@omniprune/criteria-similarity';
export { pearson, spearman, kendall } from './rank-correlation.js';
export { bootstrap, nestedBootstrap } from './bootstrap.js';
export type { Estimate, BootstrapOptions } from './bootstrap.js';
export { wilcoxonSignedRank, signTest, holm, minimumPValue } from './paired-tests.js';
export type { PairedTest } from './paired-tests.js';
