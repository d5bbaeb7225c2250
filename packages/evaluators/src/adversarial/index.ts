/** The `adversarial` evaluator: FGSM and PGD-L-infinity robust accuracy. */
export { adversarialEvaluator, evaluateAdversarial, adversarialHeadline } from './adversarial-evaluator.js';
export { adversarialOptions, ATTACK_NAMES } from './adversarial-options.js';
export type { AdversarialOptions, AdversarialOptionsInput, AttackName } from './adversarial-options.js';
export { fgsmAttack, rawLossGradient } from './fgsm.js';
export { pgdAttack } from './pgd.js';
export type { AttackOptions, PgdOptions } from './attack-options.js';
export { robustAccuracy } from './robust-accuracy.js';
export type { RobustAccuracy, RobustAccuracyOptions } from './robust-accuracy.js';
export { epsilonLabel } from './epsilon-label.js';
