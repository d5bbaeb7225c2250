import { defineCommand } from 'citty';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { pipelineSchemaOf, listPlugins, pluginOrigin, checkWritableDir, writeFileAtomic } from '@omniprune/core';
import { benchSpecSchema } from '../bench/bench-spec.js';
import { containerFor } from '../shared/plugin-registry.js';

const pipelineArg = {
  type: 'string',
  description: 'Also load the plugin packages this pipeline lists under plugins:',
} as const;

function optionsSummary(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, { type?: string; default?: unknown; enum?: unknown[] }>;
  };
  const props = Object.entries(json.properties ?? {});
  if (props.length === 0) return '(no options)';
  return props
    .map(
      ([k, v]) =>
        `${k}${v.type ? `: ${v.type}` : ''}${v.enum ? ` (${v.enum.join('|')})` : ''}${v.default !== undefined ? ` = ${JSON.stringify(v.default)}` : ''}`,
    )
    .join(', ');
}

const list = defineCommand({
  meta: { name: 'list', description: 'List registered plugins with their kind, package and options' },
  args: { json: { type: 'boolean', default: false, description: 'Print JSON' }, pipeline: pipelineArg },
  async run({ args }) {
    const c = await containerFor(args.pipeline);
    const plugins = listPlugins(c);
    const rows = plugins.map((p) => {
      const origin = pluginOrigin(c, p.kind, p.name);
      return {
        token: `${p.kind}:${p.name}`,
        kind: p.kind,
        name: p.name,
        role: p.role,
        package: origin?.source,
        version: origin?.version,
        description: p.description,
        options: z.toJSONSchema(p.options, { io: 'input', unrepresentable: 'any' }),
      };
    });
    if (args.json) return void process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    for (const [i, r] of rows.entries()) {
      const from = `${r.package}${r.version ? `@${r.version}` : ''}`;
      process.stdout.write(`${r.token}${r.role ? ` [${r.role}]` : ''}  (${from})\n  ${r.description}\n  options: ${optionsSummary(plugins[i].options)}\n`);
    }
  },
});

const schema = defineCommand({
  meta: { name: 'schema', description: 'Write the pipeline JSON Schema (composed from every plugin) for editor autocompletion' },
  args: {
    out: { type: 'string', description: 'Output file (default: print to stdout)' },
    pipeline: pipelineArg,
    bench: { type: 'boolean', default: false, description: 'Write the JSON Schema of bench files (omniprune bench) instead' },
  },
  async run({ args }) {
    if (args.out) await checkWritableDir(dirname(resolve(args.out)), '--out folder');
    const json = args.bench
      ? z.toJSONSchema(benchSpecSchema, { io: 'input', unrepresentable: 'any' })
      : z.toJSONSchema(pipelineSchemaOf(await containerFor(args.pipeline)), { io: 'input', unrepresentable: 'any' });
    const text = `${JSON.stringify({ ...json, title: args.bench ? 'omniprune bench' : 'omniprune pipeline' }, null, 2)}\n`;
    if (args.out) {
      await writeFileAtomic(resolve(args.out), text);
      process.stderr.write(`wrote ${args.out}; reference it from a pipeline with: # yaml-language-server: $schema=${args.out}\n`);
    } else process.stdout.write(text);
  },
});

/** `omniprune plugins`: list plugins and write the pipeline JSON Schema. */
export default defineCommand({
  meta: { name: 'plugins', description: 'Inspect registered plugins (list) and write the pipeline JSON Schema (schema)' },
  subCommands: { list, schema },
});
