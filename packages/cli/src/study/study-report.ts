import { escapeHtml as esc } from '../shared/escape-html.js';
import { htmlPage } from '../shared/html-page.js';
import { formatTable } from '../shared/format-table.js';
import { minimumPValue } from '../bench/statistics/index.js';
import type { SeedStudy } from './oracle.js';
import type { ScorerResult } from './study-analysis.js';
import { studyFigures } from './study-plots.js';

const ci = (e: ScorerResult['spearman']) =>
  Number.isFinite(e.value) ? `${e.value.toFixed(3)} [${e.low.toFixed(3)}, ${e.high.toFixed(3)}]` : 'n/a (constant scores)';

/** The study's table rows: scorer, pool, variant, candidates, Spearman and Kendall with CIs, top-1 agreement, regret. */
export function studyRows(results: readonly ScorerResult[]): string[][] {
  return results.map((r) => [
    r.scorer,
    r.pool,
    r.variant,
    String(r.candidates),
    ci(r.spearman),
    ci(r.kendall),
    `${r.top1.agree}/${r.top1.of}`,
    `${(r.regret.mean * 100).toFixed(2)} ± ${(r.regret.std * 100).toFixed(2)}`,
    r.versus
      ? `${r.versus.difference.mean >= 0 ? '+' : ''}${r.versus.difference.mean.toFixed(3)}, p ${r.versus.test.pValue.toFixed(3)} (Holm ${r.versus.holm.toFixed(3)})`
      : '',
  ]);
}

/** The warning of a study with too few seeds for any paired difference to reach p < 0.05, else null. */
export function studyWarning(results: readonly ScorerResult[]): string | null {
  const n = Math.max(0, ...results.map((r) => r.versus?.test.n ?? 0));
  if (n === 0 || minimumPValue(n) < 0.05) return null;
  return `${n} seeds: no paired difference between scorers can reach p < 0.05 with fewer than 6 (smallest possible p ${minimumPValue(n).toFixed(3)}); the table ranks scorers, it cannot show that one is better`;
}

/** Column heads of {@link studyRows}. */
export const STUDY_HEADS = [
  'scorer',
  'pool',
  'variant',
  'candidates',
  'Spearman [95 % CI]',
  'Kendall [95 % CI]',
  'top-1 = oracle',
  'regret (points)',
  'rho vs first metric',
];

/** The study as text: the table and how to read it. */
export function studyText(results: readonly ScorerResult[], seeds: readonly number[]): string {
  return (
    `oracle study over seeds ${seeds.join(', ')}: rank correlation between each scorer and the test accuracy the candidate keeps ` +
    '(mean over seeds; 95 % CI resampling seeds and candidates), how often its top candidate is the most accurate one, and the accuracy lost against that one\n' +
    `${formatTable(STUDY_HEADS, studyRows(results))}\n` +
    (studyWarning(results) ? `warning: ${studyWarning(results)}\n` : '')
  );
}

/** A self-contained page of the study: the table, a score-vs-accuracy scatter per scorer and the regret per scorer. */
export function renderStudyHtml(name: string, results: readonly ScorerResult[], studies: readonly SeedStudy[]): string {
  const seeds = studies.map((s) => s.seed);
  const rows = studyRows(results)
    .map((r) => `<tr>${r.map((v) => `<td>${esc(v)}</td>`).join('')}</tr>`)
    .join('\n');
  return htmlPage(
    `omniprune oracle study: ${name}`,
    `<p>Seeds ${esc(seeds.join(', '))}. Every candidate of the pool (one per removable block, filter steps of several sizes) was fine-tuned with the pipeline's candidate budget and its test accuracy measured: the ground truth each scorer is judged against. Similarity metrics score a candidate by its similarity to the parent; block criteria score a layer candidate by minus its block's importance.</p>
<table id="study"><thead><tr>${STUDY_HEADS.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody></table>
${studyWarning(results) ? `<p class="warning" id="small-n"><b>${esc(studyWarning(results)!)}</b></p>` : ''}
${studyFigures(studies, results)}`,
  );
}
