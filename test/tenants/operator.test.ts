// The operator's commands over a tenants file (issue 17, section 1), through the real `kpr`:
// three tenants written by `kpr init --profile sandbox --tenants 3 --store sqlite`, run into the
// sandbox (oslo clean, bergen with a record held back, trondheim stopped by the receiver), then
// `kpr status`, `errors`, `report` and `resend` across them and with `--tenant`. The overview's
// rows are judged against each tenant's own single-tenant output and against the receiver's
// state per organisation (`/sandbox/slash/state?parent=`); exit codes 0/1/2 across tenants; an
// unknown tenant. Then the same status and report on PostgreSQL tenant stores.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_MESSAGES, MESSAGES } from '../../generated/index.ts';
import { deliveryForm, itemsOfUnit } from '../../runtime/jobs/channels/slash/form.ts';
import type { StatusReport } from '../../runtime/jobs/report.ts';
import { generatedCodec } from '../../runtime/sandbox/generated-codec.ts';
import { startSandbox, type Sandbox } from '../../runtime/sandbox/index.ts';
import { generatedMessageTypes } from '../../runtime/sandbox/slash/index.ts';
import type { SlashLedgerState } from '../../runtime/sandbox/slash/ledger.ts';
import type { TenantOverview } from '../../runtime/tenants/operator.ts';
import { type CliResult, REPO_ROOT } from '../helpers/cli.ts';
import { describePg, type PgServer, startPg } from '../helpers/postgres.ts';

const slashOptions = {
  messageTypes: generatedMessageTypes(JSON_MESSAGES),
  contentOf: (type: string, version: string, unit: Record<string, unknown>) => (type === 'HST_Avtale' ? itemsOfUnit(deliveryForm(type, version), unit) : []),
};

