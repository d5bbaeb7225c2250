import { escapeHtml as esc } from '../shared/escape-html.js';
import { htmlPage } from '../shared/html-page.js';
import { identificationText, type MetricSanity, type SanitySpec } from './sanity.js';

/** A self-contained HTML page of the sanity suite: one row per metric. */
export function renderSanityHtml(name: string, spec: SanitySpec, results: readonly MetricSanity[]): string {
  const ks = results.find((r) => !r.error)?.pcRemoval.map((p) => p.components) ?? [];
  const rows = results
    .map((r) =>
      r.error
        ? `<tr><td>${esc(r.metric)}</td><td colspan="${ks.length + 2}">not computed: ${esc(r.error)}</td></tr>`
        : `<tr><td>${esc(r.metric)}</td><td>${esc(identificationText(r.layerIdentification))}</td>${r.pcRemoval.map((p) => `<td>${p.similarity.toFixed(4)}</td>`).join('')}<td>${r.decreasesWithComponents ? 'yes' : '<b>no</b>'}</td></tr>`,
    )
    .join('\n');
  return htmlPage(
    `omniprune metric sanity: ${name}`,
    `<p id="summary">${esc(spec.zoo)} trained ${spec.epochs} epoch(s) with seeds ${spec.seeds.join(', ')}; representations of each residual block's output (spatially averaged) on ${spec.samples} test images.
Layer identification (Kornblith et al. 2019): how often a metric finds the same layer of another seed's model as the most similar. PC removal: similarity of the penultimate representation with its top-k principal components removed; a sane metric falls as k grows.</p>
<table id="sanity"><thead><tr><th>metric</th><th>layer identification</th>${ks.map((k) => `<th>k=${k}</th>`).join('')}<th>falls with k</th></tr></thead>
<tbody>
${rows}
</tbody></table>`,
  );
}
