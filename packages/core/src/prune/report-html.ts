import type { RunReport } from './run-report.js';

/** Escape text for HTML. */
export const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const pct = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)} %`;
const KIND_COLORS: Record<string, string> = { layer: '#1f77b4', filter: '#ff7f0e', head: '#2ca02c' };
const colorOf = (kind: string): string => KIND_COLORS[kind] ?? '#9467bd';

/** One curve of an accuracy-vs-FLOPs plot: points in iteration order, each with its own colour and tooltip. */
export interface AccuracyCurve {
  readonly label: string;
  readonly stroke: string;
  readonly points: readonly { readonly x: number; readonly y: number; readonly fill: string; readonly title: string }[];
}

/**
 * Inline SVG: test accuracy (y) against FLOPs reduction (x), one polyline per curve and a `class="point"` circle
 * per point (no scripts, no external assets).
 * @example
 * accuracyCurvesSvg([{ label: 'run', stroke: '#555', points: [{ x: 0, y: 0.9, fill: '#000', title: 'baseline' }] }])
 */
export function accuracyCurvesSvg(curves: readonly AccuracyCurve[]): string {
  const all = curves.flatMap((c) => c.points);
  const W = 640,
    H = 360,
    L = 60,
    R = 20,
    T = 20,
    B = 50;
  const ys = all.map((p) => p.y);
  const yMin = Math.max(0, Math.min(...ys) - 0.02),
    yMax = Math.min(1, Math.max(...ys) + 0.02);
  const xMax = Math.max(0.1, ...all.map((p) => p.x)) * 1.05;
  const sx = (x: number) => L + (x / xMax) * (W - L - R);
  const sy = (y: number) => T + (1 - (y - yMin) / (yMax - yMin || 1)) * (H - T - B);
  const ticksX = Array.from({ length: 6 }, (_, i) => (xMax * i) / 5);
  const ticksY = Array.from({ length: 5 }, (_, i) => yMin + ((yMax - yMin) * i) / 4);
  const paths = curves.map(
    (c) =>
      `<path d="${c.points.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}" fill="none" stroke="${c.stroke}" stroke-width="1.5"><title>${esc(c.label)}</title></path>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="accuracy vs FLOPs reduction">
  <rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="#fafafa" stroke="#ccc"/>
  ${ticksX.map((t) => `<text x="${sx(t).toFixed(1)}" y="${H - B + 18}" font-size="11" text-anchor="middle">${pct(t, 0)}</text>`).join('')}
  ${ticksY.map((t) => `<text x="${L - 6}" y="${(sy(t) + 4).toFixed(1)}" font-size="11" text-anchor="end">${pct(t, 1)}</text>`).join('')}
  <text x="${(L + W - R) / 2}" y="${H - 8}" font-size="12" text-anchor="middle">FLOPs reduction</text>
  <text x="14" y="${(T + H - B) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(T + H - B) / 2})">test accuracy</text>
  ${paths.join('\n  ')}
  ${all.map((p) => `<circle class="point" cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="5" fill="${p.fill}"><title>${esc(p.title)}</title></circle>`).join('\n  ')}
</svg>`;
}

/** The run's curve: one point per iteration coloured by winner kind. */
function accuracyPlot(report: RunReport): string {
  const points = [
    { x: 0, y: report.baseline.accuracy, kind: 'baseline', it: 0 },
    ...report.iterations.map((it) => ({ x: it.flopsReduction, y: it.stats.accuracy, kind: it.chosenKind, it: it.iteration })),
  ];
  return accuracyCurvesSvg([
    {
      label: report.name,
      stroke: '#555',
      points: points.map((p) => ({
        x: p.x,
        y: p.y,
        fill: p.kind === 'baseline' ? '#000' : colorOf(p.kind),
        title: `iteration ${p.it} (${p.kind}): ${pct(p.y)} at ${pct(p.x)} FLOPs reduction`,
      })),
    },
  ]);
}

/**
 * A self-contained HTML report (no external assets, opens offline): summary, accuracy-vs-FLOPs plot, and one
 * row per iteration with every candidate's similarity.
 */
export function renderReportHtml(report: RunReport): string {
  const b = report.baseline;
  const rows = report.iterations
    .map(
      (
        it,
      ) => `<tr><td>${it.iteration}</td><td><span class="kind" style="background:${colorOf(it.chosenKind)}">${esc(it.chosenKind)}</span> ${esc(it.candidates[it.chosen].summary)}</td>
<td>${it.candidates.map((c, i) => `${i === it.chosen ? '<b>' : ''}${esc(c.kind)} ${c.similarity.toFixed(4)}${i === it.chosen ? '</b>' : ''}`).join('<br>')}</td>
<td>${pct(it.stats.accuracy)}</td><td>${(it.accuracyChange * 100).toFixed(2)}</td><td>${pct(it.flopsReduction)}</td><td>${pct(it.paramsReduction)}</td><td>${it.seconds.toFixed(0)}</td></tr>`,
    )
    .join('\n');
  const kinds = [...new Set(report.iterations.map((i) => i.chosenKind))];
  const final = report.final;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>omniprune report: ${esc(report.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right;vertical-align:top}td:nth-child(2),td:nth-child(3),th:nth-child(2),th:nth-child(3){text-align:left}.kind{color:#fff;border-radius:3px;padding:0 4px}</style>
</head><body>
<h1>omniprune report: ${esc(report.name)}</h1>
<p id="summary">Baseline: ${pct(b.accuracy)} accuracy, ${(b.flops / 1e6).toFixed(2)} M FLOPs (MACs), ${(b.params / 1e6).toFixed(3)} M parameters.
${final ? `Final (iteration ${final.iteration}): ${pct(final.stats.accuracy)} accuracy (${(final.accuracyChange * 100).toFixed(2)} points), ${pct(final.flopsReduction)} fewer FLOPs, ${pct(final.paramsReduction)} fewer parameters.` : 'Run in progress.'}
${report.stopMessage ? `Stopped: ${esc(report.stopMessage)}.` : ''} Similarity: ${esc(report.similarity)}; pruners: ${report.pruners.map(esc).join(', ')}; seed ${report.seed}; backend ${esc(report.backend)}.</p>
${accuracyPlot(report)}
<p>${kinds.map((k) => `<span class="kind" style="background:${colorOf(k)}">${esc(k)}</span> won ${report.iterations.filter((i) => i.chosenKind === k).length}`).join(' &nbsp; ')}</p>
<table><thead><tr><th>#</th><th>chosen</th><th>candidates (similarity)</th><th>accuracy</th><th>&Delta; points</th><th>FLOPs &darr;</th><th>params &darr;</th><th>s</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
