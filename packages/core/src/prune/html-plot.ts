/** Escape text for HTML. */
export const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
export const pct = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)} %`;

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
export function accuracyCurvesSvg(curves: readonly AccuracyCurve[], axis: { yLabel?: string; percent?: boolean } = {}): string {
  const { yLabel = 'test accuracy', percent = true } = axis;
  const all = curves.flatMap((c) => c.points);
  const W = 640,
    H = 360,
    L = 60,
    R = 20,
    T = 20,
    B = 50;
  const ys = all.map((p) => p.y);
  const pad = percent ? 0.02 : 0.05 * (Math.max(...ys) - Math.min(...ys) || Math.abs(ys[0]) || 1);
  const yMin = percent ? Math.max(0, Math.min(...ys) - pad) : Math.min(...ys) - pad,
    yMax = percent ? Math.min(1, Math.max(...ys) + pad) : Math.max(...ys) + pad;
  const yTick = (t: number) => (percent ? pct(t, 1) : Number(t.toPrecision(3)).toString());
  const xMax = Math.max(0.1, ...all.map((p) => p.x)) * 1.05;
  const sx = (x: number) => L + (x / xMax) * (W - L - R);
  const sy = (y: number) => T + (1 - (y - yMin) / (yMax - yMin || 1)) * (H - T - B);
  const ticksX = Array.from({ length: 6 }, (_, i) => (xMax * i) / 5);
  const ticksY = Array.from({ length: 5 }, (_, i) => yMin + ((yMax - yMin) * i) / 4);
  const paths = curves.map(
    (c) =>
      `<path d="${c.points.map((p, i) => `${i ? 'L' : 'M'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}" fill="none" stroke="${c.stroke}" stroke-width="1.5"><title>${esc(c.label)}</title></path>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(yLabel)} vs FLOPs reduction">
  <rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="#fafafa" stroke="#ccc"/>
  ${ticksX.map((t) => `<text x="${sx(t).toFixed(1)}" y="${H - B + 18}" font-size="11" text-anchor="middle">${pct(t, 0)}</text>`).join('')}
  ${ticksY.map((t) => `<text x="${L - 6}" y="${(sy(t) + 4).toFixed(1)}" font-size="11" text-anchor="end">${yTick(t)}</text>`).join('')}
  <text x="${(L + W - R) / 2}" y="${H - 8}" font-size="12" text-anchor="middle">FLOPs reduction</text>
  <text x="14" y="${(T + H - B) / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${(T + H - B) / 2})">${esc(yLabel)}</text>
  ${paths.join('\n  ')}
  ${all.map((p) => `<circle class="point" cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="5" fill="${p.fill}"><title>${esc(p.title)}</title></circle>`).join('\n  ')}
</svg>`;
}
