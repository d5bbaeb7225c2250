import fc from 'fast-check';

/**
 * Fuzz budget: `OMNIPRUNE_FUZZ_RUNS` cases per property (default 25: the CI run, seconds per property), seeded by
 * `OMNIPRUNE_FUZZ_SEED` (default 20261130, so CI failures reproduce; `random` takes the clock). `pnpm fuzz` runs 500
 * cases per property with a random seed; fast-check prints the seed and the shrunk counterexample of a failure, and
 * `OMNIPRUNE_FUZZ_SEED=<that seed>` replays it.
 */
export const FUZZ_RUNS = Number(process.env.OMNIPRUNE_FUZZ_RUNS ?? 25);
export const FUZZ_SEED = process.env.OMNIPRUNE_FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.OMNIPRUNE_FUZZ_SEED ?? 20261130);
if (process.env.OMNIPRUNE_FUZZ_SEED === 'random') process.stderr.write(`fuzz seed ${FUZZ_SEED}\n`);

fc.configureGlobal({ numRuns: FUZZ_RUNS, seed: FUZZ_SEED });

/**
 * What every failure must look like: an omniprune error (a stable code and a message for the user), never a raw
 * TypeError/RangeError or a stack trace.
 * @example
 * expectUserError(await load(mutated).catch((e) => e));
 */
export function isUserFacing(err: unknown): boolean {
  return !!err && typeof err === 'object' && (err as { name?: string }).name === 'OmnipruneError' && typeof (err as { code?: unknown }).code === 'string';
}

/** `bytes` with `edits` applied: each edit overwrites, inserts or deletes one byte at a position (mod the length), or truncates. */
export const byteEdits = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), value: fc.constant(0) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(), value: fc.constant(0) }),
  ),
  { minLength: 1, maxLength: 8 },
);

export function applyEdits(bytes: Uint8Array, edits: readonly { kind: string; at: number; value: number }[]): Uint8Array {
  let out = Array.from(bytes);
  for (const e of edits) {
    const at = out.length === 0 ? 0 : e.at % (out.length + (e.kind === 'insert' ? 1 : 0));
    if (e.kind === 'set' && out.length) out[at] = e.value;
    else if (e.kind === 'insert') out.splice(at, 0, e.value);
    else if (e.kind === 'delete') out.splice(at, 1);
    else if (e.kind === 'truncate') out = out.slice(0, at);
  }
  return Uint8Array.from(out);
}

/** One change somewhere in a JSON value: the walk picks a child per step (index mod the number of children). */
export const jsonEdits = fc.array(
  fc.record({
    walk: fc.array(fc.nat(), { maxLength: 8 }),
    op: fc.constantFrom('delete', 'replace', 'wrap', 'unknown-key'),
    value: fc.jsonValue({ maxDepth: 2 }),
  }),
  { minLength: 1, maxLength: 4 },
);

/** A deep copy of `value` with `edits` applied (see {@link jsonEdits}). */
export function applyJsonEdits(value: unknown, edits: readonly { walk: number[]; op: string; value: unknown }[]): unknown {
  const root = { v: structuredClone(value) as unknown };
  for (const e of edits) {
    let parent: Record<string | number, unknown> = root as Record<string, unknown>;
    let key: string | number = 'v';
    for (const step of e.walk) {
      const node: unknown = parent[key];
      if (!node || typeof node !== 'object') break;
      const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
      if (keys.length === 0) break;
      parent = node as Record<string | number, unknown>;
      key = keys[step % keys.length];
    }
    if (e.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (e.op === 'replace') parent[key] = e.value;
    else if (e.op === 'wrap') parent[key] = [parent[key]];
    else if (parent[key] && typeof parent[key] === 'object' && !Array.isArray(parent[key])) (parent[key] as Record<string, unknown>).fuzzUnknownKey = e.value;
  }
  return root.v;
}
