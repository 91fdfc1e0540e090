// Reliability of the SLASH channel: a multi-unit initial load (`kpr backfill`, and `kpr run`) is
// killed with SIGKILL at seeded random moments while the sandbox's SLASH stand-in injects faults
// (5xx, dropped connections, token expiry, key rotation, a held request). After the last clean
// run, what the stand-in holds must equal what an uninterrupted load into a second stand-in
// holds: the same current content per unit and item, and per unit the same deliveries in the
// same order (a delivery killed in flight arrives twice in a row, with the same msg_hash, and
// counts once), so no gap and no unit out of order.
//
// KPR_RELIABILITY_TRIALS sets the kill cycles: 4 by default (in `npm test`), 24 with
// KPR_RELIABILITY=long (`npm run test:reliability`); KPR_RELIABILITY_SEED picks another seed.
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_MESSAGES } from '../../generated/index.ts';
import { generateAppointments } from '../../runtime/demo-data/appointments.ts';
import { initSandboxSetup, writeRecords, type SandboxSetup } from '../../runtime/init/sandbox-setup.ts';
import { deliveryForm, itemsOfUnit } from '../../runtime/jobs/channels/slash/form.ts';
import { startSandbox, type Sandbox } from '../../runtime/sandbox/index.ts';
import { generatedMessageTypes } from '../../runtime/sandbox/slash/index.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { prng } from '../helpers/prng.ts';

const TRIALS = Number(process.env.KPR_RELIABILITY_TRIALS ?? (process.env.KPR_RELIABILITY === 'long' ? 24 : 4));
const TODAY = '2026-11-24';
const FROM = '2024-06-01';

const slashOptions = {
  messageTypes: generatedMessageTypes(JSON_MESSAGES),
  contentOf: (type: string, version: string, unit: Record<string, unknown>) => (type === 'HST_Avtale' ? itemsOfUnit(deliveryForm(type, version), unit) : []),
};

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function kpr(configFile: string, command: 'run' | 'backfill', kill?: { lines: number; ms: number }): Promise<Outcome> {
  return new Promise((done) => {
    const args = command === 'run' ? ['run'] : ['backfill', '--restart'];
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/kpr.mjs'), ...args, '--config', configFile], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let armed = false;
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      const confirmed = (stderr.match(/SLASH delivery confirmed/g) ?? []).length;
      if (kill && !armed && stderr.includes('transfer started') && confirmed >= kill.lines) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), kill.ms);
      }
    });
    child.on('exit', (code, signal) => done({ code, signal, stderr }));
  });
}

async function setupIn(base: string, name: string): Promise<{ setup: SandboxSetup; sandbox: Sandbox }> {
  // Two and a half years of the demo EPJ's appointment book (kpr init's own generator and
  // mapping), with more corrections and deletions than by default; requests of about two
  // appointments, so a load has many deliveries to be killed between.
  const setup = await initSandboxSetup({ dir: join(base, name), seed: 'slash-kill-9', children: 1, today: TODAY, from: FROM, port: 0, channel: 'slash', extract: 'none' });
  await writeRecords(join(setup.epjDir, 'extract.ndjson'), generateAppointments({ children: 20, from: FROM, to: TODAY, seed: 'slash-kill-9', editRate: 0.2, deleteRate: 0.1 }));
  const cfg = readFileSync(setup.configFile, 'utf8').replace('maxRequestBytes: 2000000', 'maxRequestBytes: 700').replace('scopes:', 'timeoutMs: 2000\n  scopes:');
  writeFileSync(setup.configFile, cfg.replace('database: kpr.db', 'database: kpr.db\nbatch: { recordsPerTransaction: 40 }'));
  const sandbox = await startSandbox({ dataDir: setup.sandboxDir, port: setup.port, host: '127.0.0.1', slash: slashOptions });
  return { setup, sandbox };
}

/** Per unit the msg_hash of each delivery in arrival order, a delivery repeated in a row once. */
function orderOf(sb: Sandbox): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [org, ds] of Object.entries(sb.slash.state().units)) out[org] = ds.map((d) => d.msgHash).filter((h, i, a) => i === 0 || a[i - 1] !== h);
  return out;
}

