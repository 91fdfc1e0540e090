// The SLASH channel's delivery rules end to end against the sandbox's SLASH stand-in: one FIFO
// queue per reporting unit, the initial load month by month oldest first within the request
// size, deletions as slettAvtale, a refusal stopping its unit only, 5xx marking it for
// attention, and a delivery killed in flight sent again unchanged. The judge is the stand-in's
// ledger: what it holds per unit must be the EPJ's truth, in order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../runtime/log.ts';
import type { Sandbox } from '../../runtime/sandbox/index.ts';
import { openStore } from '../../runtime/store/open.ts';
import { backfillJob, resendJob, runJob } from '../../runtime/jobs/jobs.ts';
import type { SlashSummary } from '../../runtime/jobs/channels/slash/index.ts';
import { slashClientFor } from '../sandbox/slash/fixtures.ts';
import { ledgerView, slashSetup, startAvtaleSandbox, truth, UNITS, type Line } from './slash-fixtures.ts';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startAvtaleSandbox();
});
afterAll(() => sb?.close());

/** Appointments of three units over 2016-12 .. 2018-03, written out of order, with a correction and a deletion. */
function history(prefix: string): Line[] {
  const lines: Line[] = [];
  let n = 0;
  for (const month of ['2018-03', '2017-01', '2016-12', '2017-06', '2018-01', '2017-02']) {
    for (const org of UNITS) {
      for (let k = 0; k < 3; k++)
        lines.push({
          orgNr: org,
          kommuneNr: 3253,
          id: `${prefix}-${org.slice(-2)}-${month}-${k}`,
          day: `${month}-1${k}`,
          changedAt: `2024-01-01T00:00:${String(n++ % 60).padStart(2, '0')}Z`,
        });
    }
  }
  const [a, b] = [lines[4]!, lines[9]!];
  lines.push({ ...a, status: 3, changedAt: '2024-02-01T00:00:00Z' }); // a correction: its current content goes again
  lines.push({ ...b, deleted: true, changedAt: '2024-02-02T00:00:00Z' }); // deleted in the EPJ: slettAvtale
  return lines;
}

/** Units (by orgNr) whose content in the ledger is theirs. */
function mine(view: ReturnType<typeof ledgerView>['content'], prefix: string) {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [org, items] of Object.entries(view)) {
    const own = Object.entries(items).filter(([id]) => id.startsWith(`${prefix}-`));
    if (own.length) out[org] = Object.fromEntries(own);
  }
  return out;
}

/** Per unit, the months each delivered body carries, in arrival order. */
function monthsByDelivery(prefix: string): Record<string, string[][]> {
  const st = sb.slash.state();
  const out: Record<string, string[][]> = {};
  for (const [org, ds] of Object.entries(st.units)) {
    for (const d of ds) {
      const body = sb.slash.ledger.message(d.correlationId) as Array<{ avtale?: { avtaleId: string; datoTid: string }[]; slettAvtale?: { avtaleId: string }[] }>;
      const ids = [
        ...(body[0]!.avtale ?? []).map((a) => [a.avtaleId, a.datoTid.slice(0, 7)]),
        ...(body[0]!.slettAvtale ?? []).map((x) => [x.avtaleId, x.avtaleId.split('-').slice(2, 4).join('-')]),
      ];
      if (!ids.some(([id]) => id!.startsWith(`${prefix}-`))) continue;
      (out[org] ??= []).push([...new Set(ids.map(([, m]) => m!))]);
    }
  }
  return out;
}

const expectOldestFirst = (byDelivery: Record<string, string[][]>) => {
  for (const deliveries of Object.values(byDelivery)) {
    for (const months of deliveries) expect(months).toHaveLength(1); // one period per request
    const seq = deliveries.map((m) => m[0]!);
    expect(seq).toEqual([...seq].sort());
  }
};

async function client(extra = {}) {
  return slashClientFor(sb, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, budgetMs: 10_000 }, ...extra });
}

