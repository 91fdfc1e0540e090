// The throwaway PostgreSQL's finder: the newest major's bin folder under Debian's layout, none
// where there is none (then the store's tests skip with one line, or fail in CI).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { findPgBin } from '../helpers/postgres.ts';

it('finds the newest PostgreSQL with an initdb, and nothing in an empty or missing folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'kpr-pgbin-'));
  expect(findPgBin(root)).toBeUndefined();
  expect(findPgBin(join(root, 'missing'))).toBeUndefined();
  for (const major of ['9', '13', '15']) {
    mkdirSync(join(root, major, 'bin'), { recursive: true });
    if (major !== '15') writeFileSync(join(root, major, 'bin', 'initdb'), '');
  }
  mkdirSync(join(root, 'common'));
  expect(findPgBin(root)).toBe(join(root, '13', 'bin'));
  writeFileSync(join(root, '15', 'bin', 'initdb'), '');
  expect(findPgBin(root)).toBe(join(root, '15', 'bin'));
});
