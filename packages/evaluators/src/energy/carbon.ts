/**
 * Default grid carbon intensity, grams CO2-eq per kWh: the world-average figure used by Lacoste et al. 2019's
 * "Machine Learning CO2 Impact" calculator (and commonly quoted with it). Set your region's value for real numbers.
 */
export const DEFAULT_GRAMS_CO2_PER_KWH = 475;

/**
 * Grams CO2-eq of `joules` at `gramsCo2PerKwh` (1 kWh = 3.6 MJ).
 * @example
 * gramsCo2(3.6e6, 475) // 475
 */
export function gramsCo2(joules: number, gramsCo2PerKwh: number = DEFAULT_GRAMS_CO2_PER_KWH): number {
  return (joules / 3.6e6) * gramsCo2PerKwh;
}
