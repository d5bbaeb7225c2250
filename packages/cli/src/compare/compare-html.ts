import type { MeanStd } from '../bench/summary.js';
import { minimumPValue } from '../bench/statistics/index.js';
import { escapeHtml as esc } from '../shared/escape-html.js';
import { runningNote, type Comparison, type PairedLevel } from './compare-runs.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
/** What the per-arm final columns say when none of the arm's runs has ended. */
const NONE_ENDED = 'no run ended';
const pct = (x: number, digits = 0): string => `${(x * 100).toFixed(digits)} %`;

/** `-1.23 ± 0.45 (3)` in points, or `not reached` / the count that did not reach. */
export function formatChange(m: MeanStd, notReached: number): string {
  if (m.n === 0) return 'not reached';
  return `${(m.mean * 100).toFixed(2)} ± ${(m.std * 100).toFixed(2)} (n=${m.n}${notReached ? `, ${notReached} short` : ''})`;
}

/** `-0.40 ± 0.21 (n=3, 1 ahead)`: a paired difference in points, or `no pair` when no seed reached the level in both arms. */
export function formatPaired(l: PairedLevel): string {
  if (l.difference.n === 0) return 'no pair';
  const sign = (v: number) => `${v > 0 ? '+' : ''}${(v * 100).toFixed(2)}`;
  return `${sign(l.difference.mean)} ± ${(l.difference.std * 100).toFixed(2)} (n=${l.difference.n}, ${l.ahead} ahead)`;
}

/**
 * `p 0.250 (Holm 0.500), sign p 0.250, 95 % CI [-0.41, +0.12]`: the paired tests of one arm at one level (two-sided;
 * Wilcoxon signed-rank, Holm-adjusted over the arms; sign test; bootstrap interval of the mean difference, points).
 */
export function formatSignificance(l: PairedLevel): string {
  if (l.difference.n === 0) return 'no pair';
  const pts = (v: number) => (Number.isFinite(v) ? `${v > 0 ? '+' : ''}${(v * 100).toFixed(2)}` : 'n/a');
  return `p ${l.wilcoxon.pValue.toFixed(3)} (Holm ${l.wilcoxon.holm.toFixed(3)}), sign p ${l.sign.pValue.toFixed(3)}, 95 % CI [${pts(l.interval.low)}, ${pts(l.interval.high)}]`;
}

/**
 * A plain warning when the seeds paired at any level are too few for any outcome to reach p < 0.05 (fewer than 6
 * pairs: the smallest two-sided p of an exact sign or signed-rank test is 2 / 2^n), else null.
 * @example
 * smallSampleWarning(paired) // 'at most 3 seeds paired: no outcome of ... can reach p < 0.05 (smallest possible p 0.250) ...'
 */
export function smallSampleWarning(paired: NonNullable<Comparison['paired']>): string | null {
  const n = Math.max(0, ...paired.arms.flatMap((a) => a.at.map((l) => l.difference.n)));
  if (n === 0 || minimumPValue(n) < 0.05) return null;
  return (
    `at most ${n} seed${n === 1 ? '' : 's'} paired: no outcome of a paired test on ${n} can reach p < 0.05 (smallest possible p ${minimumPValue(n).toFixed(3)}); ` +
    'these differences cannot show that one arm is better: run at least 6 seeds'
  );
}

/** The paired-difference table's caption. */
export function pairedCaption(reference: string): string {
  return `paired by seed, arm minus ${reference}: accuracy difference (points), mean ± std over the seeds where both reached the level`;
}

/** `1,234 ± 56 s`: wall time per run, or `no run ended`. */
export function formatSeconds(m: MeanStd): string {
  if (m.n === 0) return NONE_ENDED;
  return `${Math.round(m.mean).toLocaleString('en-US')} ± ${Math.round(m.std).toLocaleString('en-US')} s`;
}

/** `-4.66 ± 0.15 at 86.6 ± 1.9 %`: the final models' accuracy change (points) at their FLOPs reduction. */
export function formatFinal(change: MeanStd, reduction: MeanStd, none = NONE_ENDED): string {
  if (change.n === 0) return none;
  return `${(change.mean * 100).toFixed(2)} ± ${(change.std * 100).toFixed(2)} at ${(reduction.mean * 100).toFixed(1)} ± ${(reduction.std * 100).toFixed(1)} %`;
}

