import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const CORE = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A resolve hook that makes `@omniprune/backend-native` missing, as when the optional dependency was not installed. */
const HIDE_NATIVE = `export async function resolve(specifier, context, next) {
  if (specifier === '@omniprune/backend-native') {
    const err = new Error("Cannot find package '@omniprune/backend-native' imported from " + context.parentURL);
    err.code = 'ERR_MODULE_NOT_FOUND';
    throw err;
  }
  return next(specifier, context);
}
`;

describe('@omniprune/backend-native is an optional dependency', () => {
  it("when it is not installed, 'auto' says why native is unavailable and falls back to wasm", { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'omniprune-no-native-'));
    await writeFile(join(dir, 'hide-native.mjs'), HIDE_NATIVE);
    const script = join(dir, 'main.mts');
    await writeFile(
      script,
      `import { initBackend } from ${JSON.stringify(pathToFileURL(join(CORE, 'src/index.ts')).href)};
import { describeBackend } from ${JSON.stringify(pathToFileURL(join(CORE, 'src/backend/index.ts')).href)};
console.log(describeBackend(await initBackend()));
`,
    );
    const register = `data:text/javascript,import{register}from'node:module';register(${JSON.stringify(pathToFileURL(join(dir, 'hide-native.mjs')).href)})`;
    const env: NodeJS.ProcessEnv = { ...process.env, OMNIPRUNE_WASM_THREADS: '1' };
    delete env.OMNIPRUNE_BACKEND;
    delete env.OMNIPRUNE_SKIP_NATIVE;
    const line = execFileSync(process.execPath, ['--conditions=omniprune-src', '--import', 'tsx', '--import', register, script], {
      cwd: CORE,
      env,
      encoding: 'utf8',
    });
    expect(line.trim()).toMatch(
      /^backend: wasm, 1 thread \(tfjs-node-gpu unavailable: .*; tfjs-node unavailable: .*; native unavailable: package not installed\)$/,
    );
  });
});
