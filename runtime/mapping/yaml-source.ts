// Reading a mapping file: YAML with every node's position, so each diagnostic can say
// file:line:col. The compiler walks these nodes directly.

import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import { mdiag, type MappingDiagnostic, type Pos } from './diagnostics.ts';

export interface YamlSource {
  file: string;
  doc: ReturnType<typeof parseDocument>;
  lines: LineCounter;
}

export function parseMappingYaml(text: string, file: string): { src: YamlSource; diagnostics: MappingDiagnostic[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const src = { file, doc, lines };
  const diagnostics = [...doc.errors, ...doc.warnings].map((e) => {
    const at = posAt(src, e.pos?.[0] ?? 0);
    return mdiag('MAP1001', at, e.message.split('\n')[0]);
  });
  return { src, diagnostics };
}

export function posAt(src: YamlSource, offset: number): Pos {
  const { line, col } = src.lines.linePos(offset);
  return { file: src.file, line, col };
}

export function posOf(src: YamlSource, node: unknown): Pos {
  const range = (node as Node | undefined)?.range;
  return posAt(src, range ? range[0] : 0);
}

/** The pairs of a YAML mapping, each with its key as text. */
export function entries(map: YAMLMap): { key: string; keyNode: unknown; value: unknown; pair: Pair }[] {
  return map.items.map((pair) => ({
    key: isScalar(pair.key) ? String(pair.key.value) : String(pair.key),
    keyNode: pair.key,
    value: pair.value,
    pair,
  }));
}

export { isMap, isScalar, isSeq };
