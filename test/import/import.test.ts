// The importer reproduces the committed spec files from the official packages (so a change
// to the importer or a hand edit that drifts from it is noticed), refuses to overwrite a
// reviewed message file without --force, and names the missing file when a package is incomplete.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOfficial, referenceDir } from '../helpers/reference.ts';
import { Command } from 'commander';
import { UserError } from '../../runtime/cli/program.ts';
import { register } from '../../generator/import/cli.ts';
import { importPackage } from '../../generator/import/import.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describeOfficial('kpr spec import', () => {
  let out: string;
  let REF: string;
  beforeAll(() => {
    REF = referenceDir();
    out = mkdtempSync(join(tmpdir(), 'kpr-import-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('reproduces the committed spec and code list files', () => {
    // Same order as the committed files were made: HST first, then IPLOS merges into the shared lists.
    importPackage({ from: join(REF, 'hst-56.0.0'), message: 'hst', out });
    const r = importPackage({ from: join(REF, 'iplos-56.0.0'), message: 'iplos', out });
    expect(r.notes.some((n) => n.where === 'codelist 7316')).toBe(true);
    for (const f of ['hst/56.0.0.yaml', 'iplos/56.0.0.yaml']) {
      expect(readFileSync(join(out, f), 'utf8'), f).toBe(withoutHandTranscribed(readFileSync(join(ROOT, 'spec', f), 'utf8')));
    }
    const lists = readdirSync(join(out, 'codelists')).sort();
    expect(lists).toEqual(readdirSync(join(ROOT, 'spec/codelists')).sort());
    for (const f of lists) {
      expect(readFileSync(join(out, 'codelists', f), 'utf8'), f).toBe(readFileSync(join(ROOT, 'spec/codelists', f), 'utf8'));
    }
  });

  it('refuses to overwrite a message file without --force, and is a no-op with it', async () => {
    const file = join(out, 'hst/56.0.0.yaml');
    const before = readFileSync(file, 'utf8');
    expect(() => importPackage({ from: join(REF, 'hst-56.0.0'), message: 'hst', out })).toThrow(/exists.*--force/);
    // Through the command line: a UserError (exit code 2) that says what to do.
    const program = new Command('kpr').exitOverride();
    register(program);
    const run = program.parseAsync(['node', 'kpr', 'spec', 'import', '--from', join(REF, 'hst-56.0.0'), '--message', 'hst', '--out', out]);
    await expect(run).rejects.toThrow(UserError);
    await expect(run).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/--force/) });
    expect(readFileSync(file, 'utf8')).toBe(before);
    const again = importPackage({ from: join(REF, 'hst-56.0.0'), message: 'hst', out, force: true });
    expect(again.written).toEqual([]);
  });

  it('names the missing file of an incomplete package', () => {
    const pkg = mkdtempSync(join(tmpdir(), 'kpr-pkg-'));
    try {
      cpSync(join(REF, 'hst-56.0.0'), pkg, { recursive: true });
      rmSync(join(pkg, 'XPR(hst)_Annotations.xsd'));
      expect(() => importPackage({ from: pkg, message: 'hst', out: join(pkg, 'spec') })).toThrow(/missing XPR\(hst\)_Annotations\.xsd/);
    } finally {
      rmSync(pkg, { recursive: true, force: true });
    }
  });
});

/**
 * The committed spec less what is transcribed by hand from parts the importer does not read:
 * the `rules:` of the chapters before the information model (judged word for word against the
 * Word text by test/field-reference/message-rules.test.ts) and `exactlyOne` with its comment
 * (the {XOR} the importer keeps as text in the class comment). Everything else must match.
 */
function withoutHandTranscribed(yaml: string): string {
  return yaml.replace(/^rules:\n(?: {2}.*\n)+/m, '').replace(/^(?: {4}# .*\n)* {4}exactlyOne: .*\n/gm, '');
}
