/**
 * A 32-bit seed derived from a run seed and integer parts (FNV-1a over the parts, then a murmur3 finaliser), so
 * that every (corruption, severity) or (batch, epsilon) draws from its own seeded stream.
 * @example
 * const rng = createRng(deriveSeed(ctx.seed, corruptionIndex, severity));
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (const part of parts) {
    h = Math.imul(h ^ (part >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
