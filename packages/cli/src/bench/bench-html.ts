import { accuracyCurvesSvg } from '@omniprune/core/prune';
import { escapeHtml as esc } from '../shared/escape-html.js';
import type { Agreement } from './agreement.js';
import type { BenchCell } from './cells.js';
import type { CellResult } from './run-cells.js';
import type { MeanStd, MetricSummary } from './summary.js';

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const pm = (m: MeanStd, scale = 100, digits = 2): string =>
  m.n === 0 ? 'n/a' : `${(m.mean * scale).toFixed(digits)} &plusmn; ${(m.std * scale).toFixed(digits)}`;

/** The metrics' agreement matrix: same choices / iterations compared from a shared parent, per pair. */
function agreementTable(agreement: Agreement): string {
  const cell = (a: string, b: string) => {
    if (a === b) return '<td>&mdash;</td>';
    const p = agreement.pairs.find((x) => (x.a === a && x.b === b) || (x.a === b && x.b === a));
    return `<td>${p && p.runs ? `${p.same}/${p.compared}` : 'n/a'}</td>`;
  };
  const rows = agreement.metrics.map((a) => `<tr><td>${esc(a)}</td>${agreement.metrics.map((b) => cell(a, b)).join('')}</tr>`).join('\n');
  return `<h2>Agreement between metrics</h2>
<p id="agreement-statement">${esc(agreement.statement)}</p>
<table id="agreement"><thead><tr><th>same choice / compared</th>${agreement.metrics.map((m) => `<th>${esc(m)}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

/**
 * A self-contained HTML page for a bench: per-metric table (mean +- std over seeds), accuracy-vs-FLOPs curves
 * of every cell overlaid and coloured by metric (and arm), and how often each structure kind was chosen.
 */
export function renderBenchHtml(
  name: string,
  cells: readonly BenchCell[],
  results: readonly CellResult[],
  summary: readonly MetricSummary[],
  agreement?: Agreement,
): string {
  const colorOf = new Map(summary.map((s, i) => [s.metric, PALETTE[i % PALETTE.length]]));
  const curves = cells.flatMap((cell, i) => {
    const report = results[i]?.report;
    if (!report) return [];
    const color = colorOf.get(cell.group)!;
    const points = [{ x: 0, y: report.baseline.accuracy }, ...report.iterations.map((it) => ({ x: it.flopsReduction, y: it.stats.accuracy }))];
    return [
      {
        label: cell.id,
        stroke: color,
        points: points.map((p, k) => ({
          ...p,
          fill: color,
          title: `${cell.id} iteration ${k}: ${(p.y * 100).toFixed(2)} % at ${(p.x * 100).toFixed(1)} % FLOPs reduction`,
        })),
      },
    ];
  });
  const kinds = [...new Set(summary.flatMap((s) => Object.keys(s.kindsChosen)))];
  const rows = summary
    .map(
      (s) => `<tr><td><span class="swatch" style="background:${colorOf.get(s.metric)}"></span>${esc(s.metric)}</td><td>${s.cells - s.failed}/${s.cells}</td>
<td>${pm(s.finalAccuracy)}</td><td>${pm(s.accuracyChange)}</td><td>${pm(s.flopsReduction)}</td><td>${pm(s.paramsReduction)}</td><td>${pm(s.iterations, 1, 1)}</td>
${kinds.map((k) => `<td>${s.kindsChosen[k] ?? 0}</td>`).join('')}<td>${pm(s.seconds, 1, 0)}</td></tr>`,
    )
    .join('\n');
  const failed = results.filter((r) => r?.status === 'failed');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>omniprune bench: ${esc(name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}td:first-child{text-align:left}.swatch{display:inline-block;width:10px;height:10px;margin-right:6px}</style>
</head><body>
<h1>omniprune bench: ${esc(name)}</h1>
<p id="summary">${cells.length} cells, ${results.filter((r) => r?.status === 'done').length} finished, ${failed.length} failed. Values are mean &plusmn; std over the finished cells of each metric (seeds and grid values).</p>
<table id="metrics"><thead><tr><th>metric</th><th>cells</th><th>final accuracy %</th><th>&Delta; points</th><th>FLOPs &darr; %</th><th>params &darr; %</th><th>iterations</th>${kinds.map((k) => `<th>${esc(k)} chosen</th>`).join('')}<th>wall s</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${agreement && agreement.metrics.length > 1 ? agreementTable(agreement) : ''}
${curves.length ? accuracyCurvesSvg(curves) : '<p>No finished cells yet.</p>'}
${failed.length ? `<h2>Failed cells</h2><ul>${failed.map((r) => `<li><b>${esc(r.id)}</b>: <pre>${esc(r.error ?? '')}</pre></li>`).join('')}</ul>` : ''}
</body></html>
`;
}
