// Reading a spec file with the position of every node (runtime/yaml/positions.ts), turning YAML
// syntax errors into catalogued diagnostics.

import { readFileSync } from 'node:fs';
import { PositionedYaml } from '../../runtime/yaml/positions.ts';
import { diag, type Diagnostic } from '../diagnostics.ts';

export type { Path } from '../../runtime/yaml/positions.ts';

/** A parsed spec or code list file: `pos(path)` says where any node was written. */
export type YamlSource = PositionedYaml;

export const YamlSource = {
  /** Parse `text` (read from `file` when omitted). Syntax errors come back as diagnostics. */
  read(file: string, text?: string): { source?: YamlSource; diagnostics: Diagnostic[] } {
    if (text === undefined) {
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        return { diagnostics: [diag('KPR1007', { file, line: 1, col: 1 }, `cannot read ${file}: ${(err as Error).message}`)] };
      }
    }
    const { yaml, errors } = PositionedYaml.parse(file, text);
    const id = (code: string) => (code === 'DUPLICATE_KEY' ? 'KPR1002' : code === 'ALIAS_COUNT' ? 'KPR1008' : 'KPR1001');
    const diagnostics = errors.map((e) => diag(id(e.code), e.at, e.message));
    return { source: yaml, diagnostics };
  },
};