/** `layer 11.0, filter 2.7`: mean iterations won per candidate kind over `ended` runs; `none` when no kept iteration. */
export function formatWinners(winners: Readonly<Record<string, MeanStd>>, ended: number): string {
  if (ended === 0) return NONE_ENDED;
  const kinds = Object.entries(winners);
  return kinds.length ? kinds.map(([kind, m]) => `${kind} ${m.mean.toFixed(1)}`).join(', ') : 'none';
}

/** A FLOPs level's label: `30 %`, `85 %`, `87.5 %`. */
const levelLabel = (l: number): string => pct(l, (l * 100) % 1 ? 1 : 0);

/** Column labels of the FLOPs levels. */
export function levelLabels(levels: readonly number[]): string[] {
  return levels.map(levelLabel);
}

/** The arm table's columns, as text (the one source of the printed table and the page's). */
export function armHeads(levels: readonly number[]): string[] {
  return ['arm', 'seeds', ...levelLabels(levels), 'final (points at FLOPs red.)', 'after recovery', 'iterations won', 'wall time per run'];
}

/** One arm's row under {@link armHeads}: levels, then the final models, winners by kind and wall time (ended runs). */
export function armRow(a: Comparison['arms'][number]): string[] {
  return [
    a.arm,
    a.runs.map((r) => r.seed).join(','),
    ...a.at.map((l) => formatChange(l.accuracyChange, l.notReached)),
    formatFinal(a.finalAccuracyChange, a.lastFlopsReduction),
    formatFinal(a.recoveredAccuracyChange, a.recoveredFlopsReduction, a.finalAccuracyChange.n === 0 ? NONE_ENDED : 'no recovery'),
    formatWinners(a.winners, a.finalAccuracyChange.n),
    formatSeconds(a.seconds),
  ];
}

/** The levels whose x-axis labels fit: each at least 40 px from the last one labelled (close levels would overprint). */
function spacedTicks(levels: readonly number[], sx: (x: number) => number): number[] {
  const kept: number[] = [];
  for (const l of levels) if (kept.length === 0 || sx(l) - sx(kept[kept.length - 1]) >= 40) kept.push(l);
  return kept;
}

/**
 * Inline SVG: mean accuracy change (points) against FLOPs reduction, one line per arm with a band of one standard
 * deviation, at the compared levels (a level no run of the arm reached breaks the line).
 */
