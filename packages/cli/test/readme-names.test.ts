import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * READMEs match the code: every code name a README puts in backticks exists in the TypeScript sources.
 *
 * Checked READMEs: the root one, every `README.md` under `examples/` and under `packages/` (nested `src/**` ones too).
 * Checked spans: inline code (fenced blocks are skipped) that is a call, `name(` / `name(...)` (snake_case too), or a
 * single word of at least 6 characters with an uppercase letter after the first (`runPipeline`, `ImageDataset`,
 * `PLUGIN_API_VERSION`). Paths, dotted names, file names, flags and anything with a space are not checked.
 * Sources: `.ts` files in the `src/` folder of every package and example, and the helpers of their `test/` folders
 * (not `.test.ts` files); a name counts when it is an identifier or a word of a string literal there. Comments do not count, so a name that
 * survives only in TSDoc (a stale `{@link}` or prose) is still reported.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Names a README may mention that no omniprune TypeScript declares, each with why. A name belongs here only when it is
 * not ours (a config key; a JavaScript, TF.js, Keras or PyTorch name) or lives outside TypeScript.
 */
const NOT_OURS: Readonly<Record<string, string>> = {
  allowBuilds: 'pnpm-workspace.yaml key',
  TypeError: 'JavaScript built-in',
  ReluGrad: 'TF.js kernel name (the backend-native README says TF.js has none)',
  TFOpLambda: 'Keras layer class TF.js has no class for',
  MultiHeadAttention: 'Keras layer class TF.js has no class for',
  CrossEntropyLoss: 'PyTorch class (examples/pytorch/*.py)',
  resnet18: 'torchvision model (examples/pytorch/*.py)',
  feature_space_linear_cka: "Python reference implementation of CKA (Kornblith et al.'s notebook)",
  E_NATIVE: 'error code thrown by the C++ addon (packages/backend-native/native/addon.cc)',
};

const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', 'coverage']);

function walk(dir: string, keep: (path: string) => boolean): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    if (SKIPPED_DIRS.has(e.name) || e.name.startsWith('.')) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return walk(path, keep);
    return keep(path) ? [path] : [];
  });
}

function readmeFiles(): string[] {
  const isReadme = (p: string) => p.endsWith('/README.md');
  return [join(ROOT, 'README.md'), ...walk(join(ROOT, 'examples'), isReadme), ...walk(join(ROOT, 'packages'), isReadme)];
}

function sourceFiles(): string[] {
  const isSource = (p: string) => p.endsWith('.ts') && !p.endsWith('.d.ts') && !p.endsWith('.test.ts');
  return ['packages', 'examples'].flatMap((top) =>
    readdirSync(join(ROOT, top), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => [...walk(join(ROOT, top, e.name, 'src'), isSource), ...walk(join(ROOT, top, e.name, 'test'), isSource)]),
  );
}

const WORD = /[A-Za-z_$][\w$]*/g;

/** Identifiers and words of string literals in TypeScript code; comments are not part of the syntax tree walked. */
function codeWords(files: readonly { path: string; text: string }[]): Set<string> {
  const words = new Set<string>();
  for (const { path, text } of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) words.add(node.text.replace(/^#/, ''));
      else if (ts.isStringLiteralLike(node) || ts.isTemplateLiteralToken(node)) for (const w of node.text.match(WORD) ?? []) words.add(w);
      ts.forEachChild(node, visit);
    };
    visit(ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false));
  }
  return words;
}

const CALL = /^([A-Za-z_][\w$]*)\((?:.*\))?$/s;
const SINGLE_WORD = /^[A-Za-z_][\w$]*$/;

/** The code names a README's inline code spans mention (see the rule at the top of this file). */
function mentionedNames(markdown: string): { name: string; span: string }[] {
  const prose = markdown.replace(/^ {0,3}(`{3,}|~{3,})[^\n]*\n[\s\S]*?^ {0,3}\1[^\n]*$/gm, '');
  const names: { name: string; span: string }[] = [];
  for (const m of prose.matchAll(/`([^`]+)`/g)) {
    const span = m[1].replace(/\s+/g, ' ').trim();
    const call = CALL.exec(span);
    if (call) names.push({ name: call[1], span });
    else if (SINGLE_WORD.test(span) && span.length >= 6 && /[A-Z]/.test(span.slice(1))) names.push({ name: span, span });
  }
  return names;
}

/** `README path: name` for every mentioned name that is neither in the code nor in {@link NOT_OURS}. */
function missingNames(readmes: readonly { path: string; text: string }[], words: ReadonlySet<string>): string[] {
  return readmes.flatMap(({ path, text }) =>
    mentionedNames(text)
      .filter(({ name }) => !words.has(name) && !(name in NOT_OURS))
      .map(({ name, span }) => `${path}: ${name}${span === name ? '' : ` (in \`${span}\`)`}`),
  );
}

describe('README code names', () => {
  it('the rule reports a removed helper and a misspelt function, not a declared one or a name in a comment only', () => {
    const words = codeWords([
      {
        path: 'timed-model.ts',
        text: '/** Falls back to TF.js: see `timedModelOf(runner)`. */\nexport function timedModelOn(runner: unknown) {}\nexport const defineTrainer = 1;',
      },
    ]);
    const readme = [
      'Use `defineTrainer` or `defineDataset`; time with `timedModelOf(runner)` or `timedModelOn()`.',
      '```ts\nconst x = `defineNothing`;\n```',
      'Skipped: `src/timed-model.ts`, `--only PRUNERS`, `ctx.services.tf`, `model.json`, `plugin`, `steps[1].with.ratio`.',
    ].join('\n');
    expect(missingNames([{ path: 'README.md', text: readme }], words)).toEqual([
      'README.md: defineDataset',
      'README.md: timedModelOf (in `timedModelOf(runner)`)',
    ]);
  });

  it('every name a README mentions exists in the TypeScript sources', () => {
    const words = codeWords(sourceFiles().map((path) => ({ path, text: readFileSync(path, 'utf8') })));
    const readmes = readmeFiles().map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }));
    expect(readmes.length).toBeGreaterThan(15);
    expect(readmes.reduce((n, r) => n + mentionedNames(r.text).length, 0)).toBeGreaterThan(300);
    expect(missingNames(readmes, words), 'README names with no declaration in packages/*/src, examples/*/src or test helpers').toEqual([]);
  });
});
