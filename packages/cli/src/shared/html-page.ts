import { escapeHtml as esc } from './escape-html.js';

/** The style every report page of the CLI shares: plain tables, right-aligned numbers, the first column to the left. */
const TABLE_STYLE =
  'body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}td:first-child{text-align:left}';

/**
 * A self-contained HTML page (no scripts, no external assets) titled `title`, with `body` (HTML) under an `<h1>`.
 * @example
 * await writeFileAtomic('sanity.html', htmlPage('omniprune metric sanity: grid', '<table>...</table>'));
 */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${TABLE_STYLE}</style>
</head><body>
<h1>${esc(title)}</h1>
${body}
</body></html>
`;
}