/** Per unit and item its current content, deleted ones marked (without the receiver's arrival numbers). */
function contentOf(sb: Sandbox): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [org, types] of Object.entries(sb.slash.state().content)) {
    out[org] = Object.fromEntries(Object.entries(types.HST_Avtale ?? {}).map(([id, st]) => [id, st.deleted ? 'deleted' : st.content]));
  }
  return out;
}

/** Per unit the months of its deliveries in arrival order. */
function monthsOf(sb: Sandbox): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [org, ds] of Object.entries(sb.slash.state().units)) {
    out[org] = ds.map((d) => {
      const body = sb.slash.ledger.message(d.correlationId) as Array<{ avtale?: { datoTid: string }[] }>;
      const months = [...new Set((body[0]!.avtale ?? []).map((a) => a.datoTid.slice(0, 7)))];
      expect(months.length).toBeLessThanOrEqual(1); // one period per request
      return months[0] ?? '';
    });
  }
  return out;
}

describe('SLASH: kill -9 during a multi-unit initial load, with faults', () => {
  let base: string;
  let killed: { setup: SandboxSetup; sandbox: Sandbox };
  let clean: { setup: SandboxSetup; sandbox: Sandbox };

  beforeAll(async () => {
    base = mkdtempSync(join(tmpdir(), 'kpr-slash-kill9-'));
    killed = await setupIn(base, 'killed');
    clean = await setupIn(base, 'clean');
    // The same extract on both sides.
    cpSync(join(killed.setup.epjDir, 'extract.ndjson'), join(clean.setup.epjDir, 'extract.ndjson'));
  });
  afterAll(async () => {
    await killed?.sandbox.close();
    await clean?.sandbox.close();
  });

  it(
    `ends as an uninterrupted load after ${TRIALS} kill cycles`,
    async () => {
      const reference = await kpr(clean.setup.configFile, 'backfill');
      expect(reference.code, reference.stderr.slice(-2000)).toBe(0);

      const rnd = prng(Number(process.env.KPR_RELIABILITY_SEED ?? 20261202));
      const faults = [{ slash: { fail500: 2 } }, { slash: { drop: 1 } }, { expireTokens: true }, { slash: { rotateKey: true } }, { slash: { delay: { count: 1, ms: 2500 } } }];
      let kills = 0;
      for (let trial = 0; trial < TRIALS; trial++) {
        killed.sandbox.applyFaults(faults[trial % faults.length] as never);
        const r = await kpr(killed.setup.configFile, rnd() < 0.7 ? 'backfill' : 'run', { lines: Math.floor(rnd() * 25), ms: Math.floor(rnd() * 150) });
        if (r.signal === 'SIGKILL') kills++;
        else expect([0], r.stderr.slice(-2000)).toContain(r.code);
      }
      killed.sandbox.applyFaults({ clear: true });
      let final: Outcome | undefined;
      for (let i = 0; i < 3; i++) {
        final = await kpr(killed.setup.configFile, 'run');
        if (final.code === 0) break;
      }
      expect(final!.code, final!.stderr.slice(-2000)).toBe(0);
      expect(kills).toBeGreaterThan(0);

      // The same content per unit and item, the same deliveries in the same order.
      expect(contentOf(killed.sandbox)).toEqual(contentOf(clean.sandbox));
      expect(orderOf(killed.sandbox)).toEqual(orderOf(clean.sandbox));
      // No unit out of order: each unit's periods ascend.
      for (const months of Object.values(monthsOf(killed.sandbox))) {
        const m = months.filter(Boolean);
        expect(m).toEqual([...m].sort());
      }
      // Every unit of the extract received its appointments.
      const units = new Set(
        readFileSync(join(killed.setup.epjDir, 'extract.ndjson'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { unit: { orgNumber: string } }).unit.orgNumber),
      );
      expect(units.size).toBeGreaterThan(3);
      expect(Object.keys(orderOf(killed.sandbox))).toHaveLength(units.size);
      if (process.env.KPR_RELIABILITY_REPORT) {
        const deliveries = Object.values(orderOf(clean.sandbox)).reduce((n, l) => n + l.length, 0);
        process.stdout.write(`slash kill -9: ${TRIALS} trials, ${kills} killed, ${deliveries} deliveries, received ${killed.sandbox.slash.state().deliveries} (with repeats)\n`);
      }
    },
    120_000 + TRIALS * 45_000,
  );
});
