import { headlineOf } from '../evaluate/run-evaluators.js';
import type { Evaluation } from '../evaluate/evaluator-types.js';
import { accuracyCurvesSvg, esc } from './html-plot.js';
import type { RunReport } from './run-report.js';

/** The models a run evaluated, in order: the base model, the evaluated iterations, the final model. */
function evaluatedModels(report: RunReport): { label: string; flopsReduction: number; results: Readonly<Record<string, Evaluation>> }[] {
  const rows = report.baselineEvaluations ? [{ label: 'base', flopsReduction: 0, results: report.baselineEvaluations }] : [];
  for (const it of report.iterations) if (it.evaluations) rows.push({ label: `${it.iteration}`, flopsReduction: it.flopsReduction, results: it.evaluations });
  const f = report.final;
  if (f?.evaluations && f.iteration > 0 && !report.iterations[f.iteration - 1]?.evaluations?.[Object.keys(f.evaluations)[0]]) {
    rows.push({ label: `final (${f.iteration})`, flopsReduction: f.flopsReduction, results: f.evaluations });
  }
  return rows;
}

const cell = (r: Evaluation | undefined, metric: string): string => {
  if (r?.error) return `<td class="failed" title="${esc(r.error)}">failed</td>`;
  const v = r?.metrics[metric];
  if (v === undefined) return '<td></td>';
  const text = Math.abs(v) <= 1 && !/ms|joule|co2|speedup/i.test(metric) ? `${(v * 100).toFixed(2)} %` : Number(v.toPrecision(4)).toString();
  return `<td title="${esc(r!.summary)}">${text}${r!.estimated ? '*' : ''}</td>`;
};

/**
 * The report's evaluations: one column per evaluator (its headline metric) and one row per evaluated model, then one
 * plot per evaluator of that metric against FLOPs reduction. Empty when the pipeline has no `evaluate:`.
 */
export function evaluationsSection(report: RunReport): string {
  const rows = evaluatedModels(report);
  if (rows.length === 0) return '';
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.results)))];
  const metricOf = new Map(
    names.map((n) => {
      const ok = rows.find((r) => r.results[n] && !r.results[n].error);
      return [n, ok ? (headlineOf(ok.results[n])?.metric ?? '') : ''];
    }),
  );
  const estimated = rows.some((r) => Object.values(r.results).some((e) => e.estimated));
  const warnings = [...new Set(rows.flatMap((r) => Object.entries(r.results).flatMap(([n, e]) => (e.warnings ?? []).map((w) => `${n}: ${w}`))))];
  const plots = names.map((n) => {
    const metric = metricOf.get(n)!;
    const points = rows
      .filter((r) => r.results[n]?.metrics[metric] !== undefined)
      .map((r) => ({ x: r.flopsReduction, y: r.results[n].metrics[metric], fill: '#555', title: `${r.label}: ${r.results[n].summary}` }));
    const percent = points.every((p) => p.y >= 0 && p.y <= 1) && !/ms|joule|co2|speedup/i.test(metric);
    return `<h3>${esc(n)}: ${esc(metric)}</h3>\n${accuracyCurvesSvg([{ label: `${n} ${metric}`, stroke: '#555', points }], { yLabel: metric, percent })}`;
  });
  const final = report.final?.evaluations;
  const finalList = final
    ? `<p>Final model (iteration ${report.final!.iteration}) against the base model:</p>\n<ul id="final-evaluations">${Object.entries(final)
        .map(([n, e]) => `<li><b>${esc(n)}</b>: ${esc(e.summary)}${e.estimated ? ' (estimated)' : ''}</li>`)
        .join('')}</ul>`
    : '';
  return `<h2 id="evaluations">Evaluations</h2>
${finalList}
<table><thead><tr><th>model</th><th>FLOPs &darr;</th>${names.map((n) => `<th>${esc(n)}<br>${esc(metricOf.get(n)!)}</th>`).join('')}</tr></thead>
<tbody>
${rows.map((r) => `<tr><td>${esc(r.label)}</td><td>${(r.flopsReduction * 100).toFixed(2)} %</td>${names.map((n) => cell(r.results[n], metricOf.get(n)!)).join('')}</tr>`).join('\n')}
</tbody></table>
${estimated ? "<p>* estimated, not measured (see the evaluator's summary).</p>" : ''}
${warnings.length ? `<ul class="warnings">${warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}
${plots.join('\n')}`;
}
