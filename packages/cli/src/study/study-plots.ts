import { escapeHtml as esc } from '../shared/escape-html.js';
import type { SeedStudy } from './oracle.js';
import { scoreOf, type ScorerResult } from './study-analysis.js';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/**
 * One small scatter plot: each candidate's score (x, scaled per seed to [0, 1] so seeds share the axis) against its test
 * accuracy after fine-tuning (y), one colour per seed, `class="point"` circles with the candidate in their title.
 */
function scatter(studies: readonly SeedStudy[], scorer: string): string {
  const W = 300,
    H = 220,
    L = 48,
    R = 10,
    T = 22,
    B = 30;
  const points = studies.flatMap((s, k) => {
    const scored = s.outcomes.flatMap((o) => {
      const x = scoreOf(s, o, scorer, 'fine-tuned');
      return x === undefined || !Number.isFinite(x) ? [] : [{ x, y: o.accuracyAfter, o }];
    });
    const lo = Math.min(...scored.map((p) => p.x));
    const hi = Math.max(...scored.map((p) => p.x));
    return scored.map((p) => ({ ...p, x: hi > lo ? (p.x - lo) / (hi - lo) : 0.5, color: PALETTE[k % PALETTE.length], seed: s.seed }));
  });
  const ys = points.map((p) => p.y);
  const yMin = Math.min(...ys) - 0.002;
  const yMax = Math.max(...ys) + 0.002;
  const sx = (x: number) => L + x * (W - L - R);
  const sy = (y: number) => T + (1 - (y - yMin) / (yMax - yMin || 1)) * (H - T - B);
  const circles = points.map(
    (p) =>
      `<circle class="point" cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="4" fill="${p.color}"><title>${esc(`seed ${p.seed}: ${p.o.summary}: ${(p.y * 100).toFixed(2)} %`)}</title></circle>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(scorer)}: score vs accuracy">
  <rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="#fafafa" stroke="#ccc"/>
  <text x="${L}" y="14" font-size="12">${esc(scorer)}</text>
  <text x="${L - 4}" y="${T + 10}" font-size="10" text-anchor="end">${(yMax * 100).toFixed(1)}</text>
  <text x="${L - 4}" y="${H - B}" font-size="10" text-anchor="end">${(yMin * 100).toFixed(1)}</text>
  <text x="${(L + W - R) / 2}" y="${H - 8}" font-size="10" text-anchor="middle">score (scaled per seed) &#8594;</text>
  ${circles.join('\n  ')}
</svg>`;
}

/** Horizontal bars: each scorer's mean regret (points of accuracy lost against the oracle's pick), fine-tuned, over all seeds. */
function regretBars(results: readonly ScorerResult[]): string {
  const rows = results.filter((r) => r.variant === 'fine-tuned');
  const W = 520,
    row = 18,
    L = 170,
    H = rows.length * row + 30;
  const max = Math.max(0.001, ...rows.map((r) => r.regret.mean));
  const bars = rows.map(
    (r, i) =>
      `<text x="${L - 6}" y="${14 + i * row + 10}" font-size="11" text-anchor="end">${esc(`${r.scorer} (${r.pool})`)}</text><rect class="bar" x="${L}" y="${14 + i * row}" width="${((r.regret.mean / max) * (W - L - 60)).toFixed(1)}" height="${row - 4}" fill="#1f77b4"><title>${esc(`${r.scorer} (${r.pool}): ${(r.regret.mean * 100).toFixed(2)} points`)}</title></rect><text x="${L + (r.regret.mean / max) * (W - L - 60) + 4}" y="${14 + i * row + 10}" font-size="10">${(r.regret.mean * 100).toFixed(2)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="regret per scorer">
  ${bars.join('\n  ')}
</svg>`;
}

/**
 * The study's figures: a score-vs-accuracy scatter per scorer (fine-tuned; metrics on every candidate, block criteria on
 * the layer candidates) and the regret of each scorer.
 * @example
 * studyFigures(seedStudies, results) // '<h2>Score against accuracy</h2><svg ...'
 */
export function studyFigures(studies: readonly SeedStudy[], results: readonly ScorerResult[]): string {
  const scorers = [...new Set(results.map((r) => r.scorer))];
  return `<h2>Score against accuracy (after fine-tuning)</h2>
<div id="scatter">${scorers.map((s) => scatter(studies, s)).join('\n')}</div>
<h2>Regret (points of test accuracy lost against the oracle's pick)</h2>
<div id="regret">${regretBars(results)}</div>`;
}