describe('SLASH channel: the initial load', () => {
  it('delivers per unit month by month, oldest first, from 2017-01-01; corrections and deletions as the EPJ has them; a line without a unit is rejected at its place', async () => {
    const lines = history('L');
    const noUnit: Line = { id: 'L-nounit', day: '2017-03-01', changedAt: '2024-01-01T00:00:00Z' };
    const { config } = slashSetup(sb, { 'a.ndjson': [...lines.slice(0, 30), noUnit], 'b.ndjson': lines.slice(30) });
    const cfg = config();
    const s = (await backfillJob({ config: cfg, from: '2017-01-01', log: silentLogger, slashClient: await client() })) as SlashSummary;
    expect(s.exitCode).toBe(1); // done, one record rejected
    expect(s.outsideWindow).toBe(9); // 2016-12, three per unit
    expect(s.slash.stopped).toEqual([]);
    const want = truth(lines.filter((l) => l.day >= '2017-01-01'));
    expect(mine(ledgerView(sb).content, 'L')).toEqual(want);
    const byDelivery = monthsByDelivery('L');
    expect(Object.keys(byDelivery).sort()).toEqual(UNITS);
    expectOldestFirst(byDelivery);

    const store = openStore(cfg.database);
    try {
      const r = store.rejections().find((x) => x.rule === 'REC1009')!;
      expect(r).toMatchObject({ file: expect.stringMatching(/a\.ndjson$/), line: 31 });
      expect(r.message).toMatch(/no reporting unit: the record has no `orgNr`/);
      expect(store.slashUnits().map((u) => [u.orgNr, u.state, u.queued])).toEqual(UNITS.map((o) => [o, 'ok', 0]));
    } finally {
      store.close();
    }

    // A second load reads the same history: nothing new is delivered.
    const before = sb.slash.state().deliveries;
    const again = (await runJob({ config: cfg, log: silentLogger, slashClient: await client() })) as SlashSummary;
    expect(again.slash.built).toBe(0);
    expect(sb.slash.state().deliveries).toBe(before);
  });

  it('cuts a month into requests of at most slash.maxRequestBytes (400 here), each still one period, in order', async () => {
    const lines = history('S');
    const { config } = slashSetup(sb, { 'a.ndjson': lines }, '  maxRequestBytes: 400\n');
    const s = (await backfillJob({ config: config(), from: '2017-01-01', log: silentLogger, slashClient: await client() })) as SlashSummary;
    expect(s.exitCode).toBe(0);
    const st = sb.slash.state();
    const bodies = Object.values(st.units)
      .flat()
      .map((d) => JSON.stringify(sb.slash.ledger.message(d.correlationId)));
    const mineBodies = bodies.filter((b) => b.includes('"S-'));
    expect(mineBodies.length).toBeGreaterThan(15); // 15 unit-months, some split
    for (const b of mineBodies) expect(Buffer.byteLength(b)).toBeLessThanOrEqual(400);
    expectOldestFirst(monthsByDelivery('S'));
    expect(mine(ledgerView(sb).content, 'S')).toEqual(truth(lines.filter((l) => l.day >= '2017-01-01')));
  });
});

