// The operator's commands as a user runs them: kpr run --dry-run (XML judged by xmllint against
// the official XSD), kpr errors in its three formats, kpr status, exit codes, and the lock.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { hostname } from 'node:os';
import { loadConfig } from '../../runtime/config/load.ts';
import { describeSummary, dryRunJob, runJob } from '../../runtime/jobs/jobs.ts';
import { errorRows, formatErrors, formatStatus, statusReport } from '../../runtime/jobs/report.ts';
import { silentLogger } from '../../runtime/log.ts';
import { openStore } from '../../runtime/store/open.ts';
import type { BatchCommit, Rejection } from '../../runtime/store/types.ts';
import { REPO_ROOT, runKpr } from '../helpers/cli.ts';
import { itOfficial, xmllint } from '../helpers/reference.ts';
import { del, FakeReceiver, identitySealer, konsultasjon, rec, tmp, writeNdjson } from './helpers.ts';

const YAML = `profile: sandbox
sender:
  herId: 8139519
  orgNr: "974770000"
  Kommune:
    - kommuneNr: "0301"
      Enhet: [{ enhetID: E1, orgNr: "974770000" }]
  Kontaktperson:
    - { kontPerson: Kari Kontakt, meldEpost1: kari@example.invalid, typeKontaktperson: "1" }
    - { kontPerson: Ola Fag, meldEpost1: ola@example.invalid, typeKontaktperson: "15" }
epj: { leverandor: Test AS, navnEPJ: TestEPJ, versjonEPJ: "1.0" }
message: { spec: hst@56.0.0 }
batch: { maxConsultations: 2 }
source: { type: file, path: epj.ndjson }
`;

function project(records: unknown[]) {
  const dir = tmp('kpr-cli-');
  writeFileSync(join(dir, 'kpr.yaml'), YAML);
  writeNdjson(join(dir, 'epj.ndjson'), records);
  return dir;
}

// Held back: a fødselsnummer whose check digit is wrong (the kit's rule REC4001, "discard row").
const badK = konsultasjon('BAD');
const bad = { id: 'BAD', changedAt: '2024-05-01T08:00:00Z', Konsultasjon: { ...badK, Barn_ungdom: { ...(badK.Barn_ungdom as object), fid: '01822350019' } } };

describe('kpr run --dry-run', () => {
  itOfficial('writes XML that the official XSD accepts and envelopes, and leaves the database untouched', () => {
    const dir = project([rec('K1', '2024-05-01T08:00:00Z'), rec('K2', '2024-05-01T08:00:00Z'), rec('K3', '2024-05-01T08:00:00Z'), del('K9', '2024-05-01T09:00:00Z')]);
    const out = join(dir, 'out');
    const r = runKpr(['run', '--config', join(dir, 'kpr.yaml'), '--dry-run', '--out', out]);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('N 3, M 0, C 0');
    const files = readdirSync(out).sort();
    const xmls = files.filter((f) => f.endsWith('.xml'));
    expect(xmls).toHaveLength(2);
    expect(files.filter((f) => f.endsWith('.envelope.json'))).toHaveLength(2);
    for (const f of xmls) expect(xmllint(join(out, f), 'hst')).toBe('');
    const envelope = JSON.parse(readFileSync(join(out, xmls[0]!.replace('.xml', '.envelope.json')), 'utf8'));
    expect(envelope.messageHeader).toMatchObject({ fromHerId: 8139519, toHerId: 8139520, messageType: 'HST', messageVersion: '56.0.0' });
    expect(readFileSync(join(out, xmls[0]!), 'utf8')).toContain('lopenr="1"');
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toMatchObject({ dryRun: true, sealed: false, messagesBuilt: 2 });
    expect(existsSync(join(dir, 'kpr.db'))).toBe(false);
  });
});

