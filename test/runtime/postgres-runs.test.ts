// Runs on PostgreSQL, chosen in kpr.yaml (`store: { kind: postgres, url: { env: … }, schema }`):
// the same extract run once on SQLite and once on PostgreSQL, each into a sandbox of its own,
// must leave the receivers in the same state (`/sandbox/state`: every sender's chain head and
// counts, every consultation's status and content; SLASH: every unit's items and deliveries in
// order) with the same summaries. The operator commands (status, errors, report, resend) work
// through the CLI on the PostgreSQL-backed kpr.yaml, and a `kpr backfill` killed with SIGKILL
// leaves a store the next run completes. PostgreSQL is the throwaway cluster of
// test/helpers/postgres.ts (or KPR_PG_URL's server). Commands that talk to the sandbox run as
// child processes without blocking this one, which serves the sandbox.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JSON_MESSAGES, MESSAGES } from '../../generated/index.ts';
import { loadConfig } from '../../runtime/config/load.ts';
import { generateAppointments } from '../../runtime/demo-data/appointments.ts';
import { generateRecords } from '../../runtime/demo-data/generate.ts';
import { initSandboxSetup, type SandboxSetup, writeRecords } from '../../runtime/init/sandbox-setup.ts';
import { deliveryForm, itemsOfUnit } from '../../runtime/jobs/channels/slash/form.ts';
import type { SlashSummary } from '../../runtime/jobs/channels/slash/index.ts';
import { backfillJob, runJob } from '../../runtime/jobs/jobs.ts';
import { silentLogger } from '../../runtime/log.ts';
import { generatedCodec } from '../../runtime/sandbox/generated-codec.ts';
import { type Sandbox, startSandbox } from '../../runtime/sandbox/index.ts';
import { generatedMessageTypes } from '../../runtime/sandbox/slash/index.ts';
import { REPO_ROOT, runKpr } from '../helpers/cli.ts';
import { describePg, type PgServer, startPg } from '../helpers/postgres.ts';
import { prng } from '../helpers/prng.ts';

const TODAY = '2026-11-24';
const CUT = '2026-11-20';

const slashOptions = {
  messageTypes: generatedMessageTypes(JSON_MESSAGES),
  contentOf: (type: string, version: string, unit: Record<string, unknown>) => (type === 'HST_Avtale' ? itemsOfUnit(deliveryForm(type, version), unit) : []),
};

interface Side {
  setup: SandboxSetup;
  sandbox: Sandbox;
}

/** GUIDs and message ids counted from 1, so both sides build the same chain. */
function counters() {
  let guid = 0;
  let message = 0;
  return {
    newGuid: () => `00000000-0000-4000-8000-${String(++guid).padStart(12, '0')}`,
    newMessageId: () => `10000000-0000-4000-8000-${String(++message).padStart(12, '0')}`,
  };
}

