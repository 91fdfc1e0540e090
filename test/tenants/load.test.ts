// A vendor's tenants file: defaults merged under each tenant's own settings, tenants inline and
// one file per tenant in a folder, each checked as a kpr.yaml is, and the problems no single
// tenant shows (an id twice, a kommune reported by two tenants, two tenants on one SQLite file, a
// password in the store's URL): all reported at once, each at the file:line:col that holds it,
// with its rule id.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTenants, TenantsError } from '../../runtime/tenants/load.ts';
import { TENANT_DIAGNOSTICS } from '../../runtime/tenants/diagnostics.ts';
import { REPO_ROOT, runKpr } from '../helpers/cli.ts';

const CONTACTS = `[{ kontPerson: K, meldEpost1: k@example.invalid, typeKontaktperson: "1" }, { kontPerson: K, meldEpost1: k@example.invalid, typeKontaktperson: "15" }]`;

/** Writes `files` (name → text) into a new folder; returns it. */
function setup(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kpr-tenants-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** The diagnostics of loading `dir`/tenants.yaml, as `name:line:col id message` with the folder cut. */
function problems(dir: string): string[] {
  try {
    loadTenants(join(dir, 'tenants.yaml'));
  } catch (err) {
    if (!(err instanceof TenantsError)) throw err;
    return err.diagnostics.map((d) => `${d.file.slice(dir.length + 1)}:${d.line}:${d.col} ${d.id} ${d.message.split(dir).join('.')}`);
  }
  return [];
}

const DEFAULTS = `defaults:
  profile: sandbox
  epj: { leverandor: Test AS, navnEPJ: TestEPJ, versjonEPJ: "1.0" }
  message: { spec: hst@56.0.0 }
  source: { type: folder, path: epj }
`;

describe('tenants file', () => {
  it('the example: defaults under each tenant, inline and from the folder, one PostgreSQL schema each', () => {
    const cfg = loadTenants(join(REPO_ROOT, 'examples/tenants/tenants.yaml'));
    expect(cfg.tenants.map((t) => [t.id, t.config.sender?.orgNr, t.config.batch.maxConsultations, t.config.message.spec, t.store])).toEqual([
      ['oslo', '974770000', 500, 'hst@56.0.0', { kind: 'postgres', url: 'postgresql://kpr@db.example/kpr', schema: 'kpr_oslo' }],
      ['bergen', '964338531', 200, 'hst@56.0.0', { kind: 'postgres', url: 'postgresql://kpr@db.example/kpr', schema: 'kpr_bergen' }],
    ]);
    expect(cfg.tenants[1]?.config.source.path).toBe(join(REPO_ROOT, 'examples/tenants/epj/bergen'));
  });

  it('SQLite: one file per tenant under store.dir, the URL as a secret for PostgreSQL', () => {
    const tenant = (id: string, kommune: string) =>
      `  - { id: ${id}, sender: { herId: 1, orgNr: "974770000", Kommune: [{ kommuneNr: "${kommune}" }], Kontaktperson: ${CONTACTS} } }\n`;
    const dir = setup({ 'tenants.yaml': `store: { kind: sqlite, dir: data }\n${DEFAULTS}tenants:\n${tenant('a', '0301')}${tenant('b', '4601')}` });
    expect(loadTenants(join(dir, 'tenants.yaml')).tenants.map((t) => t.store)).toEqual([
      { kind: 'sqlite', path: join(dir, 'data/a.db') },
      { kind: 'sqlite', path: join(dir, 'data/b.db') },
    ]);
    const pg = setup({ 'tenants.yaml': `store: { kind: postgres, url: { env: KPR_PG_URL }, schemaPrefix: unit_ }\n${DEFAULTS}tenants:\n${tenant('a', '0301')}` });
    const [a] = loadTenants(join(pg, 'tenants.yaml')).tenants;
    expect(a?.store).toEqual({ kind: 'postgres', url: { env: 'KPR_PG_URL', where: 'store.url' }, schema: 'unit_a' });
    // The tenant's own configuration says where its state is (its jobs open config.store).
    expect(a?.config.store).toEqual(a?.store);
  });

  it('every problem at once, each where it is written, with its rule id', () => {
    const dir = setup({
      'tenants.yaml': `store: { kind: postgres, url: "postgresql://kpr:secret@db.example/kpr" }
defaults:
  profile: sandbox
  epj: { leverandor: Test AS, navnEPJ: TestEPJ, versjonEPJ: "1.0" }
  message: { spec: hst@56.0.0 }
  batch: { maxConsultations: zero }
  source: { type: folder, path: epj }
tenants:
  - id: oslo
    sender: { herId: 1, orgNr: "974770000", Kommune: [{ kommuneNr: "0301" }], Kontaktperson: ${CONTACTS} }
    batch: { maxConsultations: 10 }
  - id: oslo
    sender: { herId: 2, orgNr: "974770000", Kommune: [], Kontaktperson: [] }
  - id: asker
    sender: { herId: 5, orgNr: "974770000", Kommune: [{ kommuneNr: "0301" }], Kontaktperson: ${CONTACTS} }
tenantsDir: tenants
`,
      'tenants/bergen.yaml': `id: bergn\nsender: { herId: 3, orgNr: "964338531", Kommune: [{ kommuneNr: "4601" }], Kontaktperson: [] }\n`,
      'tenants/drammen.yaml': `sender:\n  herId: 4\n  orgNr: "12345"\n  Kommune: [{ kommuneNr: "3005" }]\n  Kontaktperson: ${CONTACTS}\nbatch: { maxConsultations: 5 }\n`,
    });
    expect(problems(dir)).toEqual([
      'tenants.yaml:1:31 TEN4001 store.url holds a password',
      // The default is wrong for the tenants that take it (oslo sets its own).
      'tenants.yaml:6:30 TEN3001 tenant asker: batch.maxConsultations must be integer',
      'tenants.yaml:12:9 TEN2001 tenant "oslo" twice (also ./tenants.yaml:9:9)',
      'tenants.yaml:15:68 TEN2002 kommune 0301 is reported by tenants oslo and asker',
      'tenants/bergen.yaml:1:5 TEN1005 id "bergn" in bergen.yaml: the file of tenant "bergn" is bergn.yaml',
      'tenants/drammen.yaml:3:10 TEN3001 tenant drammen: sender.orgNr has the wrong form (expected an organisation number of 9 digits)',
    ]);
    for (const p of problems(dir)) expect(TENANT_DIAGNOSTICS.defs.has(p.split(' ')[1] ?? '')).toBe(true);
  });

  it('the file itself: unknown settings, no tenants, two tenants on one SQLite file', () => {
    expect(problems(setup({ 'tenants.yaml': 'store: { kind: sqlite }\ntenant: []\n' }))).toEqual(['tenants.yaml:2:1 TEN1002 unknown setting `tenant` in the tenants file']);
    expect(problems(setup({ 'tenants.yaml': 'store: { kind: sqlite }\ntenants: []\n' }))).toEqual([
      'tenants.yaml:1:1 TEN1003 tenants.yaml names no tenant (neither `tenants` nor files in `tenantsDir`)',
    ]);
    expect(problems(setup({ 'tenants.yaml': 'store: { kind: postgres }\ntenants: []\n' }))).toEqual(['tenants.yaml:1:1 TEN1002 store needs `url`']);
    const shared = `store: { kind: sqlite }\n${DEFAULTS}  database: one.db\ntenants:\n  - { id: a, sender: { herId: 1, orgNr: "974770000", Kommune: [{ kommuneNr: "0301" }], Kontaktperson: ${CONTACTS} } }\n  - { id: b, sender: { herId: 2, orgNr: "974770000", Kommune: [{ kommuneNr: "4601" }], Kontaktperson: ${CONTACTS} } }\n`;
    const dir = setup({ 'tenants.yaml': shared });
    expect(problems(dir)).toEqual([`tenants.yaml:7:13 TEN2003 tenants a and b both keep their state in ./one.db`]);
  });

  it('kpr tenants check: the tenants, or the problems and exit 2 without a stack', () => {
    const ok = runKpr(['tenants', 'check', '--config', 'examples/tenants/tenants.yaml', '--format', 'json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).tenants.map((t: { id: string; kommuner: string[] }) => [t.id, t.kommuner])).toEqual([
      ['oslo', ['0301']],
      ['bergen', ['4601']],
    ]);
    const dir = setup({ 'tenants.yaml': 'store: { kind: sqlite }\ntenants: []\n' });
    const bad = runKpr(['tenants', 'check', '--config', join(dir, 'tenants.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/tenants\.yaml:1:1: error TEN1003: /);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
