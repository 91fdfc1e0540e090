// Reliability: `kpr run` and `kpr backfill` are killed with SIGKILL at seeded random moments,
// while the sandbox injects faults (500s, timeouts, dropped connections, 429, token expiry,
// nonce rotation), the EPJ edits and deletes records between runs, and the extract holds
// malformed lines and spoiled records. Kills land after a random number of messages, and inside
// the store's fold (KPR_KILL_IN_FOLD: in the middle of the fold's transaction). After the last
// clean run the sandbox must hold every valid consultation exactly once in its latest version
// (annulled ones annulled), no consultation may have been reported as new twice, the chain must
// have no gap, and every bad record must be listed by `kpr errors`.
//
// KPR_RELIABILITY_TRIALS sets how many kill cycles: 6 by default (in `npm test`), 60 with
// KPR_RELIABILITY=long (`npm run test:reliability`). The seed is fixed, so a failure
// reproduces; KPR_RELIABILITY_SEED picks another. KPR_RELIABILITY_REPORT=1 prints the counts.

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

const TRIALS = Number(process.env.KPR_RELIABILITY_TRIALS ?? (process.env.KPR_RELIABILITY === 'long' ? 60 : 6));
const TODAY = '2026-11-24';
const SEED = 'kill-9';
/** New versions the EPJ makes before each cycle: four messages of 25. */
const EDITS_PER_CYCLE = 100;

interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

type Kill = { lines: number; ms: number } | { fold: number };

/**
 * Start `kpr run` (or `kpr backfill`); with `kill`, SIGKILL it once it has logged `kill.lines`
 * lines about messages (built, sent, accepted…) plus `kill.ms`: points inside the run whatever
 * the machine's speed; or let it kill itself inside its `kill.fold`-th fold.
 */
