import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const SUITES = ['test/conv-kernels.test.ts', 'test/batch-norm.test.ts', 'test/eltwise-kernels.test.ts', 'test/sgd-update.test.ts'];

interface JsonReport {
  numTotalTests: number;
  numPendingTests: number;
  numFailedTests: number;
  testResults: { assertionResults: { status: string; failureMessages: string[] }[] }[];
}

/** Run the native suites in a child vitest with the addon hidden (`OMNIPRUNE_SKIP_NATIVE`) and `env` on top. */
function runHidden(env: Record<string, string | undefined>): { status: number | null; report: JsonReport; output: string } {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, OMNIPRUNE_SKIP_NATIVE: '1', OMNIPRUNE_REQUIRE_NATIVE: undefined, FORCE_COLOR: '0', ...env };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const json = join(mkdtempSync(join(tmpdir(), 'native-suite-')), 'report.json');
  const r = spawnSync(process.execPath, [VITEST, 'run', ...SUITES, '--reporter=default', '--reporter=json', `--outputFile.json=${json}`], {
    cwd: ROOT,
    env: childEnv,
    encoding: 'utf8',
  });
  return { status: r.status, report: JSON.parse(readFileSync(json, 'utf8')) as JsonReport, output: r.stdout + r.stderr };
}

describe('native suites on a machine without the addon', () => {
  it('skip every test, saying why, and pass', { timeout: 180_000 }, () => {
    const { status, report, output } = runHidden({});
    expect(status).toBe(0);
    expect(report.numTotalTests).toBeGreaterThan(10);
    expect(report.numPendingTests).toBe(report.numTotalTests);
    expect(output).toMatch(/\[skip\] @omniprune\/backend-native: native kernels turned off \(OMNIPRUNE_SKIP_NATIVE is set\)/);
  });

  it('fail every test with the reason under OMNIPRUNE_REQUIRE_NATIVE (CI)', { timeout: 180_000 }, () => {
    const { status, report } = runHidden({ OMNIPRUNE_REQUIRE_NATIVE: '1' });
    expect(status).not.toBe(0);
    expect(report.numFailedTests).toBe(report.numTotalTests);
    const messages = report.testResults.flatMap((f) => f.assertionResults.flatMap((a) => a.failureMessages));
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) expect(m).toMatch(/native kernels turned off .*OMNIPRUNE_REQUIRE_NATIVE is set, so the native kernel suites must run/);
  });
});
