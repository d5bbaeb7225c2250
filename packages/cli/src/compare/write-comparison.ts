import { join } from 'node:path';
import { writeFileAtomic } from '@omniprune/core';
import { comparisonSvg, renderComparisonHtml } from './compare-html.js';
import type { Comparison } from './compare-runs.js';

/** The files {@link writeComparison} writes, in order. */
export const COMPARISON_FILES = ['compare.json', 'compare.html', 'compare.svg'] as const;

/**
 * Write a comparison into `outDir`, each file atomically: `compare.json` (the data), `compare.html` (plot and table)
 * and `compare.svg` (the plot alone, for a README or a paper).
 * @example
 * await writeComparison('runs/bench', compareRuns(runs));
 */
export async function writeComparison(outDir: string, comparison: Comparison): Promise<void> {
  await writeFileAtomic(join(outDir, 'compare.json'), `${JSON.stringify(comparison, null, 2)}\n`);
  await writeFileAtomic(join(outDir, 'compare.html'), renderComparisonHtml(comparison));
  await writeFileAtomic(join(outDir, 'compare.svg'), `${comparisonSvg(comparison)}\n`);
}
