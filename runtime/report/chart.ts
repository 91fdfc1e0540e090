// Stacked bar charts for the report as inline SVG (no scripts, no requests): a y axis with round
// ticks and grid lines, axis titles, and x labels thinned so they never overlap. The bars share
// the plot's width, so one bar is as readable as 120 (one day or ten years of months).

export interface Series {
  name: string;
  colour: string;
}

export interface Bar {
  /** Under the bar, when there is room (undefined: never). */
  label?: string;
  /** The tooltip. */
  title: string;
  /** One value per series, stacked bottom up. */
  values: number[];
}

const W = 960;
const H = 280;
const M = { left: 64, right: 12, top: 14, bottom: 52 };
const CHAR = 6.6; // px per character of the 11 px labels, for spacing them

/** A round step for about `ticks` ticks up to `max`: 1, 2 or 5 times a power of ten. */
export function niceStep(max: number, ticks = 5): number {
  const raw = Math.max(1, max) / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return Math.max(1, (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p);
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (n: number) => n.toLocaleString('en-US');

export function stackedBars(o: { bars: Bar[]; series: Series[]; xTitle: string; yTitle: string; label: string }): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const max = Math.max(1, ...o.bars.map((b) => b.values.reduce((a, v) => a + v, 0)));
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const y = (v: number) => M.top + ph - (v / top) * ph;
  const out: string[] = [];
  for (let t = 0; t <= top; t += step) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#d0d7de" stroke-width="${t === 0 ? 1.5 : 0.6}"/>`);
    out.push(`<text x="${M.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#57606a">${fmt(t)}</text>`);
  }
  const n = o.bars.length;
  const slot = pw / Math.max(1, n);
  const bw = Math.max(1, Math.min(56, slot * 0.8));
  // Labels at least their own width apart: every k-th label that exists.
  const widest = Math.max(1, ...o.bars.map((b) => (b.label ?? '').length)) * CHAR + 8;
  const every = Math.max(1, Math.ceil(widest / slot));
  let lastLabel = -Infinity;
  o.bars.forEach((b, i) => {
    const cx = M.left + slot * (i + 0.5);
    let base = 0;
    b.values.forEach((v, s) => {
      if (!v) return;
      out.push(
        `<rect x="${(cx - bw / 2).toFixed(1)}" y="${y(base + v).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(base) - y(base + v)).toFixed(1)}" fill="${o.series[s]!.colour}">` +
          `<title>${esc(`${b.title}: ${fmt(v)} ${o.series[s]!.name}`)}</title></rect>`,
      );
      base += v;
    });
    // Few bars: the total above each, so a small one next to a large one still says its size.
    const total = b.values.reduce((a, v) => a + v, 0);
    if (n <= 24 && total > 0) out.push(`<text x="${cx.toFixed(1)}" y="${(y(total) - 4).toFixed(1)}" text-anchor="middle" font-size="11" fill="#1f2328">${fmt(total)}</text>`);
    if (b.label !== undefined && i - lastLabel >= every) {
      lastLabel = i;
      out.push(`<line x1="${cx.toFixed(1)}" x2="${cx.toFixed(1)}" y1="${M.top + ph}" y2="${M.top + ph + 4}" stroke="#57606a"/>`);
      out.push(`<text x="${cx.toFixed(1)}" y="${M.top + ph + 16}" text-anchor="middle" font-size="11" fill="#57606a">${esc(b.label)}</text>`);
    }
  });
  out.push(`<text x="${M.left + pw / 2}" y="${H - 8}" text-anchor="middle" font-size="12" fill="#1f2328">${esc(o.xTitle)}</text>`);
  out.push(`<text transform="translate(14 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12" fill="#1f2328">${esc(o.yTitle)}</text>`);
  return `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(o.label)}" xmlns="http://www.w3.org/2000/svg">${out.join('')}</svg>`;
}

/** Every month from `first` to `last` (YYYY-MM), so the time axis has no gaps. */
export function monthRange(first: string, last: string): string[] {
  const out: string[] = [];
  let [y, m] = first.split('-').map(Number) as [number, number];
  const [ly, lm] = last.split('-').map(Number) as [number, number];
  while (y < ly || (y === ly && m <= lm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}
