// `kpr init` as a newcomer runs it: into a folder that does not exist yet, while the sandbox's
// port is taken (no sandbox is started), with next steps that paste and run, and nothing
// half-written when it fails.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../runtime/config/load.ts';
import { generateAppointments } from '../../runtime/demo-data/appointments.ts';
import { initSandboxSetup } from '../../runtime/init/sandbox-setup.ts';
import { loadMapping } from '../../runtime/mapping/apply.ts';
import { runKpr } from '../helpers/cli.ts';

const schemaOf = (yamlFile: string) => /\$schema=(\S+)/.exec(readFileSync(yamlFile, 'utf8'))![1]!;

describe('kpr init --profile sandbox', () => {
  it('needs no free port, creates the missing folder, and prints next steps that start with npx kpr', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((ok) => busy.once('listening', ok));
    const port = (busy.address() as { port: number }).port;
    try {
      const cwd = mkdtempSync(join(tmpdir(), 'kpr-init-'));
      const r = runKpr(['init', '--profile', 'sandbox', '--dir', 'new/setup', '--children', '2', '--port', String(port)], { cwd });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const config = parse(readFileSync(join(cwd, 'new/setup/kpr.yaml'), 'utf8'));
      expect(config.api.baseUrl).toBe(`http://127.0.0.1:${port}`);
      // Every unit a record names is an Enhet of its Kommune, so no record warns REC4008.
      const enheter = new Map<string, string>();
      for (const k of config.sender.Kommune) for (const e of k.Enhet) enheter.set(e.enhetID, k.kommuneNr);
      const records = readFileSync(join(cwd, 'new/setup/epj/extract.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const units = records.filter((x) => x.consultation).map((x) => [x.consultation.unitId, x.consultation.municipalityNumber]);
      expect(units.length).toBeGreaterThan(0);
      for (const [unit, kommune] of units) expect(enheter.get(unit), unit).toBe(kommune);
      expect(existsSync(resolve(cwd, 'new/setup', schemaOf(join(cwd, 'new/setup/kpr.yaml'))))).toBe(true);
      for (const f of [config.helseid.jwkFile, config.certificates.signing.certFile, config.certificates.receiverEncryptionCertFile]) {
        expect(existsSync(join(cwd, 'new/setup', f)), f).toBe(true);
      }
      // The copy of the example mapping names itself, not the repository's example.
      expect(readFileSync(join(cwd, 'new/setup/mapping.yaml'), 'utf8')).not.toContain('examples/demo-epj/mapping.yaml');
      expect(readdirSync(join(cwd, 'new')), 'no staging folder left').toEqual(['setup']);
      const steps = r.stdout.split('\n').filter((l) => l.startsWith('  '));
      expect(steps.length).toBeGreaterThanOrEqual(4);
      for (const s of steps) expect(s.trim()).toMatch(/^(npx kpr |kill \$\(cat )/);
      expect(r.stdout).toContain('kill $(cat new/setup/sandbox/sandbox.pid)');
    } finally {
      busy.close();
    }
  });

  it("--channel slash writes the demo EPJ's appointment book and its mapping rooted at Enhet, which maps every line", async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kpr-init-slash-'));
    const r = runKpr(['init', '--profile', 'sandbox', '--channel', 'slash', '--dir', 'setup', '--children', '3', '--seed', 'i', '--today', '2026-11-24', '--bad-rate', '0'], {
      cwd,
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const dir = join(cwd, 'setup');
    const config = loadConfig(join(dir, 'kpr.yaml'));
    expect(config.mapping).toBe(join(dir, 'mapping.yaml'));
    // The book is exactly what kpr demo-data --appointments writes for the same EPJ.
    const book = [...generateAppointments({ children: 3, from: '2017-01-01', to: '2026-11-24', seed: 'i', badRate: 0 })];
    expect(book.length).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'epj/extract.ndjson'), 'utf8')).toBe(book.map((l) => `${JSON.stringify(l)}\n`).join(''));
    expect(r.stdout).toContain(`${book.length} demo appointments`);
    // The copied mapping (and its source schema beside it) maps every line to a unit object.
    const text = readFileSync(join(dir, 'mapping.yaml'), 'utf8');
    expect(text).not.toContain('examples/demo-epj-appointments/mapping.yaml');
    const mapper = await loadMapping(config.mapping!);
    for (const l of book) {
      const m = mapper.apply(l);
      expect(m.ok && m.value.orgNr, l.recordId).toBe(Number(l.unit.orgNumber));
    }
  });

  it('leaves nothing behind when it fails half-way', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'kpr-init-fail-'));
    const dir = join(parent, 'setup');
    await expect(initSandboxSetup({ dir, seed: 's', children: 2, today: 'not-a-day', port: 0 })).rejects.toThrow(/YYYY-MM-DD/);
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('kpr init without a profile', () => {
  it('writes the example into a folder it creates, with a $schema that exists', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kpr-init-plain-'));
    const r = runKpr(['init', '--dir', 'etc/kpr'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('npx kpr status --config etc/kpr/kpr.yaml');
    const file = join(cwd, 'etc/kpr/kpr.yaml');
    expect(existsSync(resolve(dirname(file), schemaOf(file)))).toBe(true);
  });
});
