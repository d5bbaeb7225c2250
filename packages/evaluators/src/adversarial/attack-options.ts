import type { PixelSpace } from '../shared/pixel-space.js';

/** Options shared by the attacks: the L-infinity budget in raw pixels and the pixel space of the inputs. */
export interface AttackOptions extends PixelSpace {
  /** L-infinity radius of the perturbation, in raw pixel units (before normalisation), e.g. `8 / 255` on `[0, 1]` pixels. */
  readonly epsilon: number;
}

/** Options of {@link pgdAttack}: the shared ones plus the iteration schedule. */
export interface PgdOptions extends AttackOptions {
  /** Gradient-sign steps. Default 10. */
  readonly steps?: number;
  /** Step size as a fraction of `epsilon`. Default `2.5 / steps` (Madry et al. 2018). */
  readonly stepSize?: number;
  /** Start from a uniform random point of the epsilon ball (clipped to the pixel range). Default true. */
  readonly randomStart?: boolean;
  /** Seed of the random start (core's seeded generator). Default 0. */
  readonly seed?: number;
}

/** Throw a clear error for an unusable epsilon or pixel range. */
export function checkAttackOptions(options: AttackOptions): void {
  const [low, high] = options.pixelRange;
  if (!(Number.isFinite(options.epsilon) && options.epsilon >= 0)) {
    throw new RangeError(`[evaluator:adversarial] epsilon must be a finite number >= 0, got ${options.epsilon}`);
  }
  if (!(high > low)) throw new RangeError(`[evaluator:adversarial] pixelRange must be [low, high] with low < high, got [${low}, ${high}]`);
}
