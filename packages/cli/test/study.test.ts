import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { writeTinyPipeline } from './pipeline-fixtures.js';
import { runCliCaptured } from './run-cli.js';
import { cliWithStderr, waitFor } from './spawn-cli.js';

const study = { filterRatios: [0.1, 0.3], maxBlocks: 3, blockCriteria: ['block-influence', 'block-last'] };

/** A bench of the tiny pipeline with two metrics and the study settings above, its output in `out`. */
async function writeBench(dir: string, name: string, out: string): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  await writeFile(file, stringify({ pipeline: 'pipeline.yaml', metrics: ['linear-cka', 'procrustes'], seeds: [1], output: out, study }));
  return file;
}

const outcomes = async (out: string) => {
  const dir = join(out, 'study', 'seed-1', 'candidates');
  const files = (await readdir(dir)).sort();
  return Promise.all(files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8'))));
};

describe('bench --oracle', () => {
  it('fine-tunes each candidate of the pool once, resumes after kill -9 to the same outcomes, and ranks every scorer', { timeout: 900_000 }, async () => {
    const { dir } = await writeTinyPipeline();
    // the uninterrupted study
    const whole = await runCliCaptured(['bench', await writeBench(dir, 'whole', 'whole'), '--oracle']);
    expect(whole.code, whole.stderr).toBe(0);
    const expected = await outcomes(join(dir, 'whole'));
    expect(expected).toHaveLength(5); // 3 blocks + 2 filter sizes
    expect(expected.map((o) => o.kind)).toEqual(['layer', 'layer', 'layer', 'filter', 'filter']);
    // killed after its first candidate, then resumed
    const bench = await writeBench(dir, 'killed', 'killed');
    const killed = cliWithStderr(['bench', bench, '--oracle']);
    await waitFor(async () => /candidate 1\/5/.test(killed.stderr()), 600_000);
    killed.child.kill('SIGKILL');
    await killed.exited;
    const resumed = await runCliCaptured(['bench', bench, '--oracle']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const lines = `${killed.stderr()}${resumed.stderr}`.match(/candidate \d\/5/g) ?? [];
    expect(new Set(lines).size).toBe(lines.length); // no candidate fine-tuned twice
    expect(resumed.stderr).not.toMatch(/candidate 1\/5/);
    const strip = (o: { seconds: number }) => ({ ...o, seconds: 0 });
    expect((await outcomes(join(dir, 'killed'))).map(strip)).toEqual(expected.map(strip));
    // the table: every metric on both pools and both variants, each block criterion on the layer pool
    const json = JSON.parse(await readFile(join(dir, 'whole', 'study.json'), 'utf8'));
    expect(json.results.map((r: { scorer: string; pool: string; variant: string }) => `${r.scorer}/${r.pool}/${r.variant}`)).toEqual([
      'linear-cka/all/fine-tuned',
      'linear-cka/layer/fine-tuned',
      'procrustes/all/fine-tuned',
      'procrustes/layer/fine-tuned',
      'block-influence/layer/fine-tuned',
      'block-last/layer/fine-tuned',
      'linear-cka/all/no fine-tune',
      'linear-cka/layer/no fine-tune',
      'procrustes/all/no fine-tune',
      'procrustes/layer/no fine-tune',
      'block-influence/layer/no fine-tune',
      'block-last/layer/no fine-tune',
    ]);
    expect(whole.stdout).toMatch(/oracle study over seeds 1[\s\S]*scorer\s+pool\s+variant[\s\S]*block-last\s+layer\s+fine-tuned\s+3\s/);
    const html = await readFile(join(dir, 'whole', 'study.html'), 'utf8');
    expect(html).toMatch(/<table id="study">[\s\S]*block-influence/);
    // a scatter per scorer (5 candidates for a metric, 3 layer candidates for a block criterion) and the regret bars
    expect((html.match(/class="point"/g) ?? []).length).toBe(2 * 5 + 2 * 3);
    expect((html.match(/class="bar"/g) ?? []).length).toBe(6);
  });
});
