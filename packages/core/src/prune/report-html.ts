import { accuracyCurvesSvg, esc, pct } from './html-plot.js';
import type { RunReport } from './run-report.js';

export { accuracyCurvesSvg, esc } from './html-plot.js';
export type { AccuracyCurve } from './html-plot.js';
import { evaluationsSection } from './report-evaluations-html.js';

const KIND_COLORS: Record<string, string> = { layer: '#1f77b4', filter: '#ff7f0e', head: '#2ca02c' };
const colorOf = (kind: string): string => KIND_COLORS[kind] ?? '#9467bd';

/** The run's curve: one point per iteration coloured by winner kind. */
function accuracyPlot(report: RunReport): string {
  const recovery = report.recovery && report.final ? { x: report.final.flopsReduction, y: report.recovery.after.accuracy } : undefined;
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
    ...(recovery
      ? [
          {
            label: 'recovered',
            stroke: 'none',
            points: [{ ...recovery, fill: RECOVERY_COLOR, title: `after the final recovery: ${pct(recovery.y)} at ${pct(recovery.x)} FLOPs reduction` }],
          },
        ]
      : []),
  ]);
}

const RECOVERY_COLOR = '#2ca02c';

/** The final recovery's row of the iteration table: what it ran and the final model's accuracy after it. */
function recoveryRow(report: RunReport): string {
  const r = report.recovery;
  if (!r || !report.final) return '';
  const distill = r.distill ? `, distilled from the ${esc(String(r.distill.teacher))} model (alpha ${r.distill.alpha}, T ${r.distill.temperature})` : '';
  const what = `final recovery of iteration ${r.iteration}: ${r.epochs} epochs on ${r.images} images${distill}; before ${pct(r.before.accuracy)}`;
  return `<tr><td>R</td><td><span class="kind" style="background:${RECOVERY_COLOR}">recovery</span> ${what}</td><td></td>
<td>${pct(r.after.accuracy)}</td><td>${(r.accuracyChange * 100).toFixed(2)}</td><td>${pct(report.final.flopsReduction)}</td><td>${pct(report.final.paramsReduction)}</td><td>${r.seconds.toFixed(0)}</td></tr>`;
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
${report.recovery ? `After the final recovery: ${pct(report.recovery.after.accuracy)} accuracy (${(report.recovery.accuracyChange * 100).toFixed(2)} points).` : ''}
${report.stopMessage ? `Stopped: ${esc(report.stopMessage)}.` : ''} Similarity: ${esc(report.similarity)}; pruners: ${report.pruners.map(esc).join(', ')}; seed ${report.seed}; backend ${esc(report.backend)}.</p>
${accuracyPlot(report)}
<p>${kinds.map((k) => `<span class="kind" style="background:${colorOf(k)}">${esc(k)}</span> won ${report.iterations.filter((i) => i.chosenKind === k).length}`).join(' &nbsp; ')}</p>
<table><thead><tr><th>#</th><th>chosen</th><th>candidates (similarity)</th><th>accuracy</th><th>&Delta; points</th><th>FLOPs &darr;</th><th>params &darr;</th><th>s</th></tr></thead>
<tbody>
${rows}
${recoveryRow(report)}
</tbody></table>
${evaluationsSection(report)}
</body></html>
`;
}
