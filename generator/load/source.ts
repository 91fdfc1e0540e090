// Reading a YAML file while keeping where every node was written, so any later phase can say
// `file:line:col` for any path into the document.

import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { diag, type Diagnostic } from '../diagnostics.ts';
import type { SourcePos } from '../model/types.ts';

export type Path = readonly (string | number)[];

export class YamlSource {
  private constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Parse `text` (read from `file` when omitted). Syntax errors come back as diagnostics. */
  static read(file: string, text?: string): { source?: YamlSource; diagnostics: Diagnostic[] } {
    if (text === undefined) {
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        return { diagnostics: [diag('KPR1007', { file, line: 1, col: 1 }, `cannot read ${file}: ${(err as Error).message}`)] };
      }
    }
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, keepSourceTokens: false });
    const diagnostics: Diagnostic[] = [];
    for (const e of doc.errors) {
      const lp = lines.linePos(e.pos[0]);
      const at = { file, line: lp.line, col: lp.col };
      const first = e.message.split('\n')[0];
      diagnostics.push(e.code === 'DUPLICATE_KEY' ? diag('KPR1002', at, first) : diag('KPR1001', at, first));
    }
    return { source: new YamlSource(file, doc, lines), diagnostics };
  }

  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
  }

  /**
   * Where the node at `path` was written. With `key`, the position of the mapping key itself
   * (better for "unknown key" and "duplicate name"). Falls back to the nearest ancestor that
   * exists, so a missing key points at the mapping that should hold it.
   */
  pos(path: Path, opts: { key?: boolean } = {}): SourcePos {
    let node: unknown = this.doc.contents;
    let best: [number, number] | undefined = rangeOf(node);
    for (let i = 0; i < path.length; i++) {
      const step = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : p.key) === String(step));
        if (!pair) break;
        const last = i === path.length - 1;
        if (last && opts.key && pair.key) {
          best = rangeOf(pair.key) ?? best;
          node = undefined;
          break;
        }
        node = pair.value;
        best = rangeOf(node) ?? rangeOf(pair.key) ?? best;
      } else if (isSeq(node) && typeof step === 'number') {
        node = node.items[step];
        best = rangeOf(node) ?? best;
      } else {
        break;
      }
    }
    const lp = this.lines.linePos(best ? best[0] : 0);
    return { file: this.file, line: lp.line, col: lp.col };
  }
}

function rangeOf(node: unknown): [number, number] | undefined {
  const r = (node as Node | undefined)?.range;
  return r ? [r[0], r[1]] : undefined;
}
