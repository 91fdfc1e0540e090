// Reading a JSON Schema file with the position of every node, so an error can say file:line:col
// as well as the JSON pointer. JSON is read through the YAML reader (YAML 1.2 holds JSON), which
// already keeps positions for the spec loader; a file that is not JSON is refused first.
import { readFileSync } from 'node:fs';
import { PositionedYaml, type Path } from '../../../runtime/yaml/positions.ts';
import { diag, type Diagnostic } from '../../diagnostics.ts';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export interface SchemaFile {
  file: string;
  root: JsonObject;
  /** Where the node at `path` was written. */
  pos(path: Path, key?: boolean): { file: string; line: number; col: number };
}

/** `['$defs', 'a/b', 0]` → `/$defs/a~1b/0`. */
export function pointer(path: Path): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function readSchemaFile(file: string, text?: string): { schema?: SchemaFile; diagnostics: Diagnostic[] } {
  const at = { file, line: 1, col: 1 };
  try {
    text ??= readFileSync(file, 'utf8');
  } catch (err) {
    return { diagnostics: [diag('KPR1701', at, `cannot read ${file}: ${(err as Error).message}`)] };
  }
  let root: unknown;
  try {
    root = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    // JSON.parse names an offset; a person wants the line and column.
    const offset = Number(/position (\d+)/.exec((err as Error).message)?.[1] ?? 0);
    const before = text.slice(0, offset).split('\n');
    const where = { file, line: before.length, col: before[before.length - 1].length + 1 };
    return { diagnostics: [diag('KPR1701', where, `not JSON: ${(err as Error).message.replace(/ in JSON at position \d+.*$/, '')}`)] };
  }
  if (!root || typeof root !== 'object' || Array.isArray(root)) return { diagnostics: [diag('KPR1701', at, 'a JSON Schema file holds one object')] };
  const { yaml } = PositionedYaml.parse(file, text);
  return { schema: { file, root: root as JsonObject, pos: (path, key) => yaml.pos(path, { key }) }, diagnostics: [] };
}
