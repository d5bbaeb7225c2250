/**
 * The metric label of an epsilon: `8/255` when `epsilon * 255` is within a thousandth of an integer (YAML gives
 * `0.0313725` for 8/255), else the number itself.
 * @example
 * epsilonLabel(8 / 255) // '8/255'
 * epsilonLabel(0.1) // '0.1'
 */
export function epsilonLabel(epsilon: number): string {
  const levels = epsilon * 255;
  const rounded = Math.round(levels);
  return Math.abs(levels - rounded) < 1e-3 ? `${rounded}/255` : String(epsilon);
}
