/** Per-image confidence scores of one set (higher = more in-distribution). */
export interface OodScores {
  /** Maximum softmax probability (Hendrycks & Gimpel 2017). */
  readonly msp: Float64Array;
  /** Negative free energy `logsumexp(logits)` (Liu et al. 2020). */
  readonly energy: Float64Array;
}

/**
 * Maximum softmax probability and energy score (`logsumexp`) of every row of `[rows, classes]` logits, row-major.
 * The softmax is shift-invariant, so log-probabilities "up to a per-row constant" (the runners' `predictLogits`) give
 * the right MSP; the energy score needs true logits (see {@link energyIsDegenerate}).
 * @example
 * oodScores(new Float32Array([0, 0]), 2) // { msp: [0.5], energy: [Math.log(2)] }
 */
export function oodScores(logits: Float32Array, classes: number): OodScores {
  const rows = classes > 0 ? Math.floor(logits.length / classes) : 0;
  const msp = new Float64Array(rows);
  const energy = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const off = r * classes;
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[off + k]);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[off + k] - max);
    msp[r] = 1 / sum;
    energy[r] = max + Math.log(sum);
  }
  return { msp, energy };
}

/**
 * True when every energy score is 0 within `tolerance`: the rows were log-probabilities (a model without logits,
 * whose `predictLogits` returns `log` of its probabilities), so `logsumexp` is `log 1` everywhere and carries no
 * signal. Default tolerance 1e-3 (probabilities clipped at 1e-7 and float32 rounding move it slightly off 0).
 * @example
 * energyIsDegenerate(Float64Array.of(0, 1e-6)) // true
 */
export function energyIsDegenerate(energy: ArrayLike<number>, tolerance = 1e-3): boolean {
  for (let i = 0; i < energy.length; i++) if (!(Math.abs(energy[i]) <= tolerance)) return false;
  return energy.length > 0;
}
