import { z } from 'zod';
import { defineCriterion, type Representation, type SimilarityMetric } from '@omniprune/plugin-api';
import { pwcca, svcca } from './cca.js';
import { outputKlSimilarity, predictionAgreement } from './output-metrics.js';
import { procrustesSimilarity } from './procrustes.js';
import { rsa } from './rsa.js';

function metric(name: string, description: string, compute: (x: Representation, y: Representation) => number) {
  return defineCriterion({
    name,
    role: 'similarity',
    description,
    options: z.strictObject({}),
    create: (): SimilarityMetric => ({ role: 'similarity', name, similarity: compute }),
  });
}

/** Criterion plugin `procrustes`: {@link procrustesSimilarity}. */
export const procrustesPlugin = metric(
  'procrustes',
  'Orthogonal Procrustes similarity ||X^T Y||_* of centred, unit-norm representations (Ding et al. 2021)',
  procrustesSimilarity,
);
/** Criterion plugin `pwcca`: {@link pwcca}. */
export const pwccaPlugin = metric('pwcca', 'Projection-weighted CCA (Morcos et al. 2018); needs more samples than features', pwcca);
/** Criterion plugin `rsa`: {@link rsa}. */
export const rsaPlugin = metric('rsa', 'RSA: Spearman correlation of the Euclidean dissimilarity matrices (O(n^2) in samples)', rsa);
/** Criterion plugin `output-kl`: {@link outputKlSimilarity}; set `similarity.layer: logits`. */
export const outputKlPlugin = metric('output-kl', 'Output baseline: exp(-mean KL) of softmax predictions; use with layer: logits', outputKlSimilarity);
/** Criterion plugin `output-agreement`: {@link predictionAgreement}; set `similarity.layer: logits`. */
export const outputAgreementPlugin = metric(
  'output-agreement',
  'Output baseline: share of samples with the same predicted class; use with layer: logits',
  predictionAgreement,
);

/** Criterion plugin `svcca`: {@link svcca}. Options: `keep` (variance share, default 0.99). */
export const svccaPlugin = defineCriterion({
  name: 'svcca',
  role: 'similarity',
  description: 'SVCCA (Raghu et al. 2017): mean canonical correlation of the top singular directions',
  options: z.strictObject({ keep: z.number().gt(0).max(1).default(0.99) }),
  create: (options): SimilarityMetric => ({ role: 'similarity', name: 'svcca', similarity: (x, y) => svcca(x, y, options) }),
});