describe('SLASH channel: answers', () => {
  it('a 4xx stops that unit only; the others are delivered; the next run regenerates it from the last accepted period', async () => {
    const lines = history('R').filter((l) => l.day >= '2017-01-01');
    const { config } = slashSetup(sb, { 'a.ndjson': lines });
    const cfg = config();
    sb.applyFaults({ slash: { answerCode: { code: 2008, count: 1 } } });
    const s = (await backfillJob({ config: cfg, from: '2017-01-01', log: silentLogger, slashClient: await client() })) as SlashSummary;
    expect(s.exitCode).toBe(2);
    expect(s.slash.stopped).toHaveLength(1);
    const stopped = s.slash.stopped[0]!;
    expect(stopped.state).toBe('stopped');
    const want = truth(lines);
    const got = mine(ledgerView(sb).content, 'R');
    // The other units have everything; the stopped one nothing (its first request was refused).
    const stoppedOrg = stopped.unit.split('|')[0]!;
    for (const org of UNITS.filter((o) => o !== stoppedOrg)) expect(got[org]).toEqual(want[org]);
    expect(got[stoppedOrg]).toBeUndefined();

    const store = openStore(cfg.database);
    try {
      const u = store.slashUnits().find((x) => x.orgNr === stoppedOrg)!;
      expect(u).toMatchObject({ state: 'stopped', auth: false });
      const d = store.slashDelivery(u.seq!)!;
      expect(d).toMatchObject({ state: 'refused', status: 400, correlationId: stopped.correlationId });
      expect(d.codes.map((c) => [c.code, c.name])).toEqual([[2008, 'SchemaValidationFailed']]);
      expect(
        store
          .slashUnits()
          .filter((x) => x.orgNr !== stoppedOrg)
          .every((x) => x.state === 'ok' && x.queued === 0),
      ).toBe(true);
    } finally {
      store.close();
    }

    // The operator fixed the cause: the next run regenerates the unit and delivers it in order.
    const next = (await runJob({ config: cfg, log: silentLogger, slashClient: await client() })) as SlashSummary;
    expect(next.exitCode).toBe(0);
    expect(next.slash.resumed).toEqual([stopped.unit]);
    expect(next.slash.regenerated).toBeGreaterThan(0);
    expect(mine(ledgerView(sb).content, 'R')).toEqual(want);
    expectOldestFirst(monthsByDelivery('R'));
  });

  it('5xx beyond the retry budget: exit 2, the unit marked for attention; kpr resend sends the same delivery (same msg_hash)', async () => {
    const lines = history('F').filter((l) => l.orgNr === UNITS[0] && l.day >= '2017-01-01');
    const { config } = slashSetup(sb, { 'a.ndjson': lines });
    const cfg = config();
    sb.applyFaults({ slash: { fail500: 3 } });
    const s = (await backfillJob({ config: cfg, from: '2017-01-01', log: silentLogger, slashClient: await client() })) as SlashSummary;
    expect(s.exitCode).toBe(2);
    expect(s.slash.stopped).toMatchObject([{ state: 'attention' }]);
    const store = openStore(cfg.database);
    let hash: string | null;
    try {
      const u = store.slashUnits().find((x) => x.orgNr === UNITS[0])!;
      expect(u.state).toBe('attention');
      hash = store.slashDelivery(u.seq!)!.msgHash;
    } finally {
      store.close();
    }
    const r = await resendJob({ config: cfg, log: silentLogger, slashClient: await client(), units: [UNITS[0]!] });
    expect(r.exitCode).toBe(0);
    expect(r.action).toMatch(/resuming SLASH unit/);
    const seen = sb.slash.state().units[UNITS[0]!]!.map((d) => d.msgHash);
    expect(seen).toContain(hash!);
    expect(mine(ledgerView(sb).content, 'F')).toEqual(truth(lines));
  });

  it('a delivery killed in flight is sent again unchanged and counted once', async () => {
    const lines = history('K').filter((l) => l.orgNr === UNITS[1] && l.day >= '2017-01-01');
    const { config } = slashSetup(sb, { 'a.ndjson': lines });
    const cfg = config();
    let sent = 0;
    const crash = (p: string) => {
      if (p === 'after-send' && ++sent === 2) throw new Error('killed');
    };
    await expect(backfillJob({ config: cfg, from: '2017-01-01', log: silentLogger, slashClient: await client(), failpoint: crash })).rejects.toThrow('killed');
    const s = (await backfillJob({ config: cfg, from: '2017-01-01', log: silentLogger, slashClient: await client() })) as SlashSummary;
    expect(s.exitCode).toBe(0);
    // The receiver saw the killed delivery twice in a row, with the same msg_hash, and nothing skipped.
    const hashes = sb.slash
      .state()
      .units[UNITS[1]!]!.filter((d) => JSON.stringify(sb.slash.ledger.message(d.correlationId)).includes('"K-'))
      .map((d) => d.msgHash);
    const repeats = hashes.filter((h, i) => i > 0 && hashes[i - 1] === h);
    expect(repeats).toEqual([hashes[1]]);
    expect(new Set(hashes).size).toBe(hashes.length - 1);
    const store = openStore(cfg.database);
    try {
      const u = store.slashUnits().find((x) => x.orgNr === UNITS[1])!;
      // Counted once: the store's delivered count is the number of distinct deliveries of this load.
      expect(u.delivered).toBe(new Set(monthsByDelivery('K')[UNITS[1]!]!.map((m) => m[0])).size);
    } finally {
      store.close();
    }
    expect(mine(ledgerView(sb).content, 'K')).toEqual(truth(lines));
  });
});