describe('kpr run --dry-run on a database in use', () => {
  it('shows only what the next run would send, and changes nothing', async () => {
    const dir = project([rec('K1', '2024-05-01T08:00:00Z'), rec('K2', '2024-05-01T08:00:00Z')]);
    const config = loadConfig(join(dir, 'kpr.yaml'));
    const receiver = new FakeReceiver();
    const first = await runJob({ config, log: silentLogger, sender: receiver, sealer: identitySealer });
    expect(first.messagesAccepted).toBe(1);
    writeNdjson(join(dir, 'epj.ndjson'), [rec('K1', '2024-05-01T08:00:00Z'), rec('K2', '2024-05-02T08:00:00Z', 1), rec('K3', '2024-05-02T08:00:00Z')]);
    const before = openStore(config.database);
    const counts = before.countsByState();
    const counters = before.counters();
    before.close();
    const dry = await dryRunJob({ config, out: join(dir, 'dry'), log: silentLogger });
    expect(dry).toMatchObject({ skipped: 1, notifications: { N: 1, M: 1, C: 0 }, messagesBuilt: 1 });
    const xml = readFileSync(join(dir, 'dry', readdirSync(join(dir, 'dry')).find((f) => f.endsWith('.xml'))!), 'utf8');
    expect(xml).toContain('lopenr="2"');
    expect(xml).toContain(`notifikasjonForrigeGUID="${counters.acceptedHead}"`);
    const after = openStore(config.database);
    expect(after.countsByState()).toEqual(counts);
    expect(after.counters()).toEqual(counters);
    after.close();
    // The real run then sends exactly that.
    const real = await runJob({ config, log: silentLogger, sender: receiver, sealer: identitySealer });
    expect(real).toMatchObject({ notifications: { N: 1, M: 1, C: 0 }, messagesAccepted: 1 });
  });
});

describe('with the vendor mapping', () => {
  itOfficial('maps the demo EPJ extract (edits, deletions, spoiled records) into XSD-valid Meldinger', async () => {
    const dir = tmp('kpr-cli-map-');
    const { generateRecords } = await import('../../runtime/demo-data/generate.ts');
    const records = [...generateRecords({ children: 12, from: '2017-01-01', to: '2024-12-31', seed: 'rt', editRate: 0.2, deleteRate: 0.1, badRate: 0.05 })];
    writeNdjson(join(dir, 'epj.ndjson'), records);
    writeFileSync(join(dir, 'kpr.yaml'), `${YAML.replace('batch: { maxConsultations: 2 }\n', '')}mapping: ${join(REPO_ROOT, 'examples/demo-epj/mapping.yaml')}\n`);
    const config = loadConfig(join(dir, 'kpr.yaml'));
    const out = join(dir, 'out');
    const r = await dryRunJob({ config, out, log: silentLogger });
    const spoiled = records.filter((x) => (x as { _defect?: string })._defect).length;
    expect(spoiled).toBeGreaterThan(0);
    // Spoiled versions are rejected (a "future" date relative to the demo's end may be past today).
    expect(r.rejectedRecords).toBeGreaterThan(0);
    expect(r.rejectedRecords).toBeLessThanOrEqual(spoiled);
    expect(r.exitCode).toBe(1);
    expect(r.notifications.N).toBeGreaterThan(50);
    expect(r.notifications.M + r.notifications.C).toBeGreaterThan(0);
    for (const f of readdirSync(out).filter((x) => x.endsWith('.xml'))) expect(xmllint(join(out, f), 'hst')).toBe('');
  });
});

