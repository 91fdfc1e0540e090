// Reliability (issue 6 §7): `kpr run` is killed with SIGKILL at seeded random moments, while the
// sandbox injects faults (500s, timeouts, dropped connections, 429, token expiry, nonce
// rotation) and the extract holds malformed lines and spoiled records. After the last clean run
// the sandbox must hold every valid consultation exactly once in its latest version (annulled
// ones annulled), no consultation may have been reported as new twice, the chain must have no
// gap, and every bad record must be listed by `kpr errors`.
//
// KPR_RELIABILITY_TRIALS sets how many kill cycles (default 6; the seed is fixed, so a failure
// reproduces; KPR_RELIABILITY_SEED picks another). Each cycle: start a run, kill it after a
// random number of message log lines.

import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../../generated/index.ts';
import { loadConfig } from '../../runtime/config/load.ts';
import { generateRecords } from '../../runtime/demo-data/generate.ts';
import { initSandboxSetup, writeRecords, type SandboxSetup } from '../../runtime/init/sandbox-setup.ts';
import { errorRows } from '../../runtime/jobs/report.ts';
import { loadMapping } from '../../runtime/mapping/apply.ts';
import { generatedCodec } from '../../runtime/sandbox/generated-codec.ts';
import { startSandbox, type Sandbox } from '../../runtime/sandbox/index.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { awaitingCorrection, consultationIdOf, expectedHoldings, heldBack, type DemoLike } from '../helpers/expected.ts';
import { prng } from '../helpers/prng.ts';

const TRIALS = Number(process.env.KPR_RELIABILITY_TRIALS ?? 6);
const TODAY = '2026-11-24';
const SEED = 'kill-9';

interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Start `kpr run`; with `kill`, SIGKILL it once it has logged `kill.lines` lines about messages
 * (built, sent, accepted…) plus `kill.ms`: points inside the run whatever the machine's speed.
 */
function kprRun(configFile: string, kill?: { lines: number; ms: number }): Promise<RunOutcome> {
  return new Promise((resolveRun) => {
    // Folds of the store's lookup tables every few transactions, so kills land before, inside
    // and after them (in production one comes every 50,000 records).
    const env = { ...process.env, KPR_FOLD_EVERY: '250' };
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/kpr.mjs'), 'run', '--config', configFile], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let armed = false;
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      const progress = (stderr.match(/"messageId"/g) ?? []).length;
      if (kill && !armed && stderr.includes('transfer started') && progress >= kill.lines) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), kill.ms);
      }
    });
    child.on('exit', (code, signal) => resolveRun({ code, signal, stderr }));
  });
}

