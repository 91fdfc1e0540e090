// Reading YAML while keeping where every node was written, so any error can say
// `file:line:col` for any path into the document. Used by kpr.yaml loading and by the spec
// loader (generator/load/source.ts); it lives in runtime/ because runtime never imports generator/.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';

export type Path = readonly (string | number)[];

export interface Position {
  file: string;
  line: number;
  col: number;
}

/** How often aliases may be expanded in one file: far above any honest use, far below a bomb. */
const MAX_ALIAS_COUNT = 100;

export class PositionedYaml {
  private value: unknown;

  private constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Parses `text`; syntax errors come back with their positions, and so does an "alias bomb"
   * (aliases of aliases that would expand to billions of nodes), found here rather than when a
   * caller asks for the value.
   */
  static parse(file: string, text: string): { yaml: PositionedYaml; errors: { at: Position; message: string; code: string }[] } {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
    const errors = doc.errors.map((e) => {
      const lp = lines.linePos(e.pos[0]);
      return { at: { file, line: lp.line, col: lp.col }, message: e.message.split('\n')[0]!, code: e.code as string };
    });
    const yaml = new PositionedYaml(file, doc, lines);
    if (errors.length === 0) {
      try {
        yaml.value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (err) {
        // yaml throws a ReferenceError for excessive aliases; anything else is ours to see.
        if (!(err instanceof ReferenceError) || !/alias/i.test(err.message)) throw err;
        errors.push({
          at: yaml.firstAlias(),
          message: `aliases expand too far (more than ${MAX_ALIAS_COUNT} uses, as in an "alias bomb"): write the values out instead of aliasing aliases`,
          code: 'ALIAS_COUNT',
        });
      }
    }
    return { yaml, errors };
  }

  /** The document as plain data (parse already made it; an alias bomb leaves it undefined). */
  toJS(): unknown {
    return this.value;
  }

  /** Where the first alias is written: the start of the expansion an operator must look at. */
  private firstAlias(): Position {
    let offset = 0;
    visit(this.doc, {
      Alias(_key, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const lp = this.lines.linePos(offset);
    return { file: this.file, line: lp.line, col: lp.col };
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