describe('kpr errors and exit codes', () => {
  it('exit 1 when records were rejected; a real run without transport settings fails with exit 2 before doing anything', async () => {
    const dir = project([]);
    writeFileSync(join(dir, 'epj.ndjson'), `${JSON.stringify(rec('K1', '2024-05-01T08:00:00Z'))}\n${JSON.stringify(bad)}\n{not json\n`);
    const config = loadConfig(join(dir, 'kpr.yaml'));
    await expect(runJob({ config, log: silentLogger })).rejects.toThrow('sending needs a helseid section');
    const dry = await dryRunJob({ config, out: join(dir, 'out'), log: silentLogger });
    expect(dry).toMatchObject({ exitCode: 1, rejectedRecords: 2, notifications: { N: 1, M: 0, C: 0 } });
    expect(describeSummary(dry)).toContain('2 record(s) rejected (see npx kpr errors)');
    expect(describeSummary(dry, { dryRun: true })).toMatch(/^dry run: .*none sent; 2 record\(s\) rejected \(listed in rejected\.json/);
    const rejected = JSON.parse(readFileSync(join(dir, 'out', 'rejected.json'), 'utf8'));
    expect(rejected.map((r: { rule: string }) => r.rule).sort()).toEqual(['REC1001', 'REC4001']);
  });
});

const R1: Rejection = {
  sourceId: 'R1',
  changedAt: '2024-05-01T08:00:00.000Z',
  file: 'epj.ndjson',
  line: 2,
  path: '/Konsultasjon/amming',
  rule: 'REC2005',
  message: 'not a code, "quoted", =x',
  consequence: 'not sent',
};

describe('kpr status, kpr errors, the lock', () => {
  /** A project whose database holds one run with these findings (by default one held-back record). */
  function seeded(found: Pick<BatchCommit, 'rejections' | 'warnings'> = { rejections: [R1] }) {
    const dir = project([]);
    const store = openStore(join(dir, 'kpr.db'));
    const runId = store.startRun('run');
    const seen = [
      ...found.rejections.map((r) => ({ sourceId: r.sourceId, changedAt: r.changedAt!, rejected: true })),
      ...(found.warnings ?? []).map((w) => ({ sourceId: w.sourceId, konsultasjonId: w.konsultasjonId, changedAt: w.changedAt, rejected: false })),
    ];
    store.commitBatch({ runId, messages: [], seen, ...found, requeueDone: [], chainHead: '00000000-0000-0000-0000-000000000000', notifLopeNr: 0 });
    store.finishRun(runId, found.rejections.length ? 'partial' : 'ok', found.rejections.length ? 1 : 0, {});
    store.close();
    return dir;
  }

  it('kpr errors: text, json and csv', async () => {
    const dir = seeded();
    const cfg = join(dir, 'kpr.yaml');
    const rows = await errorRows(loadConfig(cfg));
    const table = formatErrors(rows, 'text');
    expect(table.split('\n')[1]).toMatch(/^record\s+where\s+rule\s+path: message → consequence$/);
    expect(table).toMatch(/R1\s+epj\.ndjson:2\s+/);
    expect(JSON.parse(formatErrors(rows, 'json'))).toEqual([
      {
        kind: 'record',
        id: 'R1',
        changedAt: '2024-05-01T08:00:00.000Z',
        file: 'epj.ndjson',
        line: 2,
        path: '/Konsultasjon/amming',
        rule: 'REC2005',
        message: 'not a code, "quoted", =x',
        consequence: 'not sent',
        validationCode: null,
        refId: null,
      },
    ]);
    // The command itself, once: exit 1 while there are errors to fix.
    const r = runKpr(['errors', '--config', cfg, '--format', 'csv']);
    expect(r.code).toBe(1);
    const csv = r.stdout.split('\r\n');
    expect(csv[0]).toBe('kind,id,changedAt,file,line,path,rule,message,consequence,validationCode,refId');
    expect(csv[1]).toBe('record,R1,2024-05-01T08:00:00.000Z,epj.ndjson,2,/Konsultasjon/amming,REC2005,"not a code, ""quoted"", =x",not sent,,');
  });

  it('kpr errors: records sent with a warning are listed, but exit 0 (a warning is not a failure)', () => {
    const dir = seeded({
      rejections: [],
      warnings: [
        {
          sourceId: 'W1',
          konsultasjonId: 'W1',
          changedAt: '2024-05-01T08:00:00.000Z',
          file: 'epj.ndjson',
          line: 1,
          path: '/Konsultasjon/amming',
          rule: 'REC2005',
          message: 'amming: not a code',
          consequence: 'none',
          action: 'sent',
        },
      ],
    });
    const cfg = join(dir, 'kpr.yaml');
    const text = runKpr(['errors', '--config', cfg]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('1 record(s) sent with a warning');
    expect(text.stdout).toMatch(/REC2005 schema-code: 1 record\(s\); the receiver's consequence «Ingen handling»: sent unchanged, with a warning/);
    const json = runKpr(['errors', '--config', cfg, '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        kind: 'warning',
        id: 'W1',
        changedAt: '2024-05-01T08:00:00.000Z',
        file: 'epj.ndjson',
        line: 1,
        path: '/Konsultasjon/amming',
        rule: 'REC2005',
        message: 'amming: not a code',
        consequence: 'Ingen handling',
        validationCode: null,
        refId: null,
      },
    ]);
    expect(runKpr(['errors', '--help']).stdout).toMatch(/exit 1 only for rejected records or messages/);
  });

  it('kpr errors as text fits 120 columns and any narrower terminal, wrapping messages whole', () => {
    const long = `${Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ')} ${'#'.repeat(150)}`;
    const rows = [
      {
        kind: 'record',
        id: `K-${'long-id-'.repeat(4)}`,
        changedAt: null,
        file: 'epj/2024-05-01.ndjson',
        line: 300,
        path: '/Konsultasjon/Barn_ungdom/fodselsar',
        rule: 'hst/range',
        message: long,
        consequence: 'discard-message',
        validationCode: null,
        refId: null,
      },
      {
        kind: 'message',
        id: '0f8e6b1c-2a4d-4e8f-9b7a-3c5d6e7f8a9b',
        changedAt: '2024-05-02T00:00:00Z',
        file: null,
        line: null,
        path: null,
        rule: 'receiver',
        message: long,
        consequence: 'queued again',
        validationCode: 3002,
        refId: 'r-1',
      },
    ];
    for (const width of [200, 120, 80, 60]) {
      const text = formatErrors(rows as Parameters<typeof formatErrors>[0], 'text', width);
      for (const l of text.split('\n')) expect(l.length, `${width}: ${l}`).toBeLessThanOrEqual(Math.min(width, 120));
      // Nothing cut: every word of both messages, and all of the unbreakable token.
      for (const w of long.split(' ').slice(0, 40)) expect(text.match(new RegExp(`\\b${w}\\b`, 'g'))?.length, w).toBe(2);
      expect(text.split('#').length - 1).toBe(300);
      if (width >= 120) expect(text).toMatch(/epj\/2024-05-01\.ndjson:300/);
    }
  });

  it('kpr status shows the last run, rejected records by rule and the chain head', async () => {
    const dir = seeded();
    const report = await statusReport(loadConfig(join(dir, 'kpr.yaml')));
    expect(report.rejectedRecordsByRule).toEqual([{ rule: 'REC2005', count: 1 }]);
    const text = formatStatus(report);
    expect(text).toContain('last run  run #1');
    expect(text).toContain('rejected records by rule: REC2005 1');
    expect(text).toContain('accepted head 00000000-0000-0000-0000-000000000000');
  });

  it('a second run on the same database refuses with exit 2 and says who holds it; a dead holder is taken over', () => {
    const dir = seeded();
    const db = join(dir, 'kpr.db');
    const holder = openStore(db);
    holder.acquireLock('run');
    const r = runKpr(['run', '--config', join(dir, 'kpr.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`another kpr run \\(pid ${process.pid}, started [0-9T:.Z-]+\\) holds ${db.replace(/[.]/g, '\\.')}`));
    holder.close();
    // A holder killed with -9 leaves its row behind; its pid is gone, so the next run takes over.
    const raw = openStore(db);
    (raw as unknown as { db: { prepare(s: string): { run(...a: unknown[]): void } } }).db
      .prepare("INSERT OR REPLACE INTO lock (id, pid, host, kind, started_at, heartbeat_at) VALUES (1, 999999999, ?, 'run', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')")
      .run(hostname());
    raw.close();
    const second = openStore(db);
    expect(() => second.acquireLock('run')).not.toThrow();
    second.close();
    // A live pid whose heartbeat stopped 10 minutes ago (a reused pid) does not block either.
    const stale = openStore(db);
    (stale as unknown as { db: { prepare(s: string): { run(...a: unknown[]): void } } }).db
      .prepare("INSERT OR REPLACE INTO lock (id, pid, host, kind, started_at, heartbeat_at) VALUES (1, ?, ?, 'run', ?, ?)")
      .run(process.pid, hostname(), new Date(Date.now() - 3_600_000).toISOString(), new Date(Date.now() - 11 * 60_000).toISOString());
    expect(() => stale.acquireLock('run')).not.toThrow();
    stale.close();
  });

  it('writes the heartbeat at most every 5 s, however often a run beats', () => {
    const dir = seeded();
    const store = openStore(join(dir, 'kpr.db'));
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-01-01T00:00:00Z') });
    try {
      store.acquireLock('run');
      const beat = () => store.lockHolder()!.heartbeatAt;
      vi.setSystemTime(new Date('2026-01-01T00:00:04Z'));
      store.heartbeat();
      expect(beat()).toBe('2026-01-01T00:00:00.000Z');
      vi.setSystemTime(new Date('2026-01-01T00:00:06Z'));
      store.heartbeat();
      expect(beat()).toBe('2026-01-01T00:00:06.000Z');
    } finally {
      vi.useRealTimers();
      store.close();
    }
  });
});
