import type { ArgsDef, CommandDef } from 'citty';
import { OmnipruneError } from '@omniprune/core';

// biome-ignore lint/suspicious/noExplicitAny: citty commands of every argument shape
type AnyCommand = CommandDef<any>;

/**
 * Levenshtein distance of two strings.
 * @example
 * editDistance('worker', 'workers') // 1
 */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length];
}

/**
 * The candidate closest to `word` when it is a plausible misspelling (distance at most a third of its length, at
 * least 2; a candidate that starts with `word` counts as distance 1), else undefined.
 * @example
 * closest('wroker', ['worker', 'bench']) // 'worker'
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: { c: string; d: number } | undefined;
  for (const c of candidates) {
    const d = c.startsWith(word) && word.length >= 3 ? 1 : editDistance(word, c);
    if (!best || d < best.d) best = { c, d };
  }
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.c : undefined;
}

const kebab = (name: string) => name.replace(/[A-Z]/g, (m) => `-${m.toLowerCase()}`);

function usage(message: string, command: string, suggestion?: string): OmnipruneError {
  return new OmnipruneError('E_BAD_INPUT', `${message}${suggestion ? ` (did you mean ${suggestion}?)` : ''}`, {
    hint: `run ${command} --help for usage`,
  });
}

async function subCommandsOf(cmd: AnyCommand): Promise<Record<string, unknown> | undefined> {
  const subs = typeof cmd.subCommands === 'function' ? await cmd.subCommands() : cmd.subCommands;
  return subs as Record<string, unknown> | undefined;
}

async function resolveCommand(entry: unknown): Promise<AnyCommand> {
  const resolved = typeof entry === 'function' ? await (entry as () => Promise<AnyCommand>)() : entry;
  return resolved as AnyCommand;
}

/**
 * Check a command line against the command definitions before anything runs: an unknown command, an unknown flag,
 * a missing flag value or an extra argument is a usage error (exit 2) naming the closest valid spelling.
 * `--help`/`-h` and `--version` are always accepted.
 * @throws OmnipruneError `E_BAD_INPUT`
 * @example
 * await checkArgs(rootCommand, ['bench', 'grid.yaml', '--worker', '4']) // throws: unknown option --worker ... (did you mean --workers?)
 */
export async function checkArgs(root: AnyCommand, argv: readonly string[]): Promise<void> {
  let cmd = root;
  let path = 'omniprune';
  let rest = [...argv];
  for (;;) {
    const subs = await subCommandsOf(cmd);
    if (!subs) break;
    const index = rest.findIndex((a) => !a.startsWith('-'));
    if (index < 0) break;
    const name = rest[index];
    if (!(name in subs)) throw usage(`unknown command "${name}" for ${path}`, path, closest(name, Object.keys(subs)));
    cmd = await resolveCommand(subs[name]);
    path = `${path} ${name}`;
    rest = [...rest.slice(0, index), ...rest.slice(index + 1)];
  }
  const args = ((typeof cmd.args === 'function' ? await cmd.args() : cmd.args) ?? {}) as ArgsDef;
  const flags = new Map<string, string>(); // spelling -> type
  for (const [name, def] of Object.entries(args)) {
    if (def.type === 'positional') continue;
    flags.set(kebab(name), def.type ?? 'string');
    flags.set(name, def.type ?? 'string');
  }
  const positionalDefs = Object.values(args).filter((d) => d.type === 'positional');
  // a positional described as taking "any number" (compare's run folders) takes the rest
  const positionals = positionalDefs.some((d) => /any number/.test(d.description ?? '')) ? Infinity : positionalDefs.length;
  let given = 0;
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i];
    if (token === '--') break;
    if (!token.startsWith('-') || /^-\d/.test(token)) {
      if (++given > positionals) {
        throw usage(
          `unexpected argument "${token}" for ${path} (it takes ${positionals === 0 ? 'no' : `at most ${positionals}`} positional argument${positionals === 1 ? '' : 's'})`,
          path,
        );
      }
      continue;
    }
    const [raw, inline] = token.replace(/^--?/, '').split(/=(.*)/s, 2);
    if (['help', 'h', 'version', 'v'].includes(raw)) continue;
    const negated = raw.startsWith('no-') && flags.get(raw.slice(3)) === 'boolean';
    const type = negated ? 'boolean' : flags.get(raw);
    if (!type) {
      const spellings = [...new Set([...flags.keys()].map(kebab))];
      const guess = closest(raw, spellings);
      throw usage(`unknown option --${raw} for ${path}`, path, guess ? `--${guess}` : undefined);
    }
    if (type !== 'boolean' && inline === undefined) {
      const value = rest[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) throw usage(`option --${raw} of ${path} needs a value`, path);
      i++;
    }
  }
}
