import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '../../src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const parse = (file: string) => ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);

/** The names an entry file exports (`export { a, type B } from ...`). */
function exportedNames(file: string): string[] {
  const names: string[] = [];
  parse(file).forEachChild((n) => {
    if (ts.isExportDeclaration(n) && n.exportClause && ts.isNamedExports(n.exportClause)) names.push(...n.exportClause.elements.map((e) => e.name.text));
  });
  return names;
}

/** Every function of `file` longer than `max` lines, as `file:line (n lines)`. */
function longFunctions(file: string, max: number): string[] {
  const src = parse(file);
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n)) {
      const first = src.getLineAndCharacterOfPosition(n.getStart(src)).line;
      const lines = src.getLineAndCharacterOfPosition(n.getEnd()).line - first + 1;
      if (lines > max) out.push(`${file}:${first + 1} (${lines} lines)`);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

/** String literals of `file` (comments excluded by construction). */
function stringLiterals(file: string): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) out.push(n.text);
    ts.forEachChild(n, visit);
  };
  visit(parse(file));
  return out;
}

describe("core's shape (issue 26: a core a newcomer can read)", () => {
  it('keeps the root entry under 80 names, every other export in a subpath entry', () => {
    const names = exportedNames(join(SRC, 'index.ts'));
    expect(names.length).toBeGreaterThan(20);
    expect(names.length).toBeLessThan(80);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has no function over 80 lines in the run (src/prune)', () => {
    expect(tsFiles(join(SRC, 'prune')).flatMap((f) => longFunctions(f, 80))).toEqual([]);
  });

  it("names no built-in pruner or evaluator in the run's code: their rules come with their plugins", () => {
    const plugins = ['layer', 'filter', 'head', 'latency', 'energy', 'robustness', 'corruption', 'ood', 'adversarial'];
    const found = tsFiles(join(SRC, 'prune')).flatMap((f) =>
      stringLiterals(f)
        .filter((s) => plugins.includes(s))
        .map((s) => `${f}: '${s}'`),
    );
    expect(found).toEqual([]);
  });
});
