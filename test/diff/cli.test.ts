// `kpr spec diff` and `kpr spec new` as a user runs them: formats, --fail-on exit codes, a
// user's own template, clear errors, and a scaffold that loads, changes only the title page and
// never overwrites.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { register } from '../../generator/diff/cli.ts';
import { diffSpecs } from '../../generator/diff/index.ts';
import { UserError } from '../../runtime/cli/program.ts';
import { load, onlySpecIn, REPO } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'kpr-diff-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run one `kpr spec …` command in-process; returns stdout and the exit code it set. */
async function kpr(...args: string[]): Promise<{ out: string; code: number }> {
  const program = new Command('kpr').exitOverride();
  register(program);
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'kpr', ...args]);
  } finally {
    spy.mockRestore();
  }
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  process.exitCode = undefined;
  return { out, code };
}

const caseFile = (name: string, side: 'a' | 'b') => onlySpecIn(join(REPO, 'test/diff/cases', name, side));
const EXAMPLE = join(REPO, 'test/fixtures/hst-example-next/spec/hst/57.0.0.yaml');

describe('kpr spec diff', () => {
  it('writes JSON that carries the same changes as the engine', async () => {
    const a = caseFile('code-removed', 'a'),
      b = caseFile('code-removed', 'b');
    const { out, code } = await kpr('spec', 'diff', a, b, '--format', 'json');
    const json = JSON.parse(out);
    expect(code).toBe(0);
    expect(json.summary).toEqual({ breaking: 1, warning: 0, info: 0 });
    expect(json.changes).toEqual(JSON.parse(JSON.stringify(diffSpecs(load(a), load(b)))));
  });

  it('sets exit code 1 only when a change of the --fail-on severity or worse is present', async () => {
    const a = caseFile('attribute-added', 'a'),
      b = caseFile('attribute-added', 'b'); // one info change
    expect((await kpr('spec', 'diff', a, b, '--fail-on', 'breaking')).code).toBe(0);
    expect((await kpr('spec', 'diff', a, b, '--fail-on', 'warning')).code).toBe(0);
    expect((await kpr('spec', 'diff', a, b, '--fail-on', 'info')).code).toBe(1);
    expect((await kpr('spec', 'diff', b, a, '--fail-on', 'breaking')).code).toBe(1); // the removal
  });

  it('renders a user template with --template', async () => {
    const t = join(tmp, 'own.hbs');
    writeFileSync(t, '{{from.id}} -> {{to.id}}: {{counts.breaking}}{{#each groups}}{{#each changes}} [{{kind}} {{path}}]{{/each}}{{/each}}\n');
    const { out } = await kpr('spec', 'diff', caseFile('code-removed', 'a'), caseFile('code-removed', 'b'), '--template', t);
    expect(out).toBe('mini@1.0.0 -> mini@1.0.0: 1 [code-removed codelists/8524/4]\n');
  });

  it('resolves <message>@<version> under --spec-dir and explains what it cannot find', async () => {
    const { out } = await kpr('spec', 'diff', 'hst@56.0.0', 'hst@56.0.0', '--spec-dir', join(REPO, 'spec'), '--format', 'text');
    expect(out).toBe('hst@56.0.0 → hst@56.0.0: 0 breaking, 0 warning, 0 info\n');
    await expect(kpr('spec', 'diff', 'hst@99.0.0', 'hst@56.0.0', '--spec-dir', join(REPO, 'spec'))).rejects.toThrow(UserError);
    await expect(kpr('spec', 'diff', 'hst@99.0.0', 'hst@56.0.0', '--spec-dir', join(REPO, 'spec'))).rejects.toThrow(/no .*99\.0\.0\.yaml/);
  });

  it('exits 1 through the real kpr binary when the example next version breaks senders', () => {
    const r = spawnSync(process.execPath, [join(REPO, 'bin/kpr.mjs'), 'spec', 'diff', 'hst@56.0.0', EXAMPLE, '--fail-on', 'breaking', '--format', 'md'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^# hst@56\.0\.0 → hst@57\.0\.0\n\n15 breaking/);
  });
});

describe('kpr spec new', () => {
  const root = join(tmp, 'spec');
  mkdirSync(join(root, 'hst'), { recursive: true });
  cpSync(join(REPO, 'spec/hst/56.0.0.yaml'), join(root, 'hst/56.0.0.yaml'));
  cpSync(join(REPO, 'spec/codelists'), join(root, 'codelists'), { recursive: true });
  const target = join(root, 'hst/57.0.0.yaml');

  it('scaffolds a loadable next version that differs only on the title page', async () => {
    const { out } = await kpr('spec', 'new', 'hst', '57.0.0', '--from', '56.0.0', '--valid-from', '2027-01-01', '--published', '2026-03-31', '--spec-dir', root);
    expect(out).toContain('namespace: http://www.npr.no/xmlstds/56_0_0_hst → http://www.npr.no/xmlstds/57_0_0_hst');
    const text = readFileSync(target, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=../spec.schema.json');
    const before = load(join(root, 'hst/56.0.0.yaml'));
    const after = load(target);
    expect(after).toMatchObject({ version: '57.0.0', schemaVersion: '57.0.0.1', validFrom: '2027-01-01', published: '2026-03-31', status: 'Utkast' });
    expect(new Set(diffSpecs(before, after).map((c) => c.kind))).toEqual(
      new Set(['namespace-changed', 'fixed-value-changed', 'message-version-changed', 'validity-changed', 'metadata-changed']),
    );
    // Everything but the edited lines and the added note is byte for byte the original.
    const orig = readFileSync(join(root, 'hst/56.0.0.yaml'), 'utf8').split('\n');
    const lines = text.split('\n');
    expect(lines.length).toBe(orig.length + 1);
    expect(lines.filter((l) => !orig.includes(l)).length).toBe(8);
  });

  it('refuses to overwrite', async () => {
    const mtime = statSync(target).mtimeMs;
    await expect(kpr('spec', 'new', 'hst', '57.0.0', '--from', '56.0.0', '--valid-from', '2028-01-01', '--spec-dir', root)).rejects.toThrow(/already exists/);
    expect(statSync(target).mtimeMs).toBe(mtime);
    expect(readFileSync(target, 'utf8')).toContain('validFrom: 2027-01-01');
  });

  it('rejects malformed versions and dates', async () => {
    await expect(kpr('spec', 'new', 'hst', '57', '--from', '56.0.0', '--valid-from', '2027-01-01', '--spec-dir', root)).rejects.toThrow(UserError);
    await expect(kpr('spec', 'new', 'hst', '58.0.0', '--from', '56.0.0', '--valid-from', '1.1.2027', '--spec-dir', root)).rejects.toThrow(/YYYY-MM-DD/);
  });
});
