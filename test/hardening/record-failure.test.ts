// A record is the unit of failure, never the run. A text XML 1.0 cannot carry is caught per
// record before batching (REC2012); a Melding that still cannot be written has the records that
// cause it found, held (REC5004) and the chain linked again over the rest, which are sent. The
// fake receiver applies the sandbox's own chain rules, so a badly relinked chain is refused.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { passthroughMapper } from '../../runtime/jobs/mapper.ts';
import type { MessageKit } from '../../runtime/jobs/message-kit.ts';
import { transfer, type TransferDeps } from '../../runtime/jobs/transfer.ts';
import { silentLogger } from '../../runtime/log.ts';
import { FileSource } from '../../runtime/sources/files.ts';
import { asyncStore } from '../../runtime/store/async.ts';
import { openStore } from '../../runtime/store/open.ts';
import { XmlCodecError } from '../../runtime/xml/errors.ts';
import { FakeReceiver, HEADER, identitySealer, rec, STAND_IN_KIT, tmp, writeNdjson, type Rec } from '../runtime/helpers.ts';

function setup(kit: MessageKit = STAND_IN_KIT, maxConsultations = 1000) {
  const dir = tmp('kpr-unit-');
  const receiver = new FakeReceiver();
  const file = join(dir, 'epj.ndjson');
  const dbPath = join(dir, 'kpr.db');
  const run = async (records: Rec[], extra: Partial<TransferDeps> = {}) => {
    writeNdjson(file, records);
    const store = openStore(dbPath);
    try {
      const summary = await transfer(
        {
          store: asyncStore(store),
          kit,
          header: HEADER,
          limits: { maxConsultations, maxBytes: 4_000_000, recordsPerTransaction: 5000 },
          sender: receiver,
          sealer: identitySealer,
          log: silentLogger,
          mapper: passthroughMapper(kit),
          source: new FileSource(file, 'file'),
          now: () => new Date('2024-06-01T12:00:00Z'),
          ...extra,
        },
        { kind: 'run', readSource: true },
      );
      return { summary, rejections: store.rejections().map((r) => ({ sourceId: r.sourceId, line: r.line, rule: r.rule, path: r.path, message: r.message })) };
    } finally {
      store.close();
    }
  };
  return { receiver, run };
}

/** K1..K5, with `bad` put into K3's amming. */
function five(bad: string): Rec[] {
  const rs = ['K1', 'K2', 'K3', 'K4', 'K5'].map((id) => rec(id, '2024-05-01T08:00:00Z'));
  rs[2]!.Konsultasjon!.amming = `1${bad}`;
  return rs;
}

describe('a text XML 1.0 cannot carry holds its record, and the others are sent', () => {
  it.each([
    ['NUL', '\u0000', 'U+0000'],
    ['U+0001', '\u0001', 'U+0001'],
    ['U+FFFE', '\ufffe', 'U+FFFE'],
    ['U+FFFF', '\uffff', 'U+FFFF'],
    ['a lone high surrogate', '\ud800', 'a lone surrogate U+D800'],
    ['a lone low surrogate', '\udc00x', 'a lone surrogate U+DC00'],
  ])('%s', async (_name, bad, said) => {
    const t = setup();
    const { summary, rejections } = await t.run(five(bad));
    expect(summary).toMatchObject({ exitCode: 1, outcome: 'partial', rejectedRecords: 1, notifications: { N: 4, M: 0, C: 0 } });
    expect(t.receiver.holdings()).toEqual({ K1: 'active:1', K2: 'active:1', K4: 'active:1', K5: 'active:1' });
    expect(rejections).toEqual([{ sourceId: 'K3', line: 3, rule: 'REC2012', path: '/amming', message: `/amming contains ${said} at offset 1, which XML 1.0 cannot carry` }]);
  });

  it('a proper surrogate pair (an astral character) is carried', async () => {
    const t = setup();
    const { summary } = await t.run(five('\u{1F600}'));
    expect(summary).toMatchObject({ exitCode: 0, notifications: { N: 5, M: 0, C: 0 } });
  });
});

