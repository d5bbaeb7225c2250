/**
 * @omniprune/criteria-similarity: similarity metrics beyond CKA (orthogonal Procrustes, SVCCA, PWCCA, RSA) and
 * output-level baselines, with their criterion plugins.
 */
import { outputAgreementPlugin, outputKlPlugin, procrustesPlugin, pwccaPlugin, rsaPlugin, svccaPlugin } from './plugins.js';

export { procrustesSimilarity } from './procrustes.js';
export { centered, symmetricEigen, transposeTimes } from './linalg.js';
export type { Matrix } from './linalg.js';
export { svcca, pwcca, canonicalCorrelations } from './cca.js';
export type { SvccaOptions } from './cca.js';
export { rsa } from './rsa.js';
export { averageRanks, pearson, spearman } from './rank-correlation.js';
export { outputKlSimilarity, predictionAgreement } from './output-metrics.js';
export { procrustesPlugin, svccaPlugin, pwccaPlugin, rsaPlugin, outputKlPlugin, outputAgreementPlugin } from './plugins.js';

/** Every plugin of this package, for registration. */
export const plugins = [procrustesPlugin, svccaPlugin, pwccaPlugin, rsaPlugin, outputKlPlugin, outputAgreementPlugin];
