import type { z } from 'zod';
import type { PluginKind } from '@omniprune/plugin-api';
import { OmnipruneError } from '../errors/omniprune-error.js';
import { formatZodIssues } from '../plugin/create-plugin.js';
import { pluginToken } from '../plugin/plugin-container.js';
import type { UnknownPluginParams } from './pipeline-schema.js';

type Issue = z.core.$ZodIssue;

/** The plugin kind (and criterion role) of the slot a path points into. */
const SLOTS: Readonly<Record<string, { kind: PluginKind; role?: 'similarity' }>> = {
  pruners: { kind: 'pruner' },
  similarity: { kind: 'criterion', role: 'similarity' },
  evaluate: { kind: 'evaluator' },
  trainer: { kind: 'trainer' },
  finetune: { kind: 'trainer' },
  model: { kind: 'trainer' },
};

/** `pruners[1].with.ratio` for `['pruners', 1, 'with', 'ratio']`. */
function pathText(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined), raw);
}

/** The plugin named where the issue is: `pruner:layer` for `pruners[0].with...`, the trainer for fine-tunes. */
function pluginAt(raw: unknown, path: readonly PropertyKey[]): string | undefined {
  const slot = SLOTS[String(path[0])];
  if (!slot) return undefined;
  if (slot.kind === 'trainer') return pluginToken('trainer', String(valueAt(raw, ['trainer']) ?? 'sgd'));
  const use = valueAt(raw, [...path.slice(0, typeof path[1] === 'number' ? 2 : 1), 'use']);
  return typeof use === 'string' ? pluginToken(slot.kind, use) : undefined;
}

/** The first issue naming a plugin no one registered, with its kind, role and the names allowed there. */
function unknownPlugin(issues: readonly Issue[]): { issue: Issue; kind: PluginKind; role?: string; allowed: readonly string[] } | undefined {
  for (const issue of issues) {
    const params = (issue as { params?: Partial<UnknownPluginParams> }).params?.unknownPlugin;
    if (params) return { issue, ...params };
    const last = issue.path[issue.path.length - 1];
    const slot = SLOTS[String(issue.path[0])];
    if (!slot || (last !== 'use' && last !== 'trainer')) continue;
    if (issue.code === 'invalid_union' && 'discriminator' in issue)
      return { issue, ...slot, allowed: ((issue as { options?: unknown[] }).options ?? []).filter((o): o is string => typeof o === 'string') };
    if (issue.code === 'invalid_value') return { issue, ...slot, allowed: issue.values.map(String) };
  }
  return undefined;
}

/**
 * The error of a pipeline the composed schema rejected: E_UNKNOWN_PLUGIN naming the slot and the allowed names when a
 * `use:` (or `trainer:`, or a pruner's criterion option) names no registered plugin, else E_SCHEMA listing every issue
 * by path (`pruners[1].with.ratio: ...`).
 */
export function pipelineError(error: z.ZodError, raw: unknown, file: string): OmnipruneError {
  const unknown = unknownPlugin(error.issues);
  if (unknown) {
    const { issue, kind, role, allowed } = unknown;
    const name = String(valueAt(raw, issue.path));
    return new OmnipruneError('E_UNKNOWN_PLUGIN', `${pathText(issue.path)}: unknown ${role ?? kind} "${name}"`, {
      plugin: pluginToken(kind, name),
      hint: allowed.length ? `allowed values: ${allowed.join(', ')}` : `no ${role ?? kind} plugins are registered; add a package under plugins:`,
    });
  }
  const plugin = pluginAt(raw, error.issues[0]?.path ?? []);
  const inPluginOptions = plugin && error.issues[0].path.some((p) => p === 'with' || p === 'finetune' || p === 'train');
  return new OmnipruneError('E_SCHEMA', `invalid pipeline${file ? ` ${file}` : ''}:\n  ${formatZodIssues(error, '')}`, {
    ...(inPluginOptions ? { plugin } : {}),
    hint: inPluginOptions
      ? `see \`omniprune plugins list\` for the options of ${plugin}`
      : 'see the JSON Schema from `omniprune plugins schema` or examples/quickstart.yaml',
  });
}
