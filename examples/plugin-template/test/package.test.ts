import { readFile, readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('the published package', () => {
  it('peer-depends on @omniprune/plugin-api alone (no core, no native build), and its sources import nothing else', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.peerDependencies).toEqual({ '@omniprune/plugin-api': '^0.1.0' });
    expect(pkg.dependencies ?? {}).toEqual({});
    const imports = new Set<string>();
    for (const file of await readdir(join(ROOT, 'src'))) {
      const text = await readFile(join(ROOT, 'src', file), 'utf8');
      for (const m of text.matchAll(/\bfrom\s*['"]([^'"]+)['"]/g)) imports.add(m[1]);
    }
    expect([...imports].filter((s) => !s.startsWith('./'))).toEqual(['@omniprune/plugin-api']);
  });
});
