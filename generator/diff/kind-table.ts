// The table of change kinds in docs/changelog.md, generated from the catalogue so the two cannot
// drift (test/diff/docs.test.ts compares them).
import { mdCell, mdCode } from '../templates/index.ts';
import { CHANGE_KINDS } from './catalogue.ts';
import { SEVERITIES } from './change.ts';

export const TABLE_START = '<!-- change-kinds:start (generated from generator/diff/catalogue.ts; UPDATE_GOLDEN=1 npx vitest run test/diff/docs.test.ts) -->';
export const TABLE_END = '<!-- change-kinds:end -->';

export function kindTable(): string {
  const kinds = [...CHANGE_KINDS.values()].sort((x, y) => SEVERITIES.indexOf(x.severity) - SEVERITIES.indexOf(y.severity));
  const rows = kinds.map((k) => `| ${mdCode(k.id)} | ${k.severity} | ${mdCode(k.inverse)} | ${mdCell(k.summary)} |`);
  return [TABLE_START, '', '| Kind | Severity | Inverse | Why |', '|---|---|---|---|', ...rows, '', TABLE_END].join('\n');
}
