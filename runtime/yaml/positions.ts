// Reading YAML while keeping where every node was written, so any error can say
// `file:line:col` for any path into the document. Used by kpr.yaml loading and by the spec
// loader (generator/load/source.ts); it lives in runtime/ because runtime never imports generator/.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

export type Path = readonly (string | number)[];

export interface Position {
  file: string;
  line: number;
  col: number;
}

export class PositionedYaml {
  private constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /** Parses `text`; syntax errors come back with their positions. */
  static parse(file: string, text: string): { yaml: PositionedYaml; errors: { at: Position; message: string; code: string }[] } {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
    const errors = doc.errors.map((e) => {
      const lp = lines.linePos(e.pos[0]);
      return { at: { file, line: lp.line, col: lp.col }, message: e.message.split('\n')[0]!, code: e.code };
    });
    return { yaml: new PositionedYaml(file, doc, lines), errors };
  }

  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
  }

  /**
   * Where the node at `path` was written; with `key`, the mapping key itself. A path that does
   * not exist falls back to its nearest existing ancestor (a missing key points at its parent).
   */
  pos(path: Path, opts: { key?: boolean } = {}): Position {
    let node: unknown = this.doc.contents;
    let best = rangeOf(node);
    for (let i = 0; i < path.length; i++) {
      const step = path[i];
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(step));
        if (!pair) break;
        if (i === path.length - 1 && opts.key && pair.key) {
          best = rangeOf(pair.key) ?? best;
          break;
        }
        node = pair.value;
        best = rangeOf(node) ?? rangeOf(pair.key) ?? best;
      } else if (isSeq(node) && typeof step === 'number') {
        node = node.items[step];
        best = rangeOf(node) ?? best;
      } else break;
    }
    const lp = this.lines.linePos(best ? best[0] : 0);
    return { file: this.file, line: lp.line, col: lp.col };
  }
}

function rangeOf(node: unknown): [number, number] | undefined {
  const r = (node as Node | undefined)?.range;
  return r ? [r[0], r[1]] : undefined;
}

/** A JSON pointer (as Ajv's instancePath) as a path into the document: `/a/0/b` → ['a', 0, 'b']. */
export function pointerPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}