describe('kill -9 at random points, with sandbox faults and bad input', () => {
  let sandbox: Sandbox;
  let setup: SandboxSetup;
  let records: DemoLike[];
  const malformed = ['{"recordId": "BROKEN-1", "changedAt": ', 'not json at all', '[1,2,3]'];

  beforeAll(async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kpr-kill9-')), 'setup');
    setup = await initSandboxSetup({ dir, seed: SEED, children: 120, today: TODAY, port: 0, extract: 'none' });
    records = [...generateRecords({ children: 120, from: '2017-01-01', to: TODAY, seed: SEED, badRate: 0.03, editRate: 0.1, deleteRate: 0.03 })] as DemoLike[];
    // Small messages and transactions, so a run has many points to be killed at; short HTTP
    // timeouts, so the sandbox's delay fault costs little.
    const cfg = readFileSync(setup.configFile, 'utf8').replace('maxConsultations: 500', 'maxConsultations: 25\n  recordsPerTransaction: 100');
    writeFileSync(setup.configFile, cfg.replace('  dpop: true', '  dpop: true\n  timeoutMs: 2000'));
    sandbox = await startSandbox({ dataDir: setup.sandboxDir, port: setup.port, host: '127.0.0.1', codec: generatedCodec(MESSAGES) });
  });

  afterAll(async () => {
    await sandbox?.close();
  });

  it(`holds the EPJ truth exactly once after ${TRIALS} kill cycles`, async () => {
    const rnd = prng(Number(process.env.KPR_RELIABILITY_SEED ?? 20261125));
    const day = (r: DemoLike) => r.changedAt.slice(0, 10);
    const cut = '2026-11-20';
    // First the backfill extract (with malformed lines), later a day file with edits and deletions.
    const backfillLines = await writeRecords(join(setup.epjDir, '0000-backfill.ndjson'), records.filter((r) => day(r) < cut));
    appendFileSync(join(setup.epjDir, '0000-backfill.ndjson'), malformed.join('\n') + '\n');

    const kills: number[] = [];
    let killed = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      if (trial === Math.floor(TRIALS / 2)) await writeRecords(join(setup.epjDir, `${cut}.ndjson`), records.filter((r) => day(r) >= cut));
      // A fault of each kind in turn, so every one meets a run.
      const faults = [
        { fail500: 2 },
        { drop: 1 },
        { rateLimit: { count: 1, retryAfterSec: 1 } },
        { expireTokens: true },
        { rotateNonce: true },
        { delay: { count: 1, ms: 2500 } },
      ];
      sandbox.applyFaults(faults[trial % faults.length]);
      const kill = { lines: Math.floor(rnd() * 12), ms: Math.floor(rnd() * 40) };
      kills.push(kill.lines);
      const r = await kprRun(setup.configFile, kill);
      // A run may finish before the kill lands; it must then have ended cleanly.
      if (r.signal === 'SIGKILL') killed++;
      else expect([0, 1], r.stderr.slice(-2000)).toContain(r.code);
    }
    // Make sure the day file is in even with very few trials, then run to completion.
    if (TRIALS < 2) await writeRecords(join(setup.epjDir, `${cut}.ndjson`), records.filter((r) => day(r) >= cut));
    sandbox.applyFaults({ clear: true });
    let final: RunOutcome | undefined;
    for (let i = 0; i < 4; i++) {
      final = await kprRun(setup.configFile);
      if (final.code === 1 || final.code === 0) break;
    }
    // 0 or 1: a cycle that outran its kill may already have sent the rest (and reported the
    // rejected records, exit 1), leaving this run nothing to do (exit 0).
    expect([0, 1], final!.stderr.slice(-3000)).toContain(final!.code);

    // 1. Every valid consultation, in the right state.
    const want = expectedHoldings(records);
    const state = sandbox.state();
    const held = Object.fromEntries(Object.entries(state.consultations).map(([id, c]) => [id, c.status]));
    expect(held).toEqual(Object.fromEntries([...want].sort()));

    // 2. In its latest version: the mapping of the last valid version of each active one.
    const mapper = await loadMapping(join(setup.dir, 'mapping.yaml'), { extractDate: TODAY });
    const latest = new Map<string, DemoLike>();
    for (const r of records) if (!heldBack(r) && !r.deleted) latest.set(consultationIdOf(r), r);
    const dropEmpty = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(dropEmpty) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([, x]) => !(Array.isArray(x) && !x.length)).map(([k, x]) => [k, dropEmpty(x)])) : v;
    for (const [id, status] of want) {
      if (status !== 'active') continue;
      const m = mapper.apply(latest.get(id));
      expect(m.ok, id).toBe(true);
      if (m.ok) expect(dropEmpty(state.consultations[id].content), id).toEqual(dropEmpty(m.value));
    }

    // 3. Never new twice, and the chain complete: every accepted notification in arrival order,
    //    each pointing at the one before.
    const newCount = new Map<string, number>();
    let previous: string | undefined;
    let count = 0;
    let lastLopeNr = 0;
    for (const n of sandbox.store.notifications()) {
      if (previous !== undefined) expect(n.notifikasjonForrigeGUID).toBe(previous);
      expect(n.notifikasjonLopeNr).toBeGreaterThan(lastLopeNr);
      lastLopeNr = n.notifikasjonLopeNr;
      previous = n.notifikasjonGUID;
      count++;
      if (n.statusNotifikasjon === 'N') for (const id of n.konsultasjonIDs) newCount.set(id, (newCount.get(id) ?? 0) + 1);
    }
    expect([...newCount.values()].every((c) => c === 1)).toBe(true);
    const sender = Object.values(state.senders)[0];
    expect(sender.chainHead).toBe(previous);
    expect(sender.notifications).toBe(count);

    // 4. Every bad input is listed by `kpr errors`: spoiled records by id, malformed lines by line.
    const rows = errorRows(loadConfig(setup.configFile));
    const listed = new Set(rows.filter((r) => r.kind === 'record').map((r) => r.id));
    const waiting = awaitingCorrection(records);
    for (const r of waiting) expect(listed, r.recordId).toContain(r.recordId);
    // …and nothing else: a spoiled record corrected by a later version has left the list.
    expect(rows.filter((r) => r.kind === 'record' && !r.rule.startsWith('REC10')).length).toBe(waiting.length);
    const malformedRows = rows.filter((r) => r.rule.startsWith('REC10'));
    expect(malformedRows.map((r) => [r.file.endsWith('0000-backfill.ndjson'), Number(r.line)])).toEqual(malformed.map((_, i) => [true, backfillLines + i + 1]));
    expect(rows.filter((r) => r.kind === 'message')).toEqual([]);
    expect(kills.length).toBe(TRIALS);
    // The point of the test: most cycles must really have died mid-run.
    expect(killed).toBeGreaterThanOrEqual(Math.ceil(TRIALS / 2));
    if (process.env.KPR_DEBUG) console.log({ kills, killed, rules: rows.map((r) => r.rule) });
    // More trials take longer: a few seconds each, beyond the setup.
  }, 40_000 + TRIALS * 6_000);
});