export function comparisonSvg(c: Comparison): string {
  const W = 640,
    H = 360,
    L = 60,
    R = 140,
    T = 20,
    B = 50;
  const recovered = c.arms.map((a) => a.recoveredAccuracyChange).filter((m) => m.n > 0);
  const cells = [...c.arms.flatMap((a) => a.at.filter((l) => l.accuracyChange.n > 0).map((l) => l.accuracyChange)), ...recovered];
  const lo = Math.min(0, ...cells.map((m) => m.mean - m.std)) - 0.005;
  const hi = Math.max(0, ...cells.map((m) => m.mean + m.std)) + 0.005;
  const xMax = Math.max(...c.levels, ...c.arms.filter((a) => a.recoveredAccuracyChange.n > 0).map((a) => a.recoveredFlopsReduction.mean), 0.1);
  const sx = (x: number) => L + (x / xMax) * (W - L - R);
  const sy = (y: number) => T + (1 - (y - lo) / (hi - lo || 1)) * (H - T - B);
  const series = c.arms.map((a, k) => {
    const color = COLORS[k % COLORS.length];
    const pts = a.at.filter((l) => l.accuracyChange.n > 0);
    const band =
      pts.length > 1
        ? `<path class="band" d="${[
            ...pts.map((p) => [p.level, p.accuracyChange.mean + p.accuracyChange.std]),
            ...pts
              .slice()
              .reverse()
              .map((p) => [p.level, p.accuracyChange.mean - p.accuracyChange.std]),
          ]
            .map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
            .join(' ')} Z" fill="${color}" fill-opacity="0.18" stroke="none"/>`
        : '';
    const line = `<path d="${pts.map((p, i) => `${i ? 'L' : 'M'}${sx(p.level).toFixed(1)},${sy(p.accuracyChange.mean).toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`;
    const dots = pts
      .map(
        (p) =>
          `<circle class="point" cx="${sx(p.level).toFixed(1)}" cy="${sy(p.accuracyChange.mean).toFixed(1)}" r="4" fill="${color}"><title>${esc(a.arm)} at ${pct(p.level)}: ${formatChange(p.accuracyChange, p.notReached)} points</title></circle>`,
      )
      .join('');
    const rec = a.recoveredAccuracyChange;
    const diamond =
      rec.n > 0
        ? (() => {
            const [x, y] = [sx(a.recoveredFlopsReduction.mean), sy(rec.mean)];
            return `<path class="recovered" d="M${x.toFixed(1)},${(y - 6).toFixed(1)} L${(x + 6).toFixed(1)},${y.toFixed(1)} L${x.toFixed(1)},${(y + 6).toFixed(1)} L${(x - 6).toFixed(1)},${y.toFixed(1)} Z" fill="${color}" stroke="#fff"><title>${esc(a.arm)} after the final recovery: ${formatFinal(rec, a.recoveredFlopsReduction)} points</title></path>`;
          })()
        : '';
    const legend = `<text x="${W - R + 12}" y="${T + 16 + 18 * k}" font-size="12" fill="${color}">${esc(a.arm)} (${a.runs.length} run${a.runs.length === 1 ? '' : 's'})</text>`;
    return band + line + dots + diamond + legend;
  });
  const ticksY = Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="accuracy change vs FLOPs reduction per arm">
  <rect width="${W}" height="${H}" fill="#fff"/>
  <rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="#fafafa" stroke="#ccc"/>
  <line x1="${L}" x2="${W - R}" y1="${sy(0).toFixed(1)}" y2="${sy(0).toFixed(1)}" stroke="#999" stroke-dasharray="4 3"/>
  ${spacedTicks(c.levels, sx)
    .map((t) => `<text x="${sx(t).toFixed(1)}" y="${H - B + 18}" font-size="11" text-anchor="middle">${levelLabel(t)}</text>`)
    .join('')}
  ${ticksY.map((t) => `<text x="${L - 6}" y="${(sy(t) + 4).toFixed(1)}" font-size="11" text-anchor="end">${(t * 100).toFixed(1)}</text>`).join('')}
  <text x="${(L + W - R) / 2}" y="${H - 8}" font-size="12" text-anchor="middle">FLOPs reduction</text>
  <text x="14" y="${(T + H - B) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(T + H - B) / 2})">accuracy change (points)</text>
  ${series.join('\n  ')}
</svg>`;
}

function pairedTable(levels: readonly number[], paired: NonNullable<Comparison['paired']>): string {
  const head = levelLabels(levels)
    .map((l) => `<th>${l}</th>`)
    .join('');
  const rows = paired.arms.map((a) => `<tr><td>${esc(a.arm)}</td>${a.at.map((l) => `<td>${formatPaired(l)}</td>`).join('')}</tr>`).join('\n');
  const tests = paired.arms.map((a) => `<tr><td>${esc(a.arm)}</td>${a.at.map((l) => `<td>${esc(formatSignificance(l))}</td>`).join('')}</tr>`).join('\n');
  const warning = smallSampleWarning(paired);
  return `<h2>Paired by seed</h2>
<p>${esc(pairedCaption(paired.reference))}; "ahead": seeds where the arm's accuracy was above ${esc(paired.reference)}'s.</p>
<table id="paired"><thead><tr><th>arm</th>${head}</tr></thead>
<tbody>
${rows}
</tbody></table>
<p>Two-sided tests of each difference against 0: Wilcoxon signed-rank (exact; Holm-adjusted over the arms at each level), sign test, and a percentile bootstrap 95 % interval of the mean difference (seeds resampled, 2,000 times).</p>
${warning ? `<p class="warning" id="small-n"><b>${esc(warning)}</b></p>\n` : ''}<table id="paired-tests"><thead><tr><th>arm</th>${head}</tr></thead>
<tbody>
${tests}
</tbody></table>
`;
}

/** A self-contained page: the plot and a table, one row per arm, one column per level, and the paired differences. */
export function renderComparisonHtml(c: Comparison): string {
  const running = runningNote(c);
  const rows = c.arms
    .map(
      (a) =>
        `<tr>${armRow(a)
          .map((v) => `<td>${esc(v)}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>omniprune comparison</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}td:first-child{text-align:left}</style>
</head><body>
<h1>omniprune comparison</h1>
<p>Accuracy change against each run's own baseline, in points, linearly interpolated between iterations at each FLOPs
reduction level; mean ± sample standard deviation over the arm's runs (n); a run that stopped before a level does not
count there. The final model, the iterations won by each kind of candidate and the wall time are over the runs that
ended.</p>
${running ? `<p id="running"><strong>Not final:</strong> ${esc(running)}.</p>\n` : ''}${comparisonSvg(c)}
<table><thead><tr>${armHeads(c.levels)
    .map((h) => `<th>${esc(h)}</th>`)
    .join('')}</tr></thead>
<tbody>
${rows}
</tbody></table>
${c.paired ? pairedTable(c.levels, c.paired) : ''}</body></html>
`;
}
