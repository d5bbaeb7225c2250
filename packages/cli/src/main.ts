import { defineCommand, renderUsage, runCommand, type CommandDef } from 'citty';
import { INPUT_ERROR_CODES } from '@omniprune/plugin-api';
import { OmnipruneError } from '@omniprune/core';
import { checkArgs } from './shared/strict-args.js';
import { Interrupted } from './shared/interrupt.js';

/** The root command; subcommands load lazily so `--help` stays fast. */
export const rootCommand = defineCommand({
  meta: { name: 'omniprune', version: '0.1.0', description: 'Prune neural networks everywhere, all at once: filters, blocks and heads' },
  subCommands: {
    inspect: () => import('./commands/inspect.js').then((m) => m.default),
    train: () => import('./commands/train.js').then((m) => m.default),
    run: () => import('./commands/run.js').then((m) => m.default),
    validate: () => import('./commands/validate.js').then((m) => m.default),
    eval: () => import('./commands/eval.js').then((m) => m.default),
    plugins: () => import('./commands/plugins.js').then((m) => m.default),
    bench: () => import('./commands/bench.js').then((m) => m.default),
    export: () => import('./commands/export.js').then((m) => m.default),
    compare: () => import('./commands/compare.js').then((m) => m.default),
    worker: () => import('./commands/worker.js').then((m) => m.default),
  },
});

// biome-ignore lint/suspicious/noExplicitAny: citty commands of every argument shape
type AnyCommand = CommandDef<any>;

async function resolveSub(cmd: AnyCommand, args: string[]): Promise<[AnyCommand, AnyCommand | undefined]> {
  const subs = typeof cmd.subCommands === 'function' ? await cmd.subCommands() : cmd.subCommands;
  const name = args.find((a) => !a.startsWith('-'));
  if (!subs || !name || !(name in subs)) return [cmd, undefined];
  const entry = (subs as Record<string, unknown>)[name];
  const sub = (typeof entry === 'function' ? await (entry as () => Promise<AnyCommand>)() : entry) as AnyCommand;
  const [leaf, parent] = await resolveSub(sub, args.slice(args.indexOf(name) + 1));
  return [leaf, parent ?? cmd];
}

/** Exit code for an error: 2 for bad input (usage, YAML, missing files), 1 for a failed run. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof Interrupted) return err.exitCode;
  if (err instanceof OmnipruneError) return INPUT_ERROR_CODES.has(err.code) ? 2 : 1;
  // citty's usage errors (unknown command, missing or invalid argument) are CLIError
  if ((err as Error)?.name === 'CLIError') return 2;
  return 1;
}

/**
 * Run the CLI with `argv` (without `node bin`); returns the exit code instead of exiting.
 * @example
 * process.exitCode = await runCli(['inspect', '--zoo', 'resnet20', '--json']);
 */
export async function runCli(argv: string[]): Promise<number> {
  try {
    if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
      // an unknown command (or flag) is a usage error here too, not the main help
      await checkArgs(
        rootCommand,
        argv.filter((a) => a !== '--help' && a !== '-h'),
      );
      const [cmd, parent] = await resolveSub(rootCommand, argv);
      process.stdout.write(`${await renderUsage(cmd, parent)}\n`);
      return argv.length === 0 ? 2 : 0;
    }
    if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
      process.stdout.write('0.1.0\n');
      return 0;
    }
    await checkArgs(rootCommand, argv);
    await runCommand(rootCommand, { rawArgs: argv });
    return 0;
  } catch (err) {
    const code = exitCodeFor(err);
    const message = (err instanceof Error ? err.message : String(err)).replace(/\u001b\[[0-9;]*m/g, '');
    process.stderr.write(`omniprune: ${message}\n`);
    if (code === 2 && !(err instanceof OmnipruneError)) process.stderr.write('Run with --help for usage.\n');
    if (code === 1 && process.env.OMNIPRUNE_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    return code;
  }
}
