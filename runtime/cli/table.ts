// A text table that fits a width by wrapping cells, never by cutting them: what an operator
// reads on a terminal must show the whole message. Columns get their natural width up to a
// share of the line; the last column (the long prose) takes what is left.

export interface Column {
  head: string;
  /** Widest this column may be before it wraps (the last column takes the rest). */
  max: number;
}

/** Words of `text` in lines of at most `width` characters; words longer than a line are split. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (let word of para.split(/\s+/).filter(Boolean)) {
      while (word.length > width) {
        if (line) {
          lines.push(line);
          line = '';
        }
        lines.push(word.slice(0, width));
        word = word.slice(width);
      }
      if (!line) line = word;
      else if (line.length + 1 + word.length <= width) line += ` ${word}`;
      else {
        lines.push(line);
        line = word;
      }
    }
    lines.push(line);
  }
  return lines;
}

const GAP = '  ';
/** The last column's least width before the others give way. */
const MIN_LAST = 24;

export function formatTable(columns: Column[], rows: string[][], width: number): string {
  const natural = columns.map((c, i) => Math.max(c.head.length, ...rows.map((r) => Math.max(0, ...r[i]!.split('\n').map((l) => l.length)))));
  const widths = columns.map((c, i) => Math.min(natural[i]!, c.max));
  const last = columns.length - 1;
  const fixedWidth = () => widths.slice(0, last).reduce((a, b) => a + b, 0) + GAP.length * last;
  // A narrow terminal: the short columns give way (widest first) so the prose keeps MIN_LAST.
  for (;;) {
    const i = widths.slice(0, last).reduce((best, w, j) => (w > widths[best]! ? j : best), 0);
    if (fixedWidth() + Math.max(MIN_LAST, columns[last]!.head.length) <= width || widths[i]! <= Math.max(4, columns[i]!.head.length)) break;
    widths[i]!--;
  }
  widths[last] = Math.max(columns[last]!.head.length, Math.min(natural[last]!, width - fixedWidth()));
  const render = (cells: string[]) => {
    const wrapped = cells.map((c, i) => wrap(c, widths[i]!));
    const height = Math.max(...wrapped.map((w) => w.length));
    const out: string[] = [];
    for (let l = 0; l < height; l++)
      out.push(
        wrapped
          .map((w, i) => (w[l] ?? '').padEnd(widths[i]!))
          .join(GAP)
          .trimEnd(),
      );
    return out;
  };
  return [...render(columns.map((c) => c.head)), ...rows.flatMap(render)].join('\n');
}