function kprRun(configFile: string, kill?: Kill, command: 'run' | 'backfill' = 'run'): Promise<RunOutcome> {
  return new Promise((resolveRun) => {
    // Folds of the store's lookup tables every few transactions, so kills land before, inside
    // and after them (in production one comes every 50,000 records).
    const env = { ...process.env, KPR_FOLD_EVERY: '250', ...(kill && 'fold' in kill ? { KPR_KILL_IN_FOLD: String(kill.fold) } : {}) };
    // --restart: a completed backfill window is read again (what was decided is skipped).
    const args = command === 'run' ? ['run'] : ['backfill', '--from', '2017-01-01', '--restart'];
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/kpr.mjs'), ...args, '--config', configFile], { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let armed = false;
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      const progress = (stderr.match(/"messageId"/g) ?? []).length;
      if (kill && 'lines' in kill && !armed && stderr.includes('transfer started') && progress >= kill.lines) {
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

  it(
    `holds the EPJ truth exactly once after ${TRIALS} kill cycles`,
    async () => {
      const rnd = prng(Number(process.env.KPR_RELIABILITY_SEED ?? 20261125));
      const day = (r: DemoLike) => r.changedAt.slice(0, 10);
      // First the backfill extract (with malformed lines); later the EPJ's edits and deletions
      // arrive as three day files, between kill cycles, so runs are killed after edits too.
      const cuts = ['2026-11-20', '2026-11-22', '2026-11-23'];
      const backfillLines = await writeRecords(
        join(setup.epjDir, '0000-backfill.ndjson'),
        records.filter((r) => day(r) < cuts[0]!),
      );
      appendFileSync(join(setup.epjDir, '0000-backfill.ndjson'), `${malformed.join('\n')}\n`);
      const dayFiles = cuts.map((from, i) => {
        const to = cuts[i + 1] ?? '9999';
        return { from, lines: records.filter((r) => day(r) >= from && day(r) < to), at: Math.floor(((i + 1) * TRIALS) / (cuts.length + 1)), written: false };
      });
      const writeDay = async (d: (typeof dayFiles)[number]) => {
        d.written = true;
        await writeRecords(join(setup.epjDir, `${d.from}.ndjson`), d.lines);
      };
      // Before every cycle the EPJ edits some consultations (a new version with another weight), so
      // each cycle has messages to send and a kill lands inside a run with work, however many
      // cycles there are. Only consultations no day file touches: a day file read later with an
      // older version would otherwise be the EPJ's latest word.
      const touchedLater = new Set(records.filter((r) => day(r) >= cuts[0]!).map(consultationIdOf));
      const editsFor = (trial: number): DemoLike[] => {
        const latest = new Map<string, DemoLike>();
        for (const r of records) {
          const id = consultationIdOf(r);
          if (r.deleted) latest.delete(id);
          else if (!r._defect) latest.set(id, r);
        }
        const editable = [...latest.values()].filter((r) => !touchedLater.has(consultationIdOf(r)) && (r as any).measurements?.some((m: any) => m.type === 'weight'));
        const at = `2026-11-24T${String(6 + Math.floor(trial / 60)).padStart(2, '0')}:${String(trial % 60).padStart(2, '0')}:00Z`;
        const out: DemoLike[] = [];
        for (let i = 0; i < EDITS_PER_CYCLE && editable.length; i++) {
          const r = structuredClone(editable.splice(Math.floor(rnd() * editable.length), 1)[0]!) as any;
          r.recordId = r.recordId.replace(/\/[^/]+$/, `/e${trial}`);
          r.changedAt = at;
          for (const m of r.measurements) if (m.type === 'weight') m.valueGrams += 1 + trial;
          out.push(r);
        }
        return out;
      };

      const kills: number[] = [];
      let killed = 0;
      const counts = { trials: 0, killedByLines: 0, killedInFold: 0, outranTheKill: 0, backfills: 0, runs: 0, faults: {} as Record<string, number> };
      for (let trial = 0; trial < TRIALS; trial++) {
        for (const d of dayFiles) if (!d.written && trial === d.at) await writeDay(d);
        if (trial > 0) {
          const edits = editsFor(trial);
          records.push(...edits);
          await writeRecords(join(setup.epjDir, `edits-${String(trial).padStart(4, '0')}.ndjson`), edits);
        }
        // A fault of each kind in turn, so every one meets a run.
        const faults = [
          { fail500: 2 },
          { drop: 1 },
          { rateLimit: { count: 1, retryAfterSec: 1 } },
          { expireTokens: true },
          { rotateNonce: true },
          { delay: { count: 1, ms: 2500 } },
        ];
        const fault = faults[trial % faults.length]!;
        sandbox.applyFaults(fault);
        const name = Object.keys(fault)[0]!;
        counts.faults[name] = (counts.faults[name] ?? 0) + 1;
        // One cycle in four kills inside a fold; one in three is a backfill rather than a run.
        const kill: Kill = rnd() < 0.25 ? { fold: 1 + Math.floor(rnd() * 3) } : { lines: Math.floor(rnd() * 12), ms: Math.floor(rnd() * 40) };
        const command = rnd() < 1 / 3 ? 'backfill' : 'run';
        counts[command === 'run' ? 'runs' : 'backfills']++;
        counts.trials++;
        kills.push('lines' in kill ? kill.lines : -kill.fold);
        const r = await kprRun(setup.configFile, kill, command);
        // A run may finish before the kill lands; it must then have ended cleanly.
        if (r.signal === 'SIGKILL') {
          killed++;
          counts['lines' in kill ? 'killedByLines' : 'killedInFold']++;
        } else {
          counts.outranTheKill++;
          expect([0, 1], r.stderr.slice(-2000)).toContain(r.code);
        }
      }
      // Make sure every day file is in even with very few trials, then run to completion.
      for (const d of dayFiles) if (!d.written) await writeDay(d);
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
        Array.isArray(v)
          ? v.map(dropEmpty)
          : v && typeof v === 'object'
            ? Object.fromEntries(
                Object.entries(v)
                  .filter(([, x]) => !(Array.isArray(x) && !x.length))
                  .map(([k, x]) => [k, dropEmpty(x)]),
              )
            : v;
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
      const rows = await errorRows(loadConfig(setup.configFile));
      const listed = new Set(rows.filter((r) => r.kind === 'record').map((r) => r.id));
      const waiting = awaitingCorrection(records);
      for (const r of waiting) expect(listed, r.recordId).toContain(r.recordId);
      // …and nothing else: a spoiled record corrected by a later version has left the list.
      expect(rows.filter((r) => r.kind === 'record' && !r.rule.startsWith('REC10')).length).toBe(waiting.length);
      const malformedRows = rows.filter((r) => r.rule.startsWith('REC10'));
      expect(malformedRows.map((r) => [r.file!.endsWith('0000-backfill.ndjson'), r.line])).toEqual(malformed.map((_, i) => [true, backfillLines + i + 1]));
      expect(rows.filter((r) => r.kind === 'message')).toEqual([]);
      expect(kills.length).toBe(TRIALS);
      // The point of the test: most cycles must really have died mid-run.
      expect(killed).toBeGreaterThanOrEqual(Math.ceil(TRIALS / 2));
      if (process.env.KPR_DEBUG) console.log({ kills, killed, rules: rows.map((r) => r.rule) });
      if (process.env.KPR_RELIABILITY_REPORT) {
        const notifications = sandbox.store.notifications().length;
        console.log(
          `reliability: ${JSON.stringify({ ...counts, killed, consultations: want.size, notifications, recordsHeldForCorrection: waiting.length, malformedLines: malformedRows.length })}`,
        );
      }
      // More trials take longer: a few seconds each, beyond the setup.
    },
    60_000 + TRIALS * 20_000,
  );
});
