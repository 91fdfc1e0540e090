// A vendor's tenants in one process (issue 17, sections 1 and 4): `kpr init --tenants 3` writes
// a setup that `kpr tenants check` accepts with either store; each tenant's run, one after
// another in one process, delivers that tenant's data into the sandbox under the tenant's own
// organisation (the stand-in HelseID's orgnr_parent), which the sandbox's state per tenant
// shows; the tokens are cached per tenant (counted at the stand-in: one per tenant, the second
// job reuses it, never one for two tenants), and a tenant whose token comes back without its
// organisation fails with an error naming the tenant and what to fix, without stopping others.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_MESSAGES, MESSAGES } from '../../generated/index.ts';
import { generateAppointments } from '../../runtime/demo-data/appointments.ts';
import { initTenantsSetup, type TenantPlan, type TenantsSetup } from '../../runtime/init/tenants-setup.ts';
import { deliveryForm, itemsOfUnit } from '../../runtime/jobs/channels/slash/form.ts';
import { silentLogger } from '../../runtime/log.ts';
import { generatedCodec } from '../../runtime/sandbox/generated-codec.ts';
import { startSandbox, type Sandbox } from '../../runtime/sandbox/index.ts';
import { generatedMessageTypes } from '../../runtime/sandbox/slash/index.ts';
import type { SlashLedgerState } from '../../runtime/sandbox/slash/ledger.ts';
import { runTenantJobs } from '../../runtime/tenants/jobs.ts';
import { loadTenants, type TenantsConfig } from '../../runtime/tenants/load.ts';
import { processTokenCache } from '../../runtime/transport/helseid/index.ts';
import { runKpr } from '../helpers/cli.ts';

const TODAY = '2025-06-30';
const FROM = '2025-01-01';
const SCOPE = 'fhi:slash.mottak/all';

const slashOptions = {
  messageTypes: generatedMessageTypes(JSON_MESSAGES),
  contentOf: (type: string, version: string, unit: Record<string, unknown>) => (type === 'HST_Avtale' ? itemsOfUnit(deliveryForm(type, version), unit) : []),
};

interface Line {
  appointment: { id: string };
  unit: { orgNumber: string };
}

const linesOf = (file: string): Line[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);

describe('kpr init --profile sandbox --tenants 3', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  for (const store of ['sqlite', 'postgres'] as const) {
    for (const channel of ['slash', 'kneik'] as const) {
      it(`--store ${store} --channel ${channel}: kpr tenants check passes on what it writes`, () => {
        const dir = mkdtempSync(join(tmpdir(), 'kpr-init-tenants-'));
        dirs.push(dir);
        const init = runKpr(['init', '--profile', 'sandbox', '--tenants', '3', '--store', store, '--channel', channel, '--children', '2', '--port', '0', '--dir', join(dir, 'd')]);
        expect(init.stderr).toBe('');
        expect(init.code).toBe(0);
        const check = runKpr(['tenants', 'check', '--format', 'json', '--config', join(dir, 'd/tenants.yaml')]);
        expect(check.stderr).toBe('');
        expect(check.code).toBe(0);
        const { tenants } = JSON.parse(check.stdout) as { tenants: { id: string; orgNr: string; herId: number | null; kommuner: string[]; store: string }[] };
        expect(tenants.map((t) => t.id)).toEqual(['oslo', 'bergen', 'trondheim']);
        expect(new Set(tenants.map((t) => t.orgNr)).size).toBe(3);
        if (channel === 'kneik') {
          expect(tenants.map((t) => t.kommuner)).toEqual([['0301'], ['4601'], ['5001']]);
          expect(new Set(tenants.map((t) => t.herId)).size).toBe(3);
        }
        const text = readFileSync(join(dir, 'd/tenants.yaml'), 'utf8');
        if (store === 'postgres') {
          expect(text).toContain('url: { env: KPR_PG_URL }');
          expect(text).not.toMatch(/postgres(ql)?:\/\/[^\s@]*:[^\s@]*@/);
          expect(tenants.map((t) => t.store)).toEqual(['$KPR_PG_URL (schema kpr_oslo)', '$KPR_PG_URL (schema kpr_bergen)', '$KPR_PG_URL (schema kpr_trondheim)']);
        } else expect(tenants.map((t) => t.store)).toEqual(['oslo', 'bergen', 'trondheim'].map((id) => join(dir, 'd/state', `${id}.db`)));
      });
    }
  }
});

