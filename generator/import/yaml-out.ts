// Writes spec and code list files as deterministic, readable YAML: the `yaml` package's
// Document API with the key order the importer built, codes and code list numbers always
// quoted (so `"1"` never turns into a number), multi-line texts as literal blocks, short
// structured values (controls, unique, codes) in flow style, and no line folding so a
// changed sentence shows as one changed line in a diff.
import { Document, isMap, isPair, isScalar, isSeq, Scalar, visit, type YAMLMap, type YAMLSeq } from 'yaml';

const QUOTED_VALUE_KEYS = new Set(['code', 'codelist', 'number']);
const QUOTED_SEQ_KEYS = new Set(['codes', 'accept']);
const FLOW_MAP_PARENTS = new Set(['datatype', 'code', 'range']);
const FLOW_SEQ_KEYS = new Set(['accept', 'codes', 'fields', 'primaryKey', 'enum']);

function keyOf(node: unknown): string | undefined {
  return isPair(node) && isScalar(node.key) ? String(node.key.value) : undefined;
}

/** Render `data` as YAML text with a schema line on top. */
export function toYaml(data: unknown, schemaRef: string, headerLines: string[] = []): string {
  const doc = new Document(data);
  visit(doc, {
    Pair(_, pair, path) {
      const key = keyOf(pair);
      const parentKey = keyOf(path[path.length - 2]);
      const value = pair.value;
      if (isScalar(value) && typeof value.value === 'string') {
        if (key && QUOTED_VALUE_KEYS.has(key)) value.type = Scalar.QUOTE_DOUBLE;
      }
      if (isSeq(value) && key && QUOTED_SEQ_KEYS.has(key) && parentKey !== undefined) {
        // `codes:` of an attribute (a list of strings), not `codes:` of a code list file (a list of maps).
        for (const item of (value as YAMLSeq).items) if (isScalar(item)) item.type = Scalar.QUOTE_DOUBLE;
      }
      if (isSeq(value) && key && FLOW_SEQ_KEYS.has(key) && (value as YAMLSeq).items.every((i) => isScalar(i))) value.flow = true;
      if (isMap(value) && key && FLOW_MAP_PARENTS.has(key) && parentKey === 'controls') value.flow = true;
      if (isMap(value) && (parentKey === 'unique' || parentKey === 'keyrefs')) value.flow = true;
      // JSON message types: `provenance: { status, source }` and `- child: { cardinality, nullable }`.
      if (isMap(value) && (key === 'provenance' || (value as YAMLMap).has('cardinality'))) value.flow = true;
      // Keys that are code list numbers (`codelists: { "7316": … }`).
      if (isScalar(pair.key) && typeof pair.key.value === 'string' && /^\d+$/.test(pair.key.value)) pair.key.type = Scalar.QUOTE_DOUBLE;
    },
    Map(_, map, path) {
      // A code in a code list file: `- { code: "1", text: Ja }` when it fits on one line.
      const parent = path[path.length - 2];
      if (keyOf(parent) === 'codes' && (map as YAMLMap).items.every((p) => isScalar(p.value) && !String(p.value.value).includes('\n'))) {
        map.flow = true;
      }
    },
    Scalar(_, node) {
      if (typeof node.value === 'string' && node.value.includes('\n') && node.type !== Scalar.QUOTE_DOUBLE) node.type = Scalar.BLOCK_LITERAL;
    },
  });
  doc.commentBefore = [` yaml-language-server: $schema=${schemaRef}`, ...headerLines.map((l) => ` ${l}`)].join('\n');
  return doc.toString({ lineWidth: 0, flowCollectionPadding: true, indentSeq: true });
}
