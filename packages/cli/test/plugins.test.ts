import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from './run-cli.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('omniprune plugins', () => {
  it('lists every built-in plugin with its kind, package and options', async () => {
    const r = await runCliCaptured(['plugins', 'list', '--json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as { token: string; package: string; options: { properties?: Record<string, unknown> } }[];
    const tokens = rows.map((x) => x.token);
    for (const t of ['trainer:sgd', 'criterion:linear-cka', 'pruner:layer', 'pruner:filter', 'criterion:block-kl', 'criterion:l1']) expect(tokens).toContain(t);
    expect(rows.find((x) => x.token === 'pruner:layer')!.package).toBe('@omniprune/pruner-layer');
    expect(Object.keys(rows.find((x) => x.token === 'pruner:filter')!.options.properties!)).toContain('budget');
  });

  it('the committed JSON Schema is the one the registered plugins compose', async () => {
    const r = await runCliCaptured(['plugins', 'schema']);
    expect(r.code).toBe(0);
    const committed = await readFile(join(ROOT, 'schema/pipeline.schema.json'), 'utf8');
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(committed));
    const schema = JSON.parse(committed);
    expect(JSON.stringify(schema.properties.pruners)).toMatch(/"const":"filter"/);
    const bench = await runCliCaptured(['plugins', 'schema', '--bench']);
    expect(JSON.parse(bench.stdout)).toEqual(JSON.parse(await readFile(join(ROOT, 'schema/bench.schema.json'), 'utf8')));
    expect(Object.keys(JSON.parse(bench.stdout).properties)).toEqual(expect.arrayContaining(['pipeline', 'metrics', 'seeds', 'grid', 'workers', 'sanity']));
  });
});