describe('kpr init --tenants refuses what it cannot write', () => {
  it('more tenants than demo municipalities, or without --profile sandbox: a clear error and nothing written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpr-init-tenants-bad-'));
    const many = runKpr(['init', '--profile', 'sandbox', '--tenants', '25', '--dir', join(dir, 'd')]);
    expect(many.code).toBe(2);
    expect(many.stderr).toContain('--tenants must be from 1 to 24 (one demo municipality each), got 25');
    const bare = runKpr(['init', '--tenants', '2', '--dir', join(dir, 'd')]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('--tenants writes a sandbox setup: use it with --profile sandbox');
    expect(readdirSync(dir)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("a vendor's tenants run one after another in one process (SQLite, SLASH)", () => {
  let base: string;
  let setup: TenantsSetup;
  let sandbox: Sandbox;
  let cfg: TenantsConfig;

  const issued = (): Record<string, number> => ({ ...(sandbox.stats().tokensIssuedByKey as Record<string, number>) });
  const issuedSince = (before: Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const [k, n] of Object.entries(issued())) if (n > (before[k] ?? 0)) out[k] = n - (before[k] ?? 0);
    return out;
  };
  const keyOf = (t: TenantPlan) => `${sandbox.clientId}|${SCOPE}|${t.orgNr}|`;
  const stateOf = async (t: TenantPlan): Promise<SlashLedgerState> => (await fetch(`${sandbox.url}/sandbox/slash/state?parent=${t.orgNr}`)).json() as Promise<SlashLedgerState>;
  /** More of the tenant's appointment book, after what the first run read. */
  const moreData = async (t: TenantPlan, name: string, from: string, to: string) => {
    const records = [...generateAppointments({ children: 50, from, to, seed: `${t.seed}-${name}`, municipalities: 1, firstMunicipality: setup.tenants.indexOf(t) })];
    expect(records.length).toBeGreaterThan(0);
    appendFileSync(join(base, 'd/epj', t.id, `${name}.ndjson`), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  };

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'kpr-tenants-run-'));
    setup = await initTenantsSetup({ dir: join(base, 'd'), tenants: 3, store: 'sqlite', channel: 'slash', seed: 'issue-17', children: 4, today: TODAY, from: FROM, port: 0 });
    sandbox = await startSandbox({ dataDir: setup.sandboxDir, port: setup.port, host: '127.0.0.1', slash: slashOptions });
    cfg = loadTenants(setup.tenantsFile);
    processTokenCache.clear();
  });
  afterAll(async () => {
    await sandbox?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it("delivers every tenant's data under its own organisation, one token per tenant", async () => {
    const before = issued();
    const results = await runTenantJobs(cfg, 'run');
    expect(results.map((r) => [r.tenant, r.error?.message])).toEqual([
      ['oslo', undefined],
      ['bergen', undefined],
      ['trondheim', undefined],
    ]);
    // One token per tenant, each naming the tenant's organisation; none without one.
    expect(issuedSince(before)).toEqual(Object.fromEntries(setup.tenants.map((t) => [keyOf(t), 1])));

    const all = sandbox.slash.state();
    const seen = new Set<string>();
    for (const t of setup.tenants) {
      const lines = linesOf(join(base, 'd/epj', t.id, 'extract.ndjson'));
      const state = await stateOf(t);
      // The tenant's units are exactly those its extract names, each delivered under its organisation.
      expect(Object.keys(state.units).sort()).toEqual([...new Set(lines.map((l) => l.unit.orgNumber))].sort());
      for (const ds of Object.values(state.units)) for (const d of ds) expect(d.parentOrgNr).toBe(t.orgNr);
      // Every appointment of the extract is at the receiver, and nothing else.
      const items = Object.values(state.content).flatMap((types) => Object.keys(types.HST_Avtale ?? {}));
      expect(items.sort()).toEqual([...new Set(lines.map((l) => l.appointment.id))].sort());
      // Counted among its own deliveries: 1..n whatever the others sent in between.
      const seqs = [...new Set(Object.values(state.units).flatMap((ds) => ds.map((d) => d.seq)))].sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: state.deliveries }, (_, i) => i + 1));
      for (const org of Object.keys(state.units)) {
        expect(seen.has(org)).toBe(false);
        seen.add(org);
        expect(state.units[org]!.map((d) => d.msgHash)).toEqual(all.units[org]!.map((d) => d.msgHash));
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(all.units).sort());
  });

  it("a tenant's second job reuses its cached token; another tenant's job does not take it", async () => {
    const [oslo, bergen] = setup.tenants;
    await moreData(oslo!, 'july', '2025-07-01', '2025-07-31');
    await moreData(bergen!, 'july', '2025-07-01', '2025-07-31');
    const deliveredBefore = (await stateOf(oslo!)).deliveries;
    const before = issued();
    const results = await runTenantJobs(cfg, 'run', { only: ['oslo', 'bergen'] });
    expect(results.map((r) => r.error?.message)).toEqual([undefined, undefined]);
    expect(results.map((r) => (r.summary?.messagesAccepted ?? 0) > 0)).toEqual([true, true]);
    expect((await stateOf(oslo!)).deliveries).toBeGreaterThan(deliveredBefore);
    expect(issuedSince(before)).toEqual({});
  });

  it('a token without the tenant organisation: an error naming the tenant and what to fix; the others go on', async () => {
    const [oslo, bergen] = setup.tenants;
    await moreData(oslo!, 'august', '2025-08-01', '2025-08-31');
    await moreData(bergen!, 'august', '2025-08-01', '2025-08-31');
    processTokenCache.clear();
    sandbox.applyFaults({ dropOrgClaims: 1 });
    const bergenBefore = (await stateOf(bergen!)).deliveries;
    const results = await runTenantJobs(cfg, 'run', { only: ['oslo', 'bergen'] });
    expect(results[0]?.error?.message).toMatch(/^tenant oslo: HelseID missing_org_claims: asked for parent organisation \d{9}, the token carries no orgnr_parent/);
    expect(results[0]?.error?.message).toContain(`Fix: check that organisation ${oslo!.orgNr} (helseid.orgNumbers.parent of tenant oslo) has delegated to HelseID client`);
    expect(results[1]?.error).toBeUndefined();
    expect((await stateOf(bergen!)).deliveries).toBeGreaterThan(bergenBefore);
    // The refused token is not kept: the next job fetches one that names oslo and sends.
    const osloBefore = (await stateOf(oslo!)).deliveries;
    const again = await runTenantJobs(cfg, 'run', { only: ['oslo'] });
    expect(again[0]?.error).toBeUndefined();
    expect((await stateOf(oslo!)).deliveries).toBeGreaterThan(osloBefore);
  });
});

