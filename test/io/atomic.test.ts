// The one writer of whole files: the target holds the old bytes or the new ones, never part, and
// no temporary file is left behind, whether the write succeeds or fails.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renameIntoPlace, writeFileAtomic } from '../../runtime/io/atomic.ts';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'kpr-atomic-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('replaces a file whole and leaves only the target in its folder', () => {
    const dir = fresh();
    const file = join(dir, 'out.xml');
    writeFileSync(file, 'old');
    writeFileAtomic(file, 'new æøå');
    expect(readFileSync(file, 'utf8')).toBe('new æøå');
    expect(readdirSync(dir)).toEqual(['out.xml']);
  });

  it('makes the folder when asked, and sets the mode exactly', () => {
    const dir = fresh();
    const file = join(dir, 'a', 'b', 'key.pem');
    writeFileAtomic(file, Buffer.from([1, 2, 3]), { mkdir: true, mode: 0o600 });
    expect([...readFileSync(file)]).toEqual([1, 2, 3]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps the old state and leaves no temporary file when the rename cannot happen', () => {
    const dir = fresh();
    writeFileAtomic(join(dir, 'kept'), 'keep');
    // A non-empty folder cannot be replaced by a file: the rename fails after the bytes are written.
    const target = join(dir, 'taken');
    mkdirSync(join(target, 'inner'), { recursive: true });
    expect(() => writeFileAtomic(target, 'x')).toThrow();
    expect(readdirSync(dir).sort()).toEqual(['kept', 'taken']);
    expect(readFileSync(join(dir, 'kept'), 'utf8')).toBe('keep');
  });
});

describe('renameIntoPlace', () => {
  it('puts a finished temporary file in place of the target', () => {
    const dir = fresh();
    const tmp = join(dir, '.out.tmp');
    const out = join(dir, 'out.ndjson');
    writeFileSync(out, 'old\n');
    writeFileSync(tmp, '{"a":1}\n');
    renameIntoPlace(tmp, out);
    expect(readFileSync(out, 'utf8')).toBe('{"a":1}\n');
    expect(readdirSync(dir)).toEqual(['out.ndjson']);
  });
});
