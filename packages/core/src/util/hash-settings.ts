import { createHash } from 'node:crypto';

/**
 * Stable hash of settings (object keys sorted at every level): equal settings give equal hashes across runs.
 * @example
 * hashSettings({ b: 1, a: [2] }) === hashSettings({ a: [2], b: 1 }) // true
 */
export function hashSettings(settings: unknown): string {
  const canonical = JSON.stringify(settings, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