describe("a vendor's tenants on the 2021 channel (SQLite, KNEIK)", () => {
  let base: string;
  let setup: TenantsSetup;
  let sandbox: Sandbox;

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'kpr-tenants-kneik-'));
    setup = await initTenantsSetup({ dir: join(base, 'd'), tenants: 2, store: 'sqlite', channel: 'kneik', seed: 'issue-17', children: 4, today: TODAY, from: FROM, port: 0 });
    sandbox = await startSandbox({ dataDir: setup.sandboxDir, port: setup.port, host: '127.0.0.1', codec: generatedCodec(MESSAGES) });
    processTokenCache.clear();
  });
  afterAll(async () => {
    await sandbox?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it("each tenant's chain under its own HER-id, its consultations alone in its state, one token per tenant", async () => {
    const before = { ...(sandbox.stats().tokensIssuedByKey as Record<string, number>) };
    const results = await runTenantJobs(loadTenants(setup.tenantsFile), 'run', { options: () => ({ log: silentLogger }) });
    expect(results.map((r) => [r.tenant, r.error?.message, r.summary?.exitCode])).toEqual([
      ['oslo', undefined, 0],
      ['bergen', undefined, 0],
    ]);
    const after = sandbox.stats().tokensIssuedByKey as Record<string, number>;
    const newKeys = Object.keys(after).filter((k) => after[k]! > (before[k] ?? 0));
    expect(newKeys.sort()).toEqual(setup.tenants.map((t) => `${sandbox.clientId}|hdir:kneik/hst/submit|${t.orgNr}|`).sort());

    const all = sandbox.store.publicState();
    const seen: string[] = [];
    for (const t of setup.tenants) {
      const state = (await (await fetch(`${sandbox.url}/sandbox/state?sender=${t.herId}`)).json()) as { senders: Record<string, unknown>; consultations: Record<string, unknown> };
      expect(Object.keys(state.senders)).toEqual([String(t.herId)]);
      const lines = readFileSync(join(base, 'd/epj', t.id, 'extract.ndjson'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { consultation?: { id: string } });
      const ids = new Set(lines.flatMap((l) => (l.consultation ? [l.consultation.id] : [])));
      const received = Object.keys(state.consultations);
      // Every consultation of the tenant's extract, and no other tenant's (ids are apart per tenant).
      expect(received.sort()).toEqual([...ids].sort());
      seen.push(...received);
    }
    expect(seen.sort()).toEqual(Object.keys(all.consultations).sort());
  });
});