describePg('runs on PostgreSQL chosen in kpr.yaml', () => {
  let pg: PgServer;
  let base: string;
  const sandboxes: Sandbox[] = [];
  let envs = 0;

  beforeAll(async () => {
    pg = await startPg();
    base = mkdtempSync(join(tmpdir(), 'kpr-pg-runs-'));
  }, 60_000);
  afterAll(async () => {
    for (const s of sandboxes) await s.close();
    await pg?.stop();
  });

  /** kpr.yaml's `database:` replaced by a PostgreSQL store (URL in an environment variable), its schema migrated by the CLI. */
  async function toPostgres(configFile: string, schema: string): Promise<string> {
    const url = await pg.newDatabase();
    const env = `KPR_TEST_PG_${process.pid}_${++envs}`;
    process.env[env] = url;
    const text = readFileSync(configFile, 'utf8');
    expect(text).toMatch(/^database: kpr\.db$/m);
    writeFileSync(configFile, text.replace(/^database: kpr\.db$/m, `store: { kind: postgres, url: { env: ${env} }, schema: ${schema} }`));
    const m = runKpr(['store', 'migrate', '--schema', '--to', url, '--pg-schema', schema]);
    expect(m.code, m.stderr).toBe(0);
    return url;
  }

  async function side(name: string, channel: 'kneik' | 'slash', schema?: string): Promise<Side> {
    const setup = await initSandboxSetup({ dir: join(base, name), seed: `pg-${channel}`, children: 1, today: TODAY, port: 0, channel, extract: 'none', from: '2024-06-01' });
    if (channel === 'kneik')
      writeFileSync(setup.configFile, readFileSync(setup.configFile, 'utf8').replace('maxConsultations: 500', 'maxConsultations: 25\n  recordsPerTransaction: 100'));
    else writeFileSync(setup.configFile, readFileSync(setup.configFile, 'utf8').replace('maxRequestBytes: 2000000', 'maxRequestBytes: 900'));
    if (schema) await toPostgres(setup.configFile, schema);
    const sandbox = await startSandbox({
      dataDir: setup.sandboxDir,
      port: setup.port,
      host: '127.0.0.1',
      ...(channel === 'kneik' ? { codec: generatedCodec(MESSAGES) } : { slash: slashOptions }),
    });
    sandboxes.push(sandbox);
    return { setup, sandbox };
  }

  /** The 2021 extract: a backfill file (with spoiled records) and the days after it. */
  const kneikRecords = () =>
    [...generateRecords({ children: 40, from: '2024-06-01', to: TODAY, seed: 'pg-runs', badRate: 0.03, editRate: 0.1, deleteRate: 0.03 })] as { changedAt: string }[];

  async function kneikHistory(s: Side): Promise<unknown[]> {
    const records = kneikRecords();
    await writeRecords(
      join(s.setup.epjDir, '0000-backfill.ndjson'),
      records.filter((r) => r.changedAt.slice(0, 10) < CUT),
    );
    const ids = counters();
    const backfill = await backfillJob({ config: loadConfig(s.setup.configFile), from: '2017-01-01', log: silentLogger, ...ids });
    await writeRecords(
      join(s.setup.epjDir, `${CUT}.ndjson`),
      records.filter((r) => r.changedAt.slice(0, 10) >= CUT),
    );
    const run = await runJob({ config: loadConfig(s.setup.configFile), log: silentLogger, ...ids });
    return [backfill, run];
  }

  const slashContent = (sb: Sandbox) => {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [org, types] of Object.entries(sb.slash.state().content))
      out[org] = Object.fromEntries(Object.entries(types.HST_Avtale ?? {}).map(([id, st]) => [id, st.deleted ? 'deleted' : st.content]));
    return out;
  };
  const slashOrder = (sb: Sandbox) => Object.fromEntries(Object.entries(sb.slash.state().units).map(([org, ds]) => [org, ds.map((d) => d.msgHash)]));

  it('a 2021-channel backfill and daily run: the same /sandbox/state and summaries as on SQLite; status, errors and report through the CLI', async () => {
    const sqlite = await side('kneik-sqlite', 'kneik');
    const postgres = await side('kneik-pg', 'kneik', 'unit_0301');
    const onSqlite = await kneikHistory(sqlite);
    const onPg = await kneikHistory(postgres);
    expect(onPg).toEqual(onSqlite);
    expect((onPg[0] as { messagesAccepted: number }).messagesAccepted).toBeGreaterThan(5);
    expect(postgres.sandbox.state()).toEqual(sqlite.sandbox.state());
    expect(Object.keys(postgres.sandbox.state().consultations).length).toBeGreaterThan(50);
    // Nothing of the PostgreSQL side went to a SQLite file.
    expect(existsSync(join(postgres.setup.dir, 'kpr.db'))).toBe(false);

    const cfg = postgres.setup.configFile;
    const status = runKpr(['status', '--config', cfg, '--format', 'json']);
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as { database: string; messages: Record<string, number>; lastRun: { kind: string; outcome: string } };
    expect(report.database).toMatch(/^PostgreSQL schema unit_0301 \(URL from \$KPR_TEST_PG_/);
    expect(report.messages.accepted).toBe((onPg as { messagesAccepted: number }[]).reduce((n, s) => n + s.messagesAccepted, 0));
    expect(report.lastRun).toMatchObject({ kind: 'run' });
    const ref = runKpr(['status', '--config', sqlite.setup.configFile, '--format', 'json']);
    const sqliteReport = JSON.parse(ref.stdout) as typeof report & Record<string, unknown>;
    const { database: _a, runningNow: _b, lastRun: _c, certificates: _g, ...same } = JSON.parse(status.stdout) as Record<string, unknown>;
    const { database: _d, runningNow: _e, lastRun: _f, certificates: _h, ...sameRef } = sqliteReport;
    expect(same).toEqual(sameRef);

    const errors = runKpr(['errors', '--config', cfg, '--format', 'json']);
    const refErrors = runKpr(['errors', '--config', sqlite.setup.configFile, '--format', 'json']);
    expect(errors.code).toBe(refErrors.code);
    expect(JSON.parse(errors.stdout)).toEqual(JSON.parse(refErrors.stdout));
    expect((JSON.parse(errors.stdout) as { kind: string }[]).some((r) => r.kind === 'record')).toBe(true);

    const html = join(postgres.setup.dir, 'report.html');
    const r = runKpr(['report', '--config', cfg, '--html', html]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('notifications by consultation month');

    // A dry run works on a SQLite copy of the PostgreSQL store: it builds what is new, and the store is unchanged.
    await writeRecords(
      join(postgres.setup.epjDir, '9999-new.ndjson'),
      [...generateRecords({ children: 3, from: '2024-06-01', to: TODAY, seed: 'pg-new', badRate: 0, editRate: 0, deleteRate: 0 })].map((r) => ({
        ...r,
        changedAt: `${TODAY}T23:59:59Z`,
      })),
    );
    const out = join(postgres.setup.dir, 'dry');
    const dry = runKpr(['run', '--dry-run', '--out', out, '--config', cfg]);
    expect(dry.code, dry.stderr.slice(-2000)).toBe(0);
    expect((JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { messagesBuilt: number }).messagesBuilt).toBeGreaterThan(0);
    const after = JSON.parse(runKpr(['status', '--config', cfg, '--format', 'json']).stdout) as typeof report;
    expect([after.messages, after.lastRun]).toEqual([report.messages, report.lastRun]);
  }, 240_000);

  it('a SLASH backfill, a refused unit and kpr resend: the same units, items and deliveries in order as on SQLite', async () => {
    const sqlite = await side('slash-sqlite', 'slash');
    const postgres = await side('slash-pg', 'slash', 'unit_slash');
    await writeRecords(
      join(sqlite.setup.epjDir, 'extract.ndjson'),
      generateAppointments({ children: 12, from: '2024-06-01', to: TODAY, seed: 'pg-runs', editRate: 0.2, deleteRate: 0.1 }),
    );
    cpSync(join(sqlite.setup.epjDir, 'extract.ndjson'), join(postgres.setup.epjDir, 'extract.ndjson'));
    const history = async (s: Side) => {
      // FHI refuses every first delivery (schema): every unit stops, whatever order they went in.
      s.sandbox.applyFaults({ slash: { answerCode: { code: 2008, count: 1000 } } } as never);
      const backfill = (await backfillJob({ config: loadConfig(s.setup.configFile), from: '2024-06-01', log: silentLogger })) as SlashSummary;
      s.sandbox.applyFaults({ slash: { clear: true } } as never);
      // Units go side by side: the order they stopped in is the network's; the correlation ids are the receiver's.
      return { ...backfill, slash: { ...backfill.slash, stopped: backfill.slash.stopped.map((x) => x.unit).sort() } };
    };
    const onSqlite = await history(sqlite);
    const onPg = await history(postgres);
    expect(onPg).toEqual(onSqlite);
    expect(onPg.slash.stopped.length).toBeGreaterThan(1);
    expect(slashOrder(postgres.sandbox)).toEqual({});

    for (const s of [sqlite, postgres]) {
      const resend = await kprAsync(['resend', '--config', s.setup.configFile]);
      expect(resend.code, resend.stderr).toBe(0);
    }
    expect(slashContent(postgres.sandbox)).toEqual(slashContent(sqlite.sandbox));
    expect(slashOrder(postgres.sandbox)).toEqual(slashOrder(sqlite.sandbox));
    expect(Object.keys(slashOrder(postgres.sandbox)).length).toBeGreaterThan(1);
    const status = runKpr(['status', '--config', postgres.setup.configFile]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/SLASH units \d+: (\d+) ok, 0 stopped, 0 for attention/);
  }, 240_000);

  it('kpr backfill killed with SIGKILL on PostgreSQL: the next run completes the store, as an uninterrupted run on SQLite', async () => {
    const reference = await side('kill-sqlite', 'kneik');
    const killed = await side('kill-pg', 'kneik', 'unit_kill');
    const records = kneikRecords();
    for (const s of [reference, killed]) await writeRecords(join(s.setup.epjDir, '0000-backfill.ndjson'), records);
    const clean = await kprAsync(['backfill', '--from', '2017-01-01', '--config', reference.setup.configFile]);
    expect(clean.code, clean.stderr.slice(-2000)).toBe(1); // spoiled records are held back: partial

    const rnd = prng(20261202);
    let kills = 0;
    for (let trial = 0; trial < 2; trial++) {
      const lines = 2 + Math.floor(rnd() * 10);
      const r = await killedAfter(killed.setup.configFile, lines, Math.floor(rnd() * 100));
      if (r.signal === 'SIGKILL') kills++;
    }
    expect(kills).toBeGreaterThan(0);
    const done = await kprAsync(['backfill', '--from', '2017-01-01', '--restart', '--config', killed.setup.configFile]);
    expect([0, 1], done.stderr.slice(-2000)).toContain(done.code);
    expect(killed.sandbox.state().consultations).toEqual(reference.sandbox.state().consultations);
    // No notification reported twice: the receiver counts what it took; the chain has no gap.
    const [sender] = Object.values(killed.sandbox.state().senders);
    const [refSender] = Object.values(reference.sandbox.state().senders);
    expect(sender!.notifications).toBe(refSender!.notifications);
  }, 240_000);
});

/** The CLI as a child process, without blocking this one (the sandbox answering it runs here). */
function kprAsync(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/kpr.mjs'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('exit', (code) => done({ code, stderr }));
  });
}

/** `kpr backfill`, SIGKILLed `ms` after it logged `lines` message lines. */
function killedAfter(configFile: string, lines: number, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/kpr.mjs'), 'backfill', '--from', '2017-01-01', '--config', configFile], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let armed = false;
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (!armed && (stderr.match(/"messageId"/g) ?? []).length >= lines) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), ms);
      }
    });
    child.on('exit', (code, signal) => done({ code, signal }));
  });
}