describe('a Melding that cannot be written has its culprits held and the rest sent', () => {
  // A writer with a defect no check foresaw: it fails on one value, wherever it is.
  const poisoned: MessageKit = {
    ...STAND_IN_KIT,
    toXml: (m) => {
      if (JSON.stringify(m).includes('"amming":"3"')) throw new XmlCodecError('a defect', { path: '/Notifikasjon/0/Konsultasjon/0/amming' });
      return STAND_IN_KIT.toXml(m);
    },
  };

  it.each([1000, 2, 1])('%s consultations a message: chain relinked, corrected version sent next run', async (max) => {
    const t = setup(poisoned, max);
    const records = ['K1', 'K2', 'K3', 'K4', 'K5'].map((id) => rec(id, '2024-05-01T08:00:00Z'));
    records.push(rec('K2', '2024-05-01T09:00:00Z', 2)); // amming 3: an M of K2 nothing can write
    records.push(rec('K6', '2024-05-01T08:00:00Z'));
    const first = await t.run(records);
    expect(first.summary).toMatchObject({ exitCode: 1, rejectedRecords: 1, notifications: { N: 6, M: 0, C: 0 } });
    expect(first.rejections).toEqual([
      {
        sourceId: 'K2',
        line: 6,
        rule: 'REC5004',
        path: '/Notifikasjon/0/Konsultasjon/0/amming',
        message: 'the Konsultasjon could not be written: /Notifikasjon/0/Konsultasjon/0/amming: a defect',
      },
    ]);
    // Every message was accepted by the chain rules: the held link left no gap.
    expect(t.receiver.holdings()).toEqual({ K1: 'active:1', K2: 'active:1', K3: 'active:1', K4: 'active:1', K5: 'active:1', K6: 'active:1' });
    const lope = t.receiver.meldinger.flatMap((x) => x.Notifikasjon!.map((y) => Number(y.notifikasjonLopeNr)));
    expect(lope).toEqual([1, 2, 3, 4, 5, 6]);

    // The EPJ corrects K2: the M goes, continuing the chain, and the held record is cleared.
    const second = await t.run([rec('K2', '2024-05-01T10:00:00Z', 1)]);
    expect(second.summary).toMatchObject({ exitCode: 0, notifications: { N: 0, M: 1, C: 0 } });
    expect(second.rejections).toEqual([]);
    expect(t.receiver.holdings().K2).toBe('active:2');
  });

  it('a new consultation held with its later version in the same batch; the receiver never hears of either', async () => {
    const t = setup(poisoned);
    const records = [rec('K1', '2024-05-01T08:00:00Z'), rec('K2', '2024-05-01T08:00:00Z', 2), rec('K2', '2024-05-01T09:00:00Z', 1), rec('K3', '2024-05-01T08:00:00Z')];
    const { summary, rejections } = await t.run(records);
    expect(summary).toMatchObject({ exitCode: 1, rejectedRecords: 2, notifications: { N: 2, M: 0, C: 0 } });
    expect(rejections.map((r) => [r.sourceId, r.line, r.rule])).toEqual([
      ['K2', 2, 'REC5004'],
      ['K2', 3, 'REC5004'],
    ]);
    expect(t.receiver.holdings()).toEqual({ K1: 'active:1', K3: 'active:1' });
  });

  it("a failure no single record explains stops the run (exit 2): it is not the records' fault", async () => {
    const broken: MessageKit = {
      ...STAND_IN_KIT,
      toXml: () => {
        throw new XmlCodecError('the header cannot be written');
      },
    };
    const t = setup(broken);
    await expect(t.run([rec('K1', '2024-05-01T08:00:00Z')])).rejects.toThrow(/the header cannot be written/);
    expect(t.receiver.calls).toEqual([]);
  });
});
