import { defineCommand } from 'citty';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { OmnipruneError, checkWritableDir, type RunReport } from '@omniprune/core';
import { armHeads, armRow, formatPaired, formatSignificance, levelLabels, pairedCaption, smallSampleWarning } from '../compare/compare-html.js';
import { COMPARISON_FILES, writeComparison } from '../compare/write-comparison.js';
import { compareRuns, defaultArm, DEFAULT_LEVELS, runningNote, type ComparedRun } from '../compare/compare-runs.js';
import { formatTable } from '../shared/format-table.js';
import { scratchAsRun } from '../compare/scratch-run.js';

async function readRun(dir: string): Promise<RunReport> {
  const file = join(dir, 'report.json');
  const text = await readFile(file, 'utf8').catch(async (cause) => {
    const scratch = await scratchAsRun(dir);
    if (scratch) return scratch;
    throw new OmnipruneError('E_FILE_NOT_FOUND', `no run report at ${file}`, {
      cause,
      hint: 'pass run folders written by omniprune run (they hold report.json) or by train --reinit --images-of RUN',
    });
  });
  if (typeof text !== 'string') return text;
  try {
    const report = JSON.parse(text) as RunReport;
    if (!report.baseline || !Array.isArray(report.iterations) || !Array.isArray(report.pruners)) throw new Error('missing baseline, iterations or pruners');
    return report;
  } catch (cause) {
    throw new OmnipruneError('E_CORRUPT_FILE', `${file} is not an omniprune run report: ${(cause as Error).message}`, {
      cause,
      hint: 'pass run folders written by omniprune run',
    });
  }
}

function parseLevels(value: string | undefined): number[] {
  if (value === undefined) return [...DEFAULT_LEVELS];
  const levels = value.split(',').map((s) => Number(s.trim()));
  if (levels.length === 0 || levels.some((l) => !(l > 0 && l < 1))) {
    throw new OmnipruneError('E_BAD_INPUT', `--levels must be fractions in (0, 1), got "${value}"`, { hint: 'e.g. --levels 0.3,0.5,0.7,0.8' });
  }
  return levels.sort((a, b) => a - b);
}

/** `omniprune compare`: accuracy of several runs (arms x seeds) at common FLOPs levels, with mean and spread. */
export default defineCommand({
  meta: {
    name: 'compare',
    description:
      'Compare runs at common FLOPs reductions: accuracy change mean ± std per arm (runs grouped by their pruners, e.g. all at once vs --only layer vs --only filter, over seeds)',
  },
  args: {
    runs: {
      type: 'positional',
      required: true,
      description: 'Run folders (each holding report.json), any number; a from-scratch baseline (train --reinit --images-of RUN) is the arm scratch',
    },
    levels: { type: 'string', description: `FLOPs reductions to compare at, comma list of fractions (default: ${DEFAULT_LEVELS.join(',')})` },
    out: { type: 'string', description: 'Write compare.json and compare.html into this folder' },
    'paired-against': { type: 'string', description: 'Arm the others are compared to, paired by seed (default: the first arm)' },
    json: { type: 'boolean', default: false, description: 'Print the comparison as JSON' },
  },
  async run({ args }) {
    const dirs = (args._ as string[]).length ? (args._ as string[]) : [args.runs];
    const levels = parseLevels(args.levels);
    if (args.out) await checkWritableDir(args.out, '--out');
    const runs: ComparedRun[] = [];
    for (const dir of dirs) {
      const report = await readRun(resolve(dir));
      runs.push({ dir, arm: defaultArm(report), report });
    }
    const comparison = compareRuns(runs, levels, args['paired-against']);
    if (args.out) {
      await writeComparison(args.out, comparison);
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify(comparison, null, 2)}\n`);
      return;
    }
    process.stdout.write(`accuracy change (points) at FLOPs reduction, mean ± std over runs\n${formatTable(armHeads(levels), comparison.arms.map(armRow))}\n`);
    if (comparison.paired) {
      const pairedRows = comparison.paired.arms.map((a) => [a.arm, ...a.at.map(formatPaired)]);
      process.stdout.write(`\n${pairedCaption(comparison.paired.reference)}\n${formatTable(['arm', ...levelLabels(levels)], pairedRows)}\n`);
      const testRows = comparison.paired.arms.map((a) => [a.arm, ...a.at.map(formatSignificance)]);
      process.stdout.write(
        `\ntwo-sided paired tests (Wilcoxon signed-rank, Holm over arms; sign test; bootstrap 95 % CI, points)\n${formatTable(['arm', ...levelLabels(levels)], testRows)}\n`,
      );
      const warning = smallSampleWarning(comparison.paired);
      if (warning) process.stdout.write(`warning: ${warning}\n`);
    }
    const note = runningNote(comparison);
    if (note) process.stdout.write(`note: ${note}\n`);
    if (args.out) process.stdout.write(`wrote ${join(args.out, COMPARISON_FILES[0])}, ${COMPARISON_FILES.slice(1).join(', ')}\n`);
  },
});
