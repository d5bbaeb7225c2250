/**
 * Render rows as a fixed-width text table; numeric-looking cells are right-aligned.
 * @example
 * formatTable(['a', 'b'], [['x', '1']]);
 */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = (s: string) => /^[-\d.,%]+$/.test(s);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric(c) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
