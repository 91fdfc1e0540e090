// kpr backfill: the date window, batch messages (meldingstype B), resuming after an interruption
// at the last committed record, "already complete", and the progress lines.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config/load.ts';
import { backfillJob, runJob } from '../../runtime/jobs/jobs.ts';
import { describeProgress, progressReporter } from '../../runtime/jobs/progress.ts';
import { silentLogger } from '../../runtime/log.ts';
import { FakeReceiver, identitySealer, konsultasjon, tmp, writeNdjson } from './helpers.ts';

const YAML = `profile: sandbox
sender:
  herId: 8139519
  orgNr: "974770000"
  Kommune: [{ kommuneNr: "0301" }]
  Kontaktperson: [{ kontPerson: Kari Kontakt, meldEpost1: kari@example.invalid, typeKontaktperson: "1" }, { kontPerson: Kari Kontakt, meldEpost1: kari@example.invalid, typeKontaktperson: "15" }]
epj: { leverandor: Test AS, navnEPJ: TestEPJ, versjonEPJ: "1.0" }
message: { spec: hst@56.0.0, meldingstype: E }   # by agreement with the receiver
batch: { maxConsultations: 3, recordsPerTransaction: 3 }
source: { type: folder, path: exports }
`;

describe('kpr backfill', () => {
  it('sends the window as B messages, resumes after an interruption, and knows when it is complete', async () => {
    const dir = tmp('kpr-bf-');
    writeFileSync(join(dir, 'kpr.yaml'), YAML);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'exports'));
    // Two export files; consultations from 2016 to 2019 (2016 is outside the window).
    const days = ['2016-12-31', '2017-01-01', '2017-06-01', '2017-09-01', '2018-01-01', '2018-02-01', '2018-03-01', '2019-01-01', '2019-05-05'];
    const recs = days.map((d, i) => ({ id: `K${i}`, changedAt: '2024-01-01T00:00:00Z', Konsultasjon: konsultasjon(`K${i}`, 0, d) }));
    writeNdjson(join(dir, 'exports', '2024-01-a.ndjson'), recs.slice(0, 5));
    writeNdjson(join(dir, 'exports', '2024-01-b.ndjson'), recs.slice(5));
    const config = loadConfig(join(dir, 'kpr.yaml'));
    const receiver = new FakeReceiver();
    let commits = 0;
    const crashOnSecondCommit = (p: string) => {
      if (p === 'after-commit' && ++commits === 2) throw new Error('interrupted');
    };
    const base = { config, log: silentLogger, sender: receiver, sealer: identitySealer };
    await expect(backfillJob({ ...base, from: '2017-01-01', to: '2018-12-31', failpoint: crashOnSecondCommit })).rejects.toThrow('interrupted');
    const seenBefore = receiver.calls.length;
    expect(seenBefore).toBe(1);

    const progress: number[] = [];
    const r = await backfillJob({ ...base, from: '2017-01-01', to: '2018-12-31', onProgress: (p) => progress.push(p.records) });
    expect('alreadyComplete' in r).toBe(false);
    if ('alreadyComplete' in r) return;
    // The second commit (through the first line of the second file) survived the interruption:
    // the resumed backfill reads only the 3 lines after it, and sends the committed message.
    expect(r.records).toBe(3);
    expect(r.exitCode).toBe(0);
    expect(receiver.meldinger.every((m) => m.meldingstype === 'B')).toBe(true);
    expect(Object.keys(receiver.holdings()).sort()).toEqual(['K1', 'K2', 'K3', 'K4', 'K5', 'K6']);
    expect(Object.values(receiver.newCounts()).every((n) => n === 1)).toBe(true);
    expect(progress.at(-1)).toBe(3);

    const again = await backfillJob({ ...base, from: '2017-01-01', to: '2018-12-31' });
    expect('alreadyComplete' in again).toBe(true);

    // The daily run afterwards takes what was outside the window, and nothing twice.
    const daily = await runJob(base);
    expect(daily).toMatchObject({ skipped: 6, notifications: { N: 3, M: 0, C: 0 } });
    expect(receiver.meldinger.at(-1)!.meldingstype).toBe('E');
  });

  it('progress: a redrawn line on a terminal, plain lines elsewhere, with rate and ETA', () => {
    const p = { records: 12_345, messages: 13, bytesRead: 250, bytesTotal: 1000, elapsedMs: 5000 };
    expect(describeProgress(p)).toBe('records 12,345 | messages 13 | 2,469 rec/s | 25.0 % | ETA 15s');
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += String(d)));
    const plain = progressReporter(out, { tty: false, everyMs: 0 });
    plain.update(p);
    expect(text).toBe('progress: records 12,345 | messages 13 | 2,469 rec/s | 25.0 % | ETA 15s\n');
    text = '';
    const tty = progressReporter(out, { tty: true, everyMs: 0 });
    tty.update(p);
    // A log line clears the bar, takes its own line, and the bar is drawn again below it.
    tty.logs.write('{"level":"warn","msg":"slow"}\n');
    tty.done({ ...p, records: 40_000, bytesRead: 1000, elapsedMs: 16_000 });
    const bar = 'records 12,345 | messages 13 | 2,469 rec/s | 25.0 % | ETA 15s';
    expect(text).toBe(`\r\x1b[2K${bar}\r\x1b[2K{"level":"warn","msg":"slow"}\n${bar}\r\x1b[2Krecords 40,000 | messages 13 | 2,500 rec/s | done in 16s\n`);
    // What the screen shows in the end: every line whole, the final state last.
    expect(screen(text)).toEqual(['{"level":"warn","msg":"slow"}', 'records 40,000 | messages 13 | 2,500 rec/s | done in 16s']);
  });
});

/** The lines a terminal shows after `text`: \r returns to the line's start, ESC[2K clears it. */
function screen(text: string): string[] {
  const lines = [''];
  for (const part of text.split(/(\r|\x1b\[2K|\n)/)) {
    if (part === '\r' || part === '') continue;
    if (part === '\x1b[2K') lines[lines.length - 1] = '';
    else if (part === '\n') lines.push('');
    else lines[lines.length - 1] += part;
  }
  return lines.filter((l, i) => l !== '' || i < lines.length - 1);
}
