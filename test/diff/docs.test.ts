// docs/changelog.md's table of change kinds is generated from the catalogue; this keeps them
// equal (UPDATE_GOLDEN=1 rewrites the table between its markers).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { CHANGE_KINDS } from '../../generator/diff/index.ts';
import { kindTable, TABLE_END, TABLE_START } from '../../generator/diff/kind-table.ts';
import { UPDATE } from '../helpers/golden.ts';
import { REPO } from './helpers.ts';

it('docs/changelog.md lists exactly the catalogued change kinds', () => {
  const file = join(REPO, 'docs/changelog.md');
  const doc = readFileSync(file, 'utf8');
  const start = doc.indexOf(TABLE_START),
    end = doc.indexOf(TABLE_END);
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  const current = doc.slice(start, end + TABLE_END.length);
  if (UPDATE) writeFileSync(file, doc.replace(current, kindTable()));
  else expect(current).toBe(kindTable());
  for (const id of CHANGE_KINDS.keys()) expect(kindTable()).toContain(`| \`${id}\` |`);
});