/** `kpr` in a child process without blocking this one (the sandbox answers from here). */
function kpr(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [resolve(REPO_ROOT, 'bin/kpr.mjs'), ...args],
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

interface Overview {
  file: string;
  exitCode: number;
  tenants: TenantOverview[];
  detail?: StatusReport & { tenant: string };
}

interface Setup {
  dir: string;
  file: string;
  sandbox: Sandbox;
  orgOf: Record<string, string>;
}

/** `kpr init --tenants 3` into a new folder, and the sandbox it names started in this process. */
async function setUp(store: 'sqlite' | 'postgres', env: NodeJS.ProcessEnv = {}, channel: 'slash' | 'kneik' = 'slash'): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), `kpr-operator-${store}-`));
  const init = await kpr(
    ['init', '--profile', 'sandbox', '--tenants', '3', '--store', store, '--channel', channel, '--children', '3', '--port', '0', '--seed', 'operator', '--dir', join(dir, 'd')],
    env,
  );
  expect(init.stderr).toBe('');
  expect(init.code).toBe(0);
  const file = join(dir, 'd/tenants.yaml');
  const text = readFileSync(file, 'utf8');
  const port = Number(/baseUrl: http:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1]);
  const orgOf = Object.fromEntries([...text.matchAll(/- id: (\w+)[^\n]*\n\s+helseid: \{ orgNumbers: \{ parent: "(\d{9})"/g)].map((m) => [m[1]!, m[2]!]));
  expect(Object.keys(orgOf)).toEqual(['oslo', 'bergen', 'trondheim']);
  const sandbox = await startSandbox({ dataDir: join(dir, 'd/sandbox'), port, host: '127.0.0.1', slash: slashOptions, codec: generatedCodec(MESSAGES) });
  return { dir, file, sandbox, orgOf };
}

const json = <T>(r: CliResult): T => JSON.parse(r.stdout) as T;

describe('operator commands over a tenants file (SQLite)', () => {
  let s: Setup;
  const stateOf = async (tenant: string): Promise<SlashLedgerState> =>
    (await fetch(`${s.sandbox.url}/sandbox/slash/state?parent=${s.orgOf[tenant]}`)).json() as Promise<SlashLedgerState>;

  beforeAll(async () => {
    s = await setUp('sqlite');
  });
  afterAll(async () => {
    await s?.sandbox.close();
    if (s) rmSync(s.dir, { recursive: true, force: true });
  });

  it('before any run: every tenant needs attention (never run), exit 2', async () => {
    const r = await kpr(['status', '--config', s.file, '--format', 'json']);
    expect(r.code).toBe(2);
    const o = json<Overview>(r);
    expect(o.tenants.map((t) => [t.tenant, t.standing, t.attention])).toEqual([
      ['oslo', 2, ['never run: no store yet']],
      ['bergen', 2, ['never run: no store yet']],
      ['trondheim', 2, ['never run: no store yet']],
    ]);
  });

  it('kpr run --tenant runs only the tenants named; a receiver fault fails that tenant alone (exit 2), a held record gives 1', async () => {
    const two = await kpr(['run', '--config', s.file, '--tenant', 'oslo', '--tenant', 'bergen', '-q']);
    expect(two.stderr).toBe('');
    expect(two.code).toBe(0);
    expect(two.stdout).toMatch(/^tenant oslo: run 1 \(SLASH\)/m);
    expect(two.stdout).toMatch(/^tenant bergen: run 1 \(SLASH\)/m);
    expect(two.stdout).not.toContain('trondheim');
    expect((await stateOf('oslo')).deliveries).toBeGreaterThan(0);
    expect((await stateOf('trondheim')).deliveries).toBe(0);

    // trondheim's first delivery refused by FHI's schema check: its unit stops.
    s.sandbox.applyFaults({ slash: { answerCode: { code: 2008, count: 1 } } });
    const third = await kpr(['run', '--config', s.file, '--tenant', 'trondheim', '-q']);
    expect(third.code).toBe(2);
    expect(third.stdout).toMatch(/^tenant trondheim: .*\n\s+stopped: unit \S+: SLASH refused delivery 1: HTTP 400: 2008/m);
    expect(third.stdout).toContain('failed: trondheim');

    // A line of bergen's EPJ without its unit is held back (REC1009), not sent.
    writeFileSync(
      join(s.dir, 'd/epj/bergen/late.ndjson'),
      `${JSON.stringify({ recordId: 'LATE-1/1', version: 1, changedAt: '2026-11-06T15:53:00Z', appointment: { id: 'LATE-1', startTime: '2026-11-06T12:05:00Z', type: 'T07', status: 'not-attended' }, patient: { patientId: 'P9', nationalId: '28830591690' } })}\n`,
    );
    const late = await kpr(['run', '--config', s.file, '--tenant', 'bergen', '-q']);
    expect(late.code).toBe(1);
    expect(late.stdout).toMatch(/^tenant bergen: run 2 .*1 record\(s\) rejected/m);
  });

  it("kpr status: one row per tenant, each matching the tenant's own status and the receiver's state; exit 2 naming trondheim", async () => {
    const all = await kpr(['status', '--config', s.file, '--format', 'json']);
    expect(all.code).toBe(2);
    const o = json<Overview>(all);
    expect(o.exitCode).toBe(2);
    expect(o.detail).toBeUndefined();
    expect(o.tenants.map((t) => [t.tenant, t.standing])).toEqual([
      ['oslo', 0],
      ['bergen', 1],
      ['trondheim', 2],
    ]);
    for (const row of o.tenants) {
      const one = await kpr(['status', '--config', s.file, '--tenant', row.tenant, '--format', 'json']);
      expect(one.code).toBe(row.standing);
      const mine = json<Overview>(one);
      expect(mine.tenants).toEqual([row]);
      const d = mine.detail!;
      expect(d.tenant).toBe(row.tenant);
      expect(d.database).toBe(join(s.dir, 'd/state', `${row.tenant}.db`));
      expect(row.lastRun).toEqual({
        id: d.lastRun!.id,
        kind: d.lastRun!.kind,
        startedAt: d.lastRun!.startedAt,
        endedAt: d.lastRun!.endedAt,
        outcome: d.lastRun!.outcome,
        exitCode: d.lastRun!.exitCode,
      });
      const units = d.slash ?? [];
      expect(row.stoppedUnits).toBe(units.filter((u) => u.state !== 'ok').length);
      expect(row.waiting).toBe(units.reduce((n, u) => n + u.queued, 0));
      // What the store says it delivered is what the receiver holds for the tenant's organisation.
      const state = await stateOf(row.tenant);
      for (const u of units) expect([row.tenant, u.orgNr, u.delivered]).toEqual([row.tenant, u.orgNr, state.units[u.orgNr]?.length ?? 0]);
      expect(Object.keys(state.units).sort()).toEqual(
        units
          .filter((u) => u.delivered > 0)
          .map((u) => u.orgNr)
          .sort(),
      );
      // Held back: the distinct records `kpr errors --tenant` lists.
      const errors = json<{ tenant: string; kind: string; id: string }[]>(await kpr(['errors', '--config', s.file, '--tenant', row.tenant, '--format', 'json']));
      expect(row.heldBack).toBe(new Set(errors.filter((e) => e.kind === 'record').map((e) => e.id)).size);
    }
    const trondheim = o.tenants[2]!;
    expect(trondheim.stoppedUnits).toBe(1);
    expect(trondheim.waiting).toBeGreaterThan(0);
    expect(trondheim.attention.join('; ')).toMatch(/^last run #1 failed; unit \S+ stopped$/);
    expect(o.tenants[1]!.heldBack).toBe(1);

    const text = await kpr(['status', '--config', s.file]);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/^tenant +channel +last run +waiting +stopped +held back +needs attention$/m);
    expect(text.stdout).toContain('needs attention: trondheim; records held back: bergen');
    expect(text.stdout).not.toContain('SLASH units'); // no detail for several tenants

    const oslo = await kpr(['status', '--config', s.file, '--tenant', 'oslo']);
    expect(oslo.code).toBe(0);
    expect(oslo.stdout).toContain('all 1 tenant(s) fine');
    expect(oslo.stdout).toContain(`\ntenant oslo\ndatabase  ${join(s.dir, 'd/state/oslo.db')}`);
    expect(oslo.stdout).not.toMatch(/bergen|trondheim/);
  });

  it('kpr errors: every row names its tenant, as each tenant alone lists it; exit 1', async () => {
    const all = await kpr(['errors', '--config', s.file, '--format', 'json']);
    expect(all.code).toBe(1);
    const rows = json<{ tenant: string; kind: string; id: string; rule: string }[]>(all);
    expect([...new Set(rows.map((r) => `${r.tenant} ${r.kind}`))].sort()).toEqual(['bergen record', 'trondheim unit']);
    for (const t of ['oslo', 'bergen', 'trondheim']) {
      const one = await kpr(['errors', '--config', s.file, '--tenant', t, '--format', 'json']);
      expect(json<unknown[]>(one)).toEqual(rows.filter((r) => r.tenant === t));
      expect(one.code).toBe(t === 'oslo' ? 0 : 1);
    }
    expect(rows.find((r) => r.tenant === 'bergen')).toMatchObject({ id: 'LATE-1/1', rule: 'REC1009' });
    const csv = await kpr(['errors', '--config', s.file, '--format', 'csv']);
    const lines = csv.stdout.trim().split('\r\n');
    expect(lines[0]).toMatch(/^tenant,kind,id,/);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(rows.map((r) => r.tenant));
    const text = await kpr(['errors', '--config', s.file]);
    expect(text.stdout).toMatch(/^tenant bergen\n1 record\(s\) held back/m);
    expect(text.stdout).toMatch(/^tenant trondheim\n1 SLASH unit\(s\) stopped/m);
  });

  it('kpr report: an overview linking one page per tenant, counts only; --tenant limits it', async () => {
    const out = join(s.dir, 'report');
    const r = await kpr(['report', '--config', s.file, '--html', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('needs attention: trondheim');
    expect(readdirSync(out).sort()).toEqual(['bergen.html', 'index.html', 'oslo.html', 'trondheim.html']);
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    const status = json<Overview>(await kpr(['status', '--config', s.file, '--format', 'json']));
    for (const row of status.tenants) {
      const tr = new RegExp(
        `<tr data-tenant="${row.tenant}" data-standing="(\\d)"><td><a href="${row.tenant}.html">${row.tenant}</a></td><td>slash</td><td>[^<]*</td><td class="num">(\\d+)</td><td class="num">(\\d+)</td><td class="num">(\\d+)</td>`,
      ).exec(index);
      expect(tr?.slice(1).map(Number)).toEqual([row.standing, row.waiting, row.stoppedUnits, row.heldBack]);
      const page = readFileSync(join(out, `${row.tenant}.html`), 'utf8');
      expect(page).toContain(`<h1>KPR transfer report · tenant ${row.tenant}</h1>`);
      expect(page).toContain('<a href="index.html">');
    }
    // No record of any tenant on the overview: no record id, no identity number.
    expect(index).not.toContain('LATE-1');
    expect(index).not.toMatch(/\d{11}/);

    const only = join(s.dir, 'report-oslo');
    const one = await kpr(['report', '--config', s.file, '--html', only, '--tenant', 'oslo']);
    expect(one.code).toBe(0);
    expect(readdirSync(only).sort()).toEqual(['index.html', 'oslo.html']);
    expect(readFileSync(join(only, 'index.html'), 'utf8')).not.toMatch(/bergen|trondheim/);
  });

  it('an unknown tenant, --tenant with a kpr.yaml, a message id without --tenant: clear errors, exit 2', async () => {
    for (const cmd of [['status'], ['errors'], ['run'], ['report', '--html', join(s.dir, 'x')]]) {
      const r = await kpr([...cmd, '--config', s.file, '--tenant', 'oslo', '--tenant', 'stavanger']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`kpr: no tenant stavanger in ${s.file}; known: oslo, bergen, trondheim\n`);
    }
    expect(existsSync(join(s.dir, 'x'))).toBe(false);
    const yaml = join(s.dir, 'kpr.yaml');
    writeFileSync(yaml, 'profile: sandbox\n');
    const single = await kpr(['status', '--config', yaml, '--tenant', 'oslo']);
    expect(single.code).toBe(2);
    expect(single.stderr).toContain(`--tenant needs a tenants file; ${yaml} is a kpr.yaml`);
    const resend = await kpr(['resend', 'some-message-id', '--config', s.file]);
    expect(resend.code).toBe(2);
    expect(resend.stderr).toContain('a message id belongs to one tenant: give --tenant ID with it');
  });

  it("kpr resend --unit finds the tenant whose unit is stopped and resumes it alone; then every tenant's resend finds nothing stopped; bergen's held record is left (exit 1)", async () => {
    const nobody = await kpr(['resend', '--config', s.file, '--unit', '999999999']);
    expect(nobody.code).toBe(2);
    expect(nobody.stderr).toContain(`no tenant of ${s.file} has a stopped SLASH unit 999999999`);
    const stopped = json<Overview>(await kpr(['status', '--config', s.file, '--tenant', 'trondheim', '--format', 'json'])).detail!.slash!.filter((u) => u.state !== 'ok');
    expect(stopped).toHaveLength(1);
    const r = await kpr(['resend', '--config', s.file, '--unit', stopped[0]!.unit, '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^tenant trondheim: resuming SLASH unit\\(s\\) ${stopped[0]!.unit.replaceAll('|', '\\|')}$`, 'm'));
    expect(r.stdout).not.toMatch(/oslo|bergen/);
    const again = await kpr(['resend', '--config', s.file, '-q']);
    expect(again.code).toBe(0);
    expect(again.stdout.match(/^tenant (\w+): no SLASH unit is stopped/gm)).toHaveLength(3);
    const o = json<Overview>(await kpr(['status', '--config', s.file, '--format', 'json']));
    expect(o.exitCode).toBe(1);
    expect(o.tenants.map((t) => [t.tenant, t.standing, t.stoppedUnits, t.waiting])).toEqual([
      ['oslo', 0, 0, 0],
      ['bergen', 1, 0, 0],
      ['trondheim', 0, 0, 0],
    ]);
    // Every unit of trondheim's extract is now at the receiver.
    const lines = readFileSync(join(s.dir, 'd/epj/trondheim/extract.ndjson'), 'utf8').trim().split('\n');
    const units = new Set(lines.map((l) => (JSON.parse(l) as { unit: { orgNumber: string } }).unit.orgNumber));
    expect(Object.keys((await stateOf('trondheim')).units).sort()).toEqual([...units].sort());
  });

  it('kpr backfill --tenant: that tenant alone, its summary named', async () => {
    const r = await kpr(['backfill', '--config', s.file, '--tenant', 'oslo', '--from', '2017-01-01', '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tenant oslo: backfill \d+ \(SLASH\)/m);
    expect(r.stdout).not.toMatch(/bergen|trondheim/);
  });
});

describe('operator commands over tenants on the 2021 channel (SQLite, KNEIK)', () => {
  let s: Setup;
  beforeAll(async () => {
    s = await setUp('sqlite', {}, 'kneik');
  });
  afterAll(async () => {
    await s?.sandbox.close();
    if (s) rmSync(s.dir, { recursive: true, force: true });
  });

  it("each row's consultations and messages are what the receiver holds for the tenant's HER-id", async () => {
    const run = await kpr(['run', '--config', s.file, '-q']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const check = json<{ tenants: { id: string; herId: number }[] }>(await kpr(['tenants', 'check', '--config', s.file, '--format', 'json']));
    const o = json<Overview>(await kpr(['status', '--config', s.file, '--format', 'json']));
    expect(o.exitCode).toBe(0);
    expect(o.tenants.map((t) => [t.tenant, t.channel, t.standing, t.waiting, t.rejectedMessages])).toEqual([
      ['oslo', 'kneik', 0, 0, 0],
      ['bergen', 'kneik', 0, 0, 0],
      ['trondheim', 'kneik', 0, 0, 0],
    ]);
    for (const t of check.tenants) {
      const d = json<Overview>(await kpr(['status', '--config', s.file, '--tenant', t.id, '--format', 'json'])).detail!;
      const state = (await (await fetch(`${s.sandbox.url}/sandbox/state?sender=${t.herId}`)).json()) as { consultations: Record<string, { status: string }> };
      const at = Object.values(state.consultations);
      expect(d.consultations.active).toBeGreaterThan(0);
      expect([t.id, d.consultations.active, d.consultations.annulled]).toEqual([
        t.id,
        at.filter((c) => c.status === 'active').length,
        at.filter((c) => c.status === 'annulled').length,
      ]);
      expect(d.messages.accepted).toBeGreaterThan(0);
    }
  });
});

describePg('kpr status and kpr report read PostgreSQL tenant stores', () => {
  let pg: PgServer;
  let s: Setup;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    pg = await startPg();
    env = { KPR_PG_URL: pg.url };
    s = await setUp('postgres', env);
  }, 120_000);
  afterAll(async () => {
    await s?.sandbox.close();
    if (s) rmSync(s.dir, { recursive: true, force: true });
    await pg?.stop();
  });

  it("each tenant's schema: status rows from its own schema, a report page each", async () => {
    const migrate = await kpr(['store', 'migrate', '--schema', '--config', s.file], env);
    expect(migrate.stderr).toBe('');
    expect(migrate.code).toBe(0);
    const run = await kpr(['run', '--config', s.file, '-q'], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const o = json<Overview>(await kpr(['status', '--config', s.file, '--format', 'json'], env));
    expect(o.exitCode).toBe(0);
    for (const row of o.tenants) {
      expect([row.tenant, row.standing, row.lastRun?.kind, row.lastRun?.outcome]).toEqual([row.tenant, 0, 'run', 'ok']);
      const one = json<Overview>(await kpr(['status', '--config', s.file, '--tenant', row.tenant, '--format', 'json'], env));
      expect(one.detail?.database).toContain(`schema kpr_${row.tenant}`);
      const state = (await (await fetch(`${s.sandbox.url}/sandbox/slash/state?parent=${s.orgOf[row.tenant]}`)).json()) as SlashLedgerState;
      for (const u of one.detail?.slash ?? []) expect(u.delivered).toBe(state.units[u.orgNr]?.length ?? 0);
      expect(state.deliveries).toBeGreaterThan(0);
    }
    const out = join(s.dir, 'report');
    const report = await kpr(['report', '--config', s.file, '--html', out], env);
    expect(report.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['bergen.html', 'index.html', 'oslo.html', 'trondheim.html']);
    for (const t of ['oslo', 'bergen', 'trondheim']) expect(readFileSync(join(out, 'index.html'), 'utf8')).toContain(`<a href="${t}.html">${t}</a>`);
  });
});
