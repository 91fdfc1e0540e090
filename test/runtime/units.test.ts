// Small pieces, table-driven: the N/M/C decision, batch planning, content hashing, Oslo time,
// the command source, and that logs never carry a record's content or identity numbers.
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { passthroughMapper } from '../../runtime/jobs/mapper.ts';
import { transfer } from '../../runtime/jobs/transfer.ts';
import { createLogger } from '../../runtime/log.ts';
import { planBatches, serialiseWithin } from '../../runtime/message/batch.ts';
import { period } from '../../runtime/message/melding.ts';
import { osloDateTime } from '../../runtime/time/oslo.ts';
import { ChainBuilder } from '../../runtime/notify/chain.ts';
import { decide } from '../../runtime/notify/decide.ts';
import { contentHash, hashJson } from '../../runtime/notify/hash.ts';
import { CommandSource } from '../../runtime/sources/command.ts';
import { asyncStore } from '../../runtime/store/async.ts';
import { openStore } from '../../runtime/store/open.ts';
import type { ConsultationState } from '../../runtime/store/types.ts';
import { FakeReceiver, HEADER, identitySealer, rec, STAND_IN_KIT, tmp, writeNdjson } from './helpers.ts';
import { FileSource } from '../../runtime/sources/files.ts';

const none = undefined;
const accepted = (active: boolean, hash = 'h1'): ConsultationState => ({
  accHash: hash,
  accGuid: 'g-acc',
  accActive: active,
  pendHash: null,
  pendGuid: null,
  pendActive: false,
  hasPending: false,
});
const pending = (active: boolean, hash = 'h2'): ConsultationState => ({
  ...accepted(true),
  pendHash: active ? hash : null,
  pendGuid: 'g-pend',
  pendActive: active,
  hasPending: true,
});

describe('decide', () => {
  it.each([
    ['new content, never seen', none, { deleted: false, hash: 'h1' }, { status: 'N', ref: null }],
    ['deleted, never seen', none, { deleted: true, hash: null }, null],
    ['same content as accepted', accepted(true), { deleted: false, hash: 'h1' }, null],
    ['changed content', accepted(true), { deleted: false, hash: 'h9' }, { status: 'M', ref: 'g-acc' }],
    ['deleted after acceptance', accepted(true), { deleted: true, hash: null }, { status: 'C', ref: 'g-acc' }],
    ['deleted again after annulment', accepted(false), { deleted: true, hash: null }, null],
    ['back after annulment', accepted(false), { deleted: false, hash: 'h1' }, { status: 'N', ref: null }],
    ['changed while an M is on its way: refers to the pending one', pending(true), { deleted: false, hash: 'h9' }, { status: 'M', ref: 'g-pend' }],
    ['same as the pending content', pending(true), { deleted: false, hash: 'h2' }, null],
    ['deleted while a C is on its way', pending(false), { deleted: true, hash: null }, null],
  ])('%s', (_n, state, input, want) => {
    expect(decide(state, input)).toEqual(want);
  });
});

describe('chain, batches, hashing, time', () => {
  it('links every notification to the previous one with a strictly increasing lopeNr', () => {
    let i = 0;
    const c = new ChainBuilder('00000000-0000-0000-0000-000000000000', 41, () => `g${++i}`);
    expect([c.next(), c.next()]).toEqual([
      { guid: 'g1', forrigeGuid: '00000000-0000-0000-0000-000000000000', lopeNr: 42 },
      { guid: 'g2', forrigeGuid: 'g1', lopeNr: 43 },
    ]);
  });

  it('plans batches by count and by bytes', () => {
    expect(planBatches([10, 10, 10, 10, 10], { maxConsultations: 2, maxBytes: 1e6 }, 0)).toEqual([[0, 1], [2, 3], [4]]);
    expect(planBatches([40, 40, 40, 10, 90], { maxConsultations: 100, maxBytes: 100 }, 0)).toEqual([[0, 1], [2, 3], [4]]);
    // A message that serialises larger than estimated is halved until it fits.
    const parts = serialiseWithin([1, 2, 3, 4, 5], 25, (p) => ({ bytes: p.length * 10 }));
    expect(parts.map((p) => p.part)).toEqual([[1, 2], [3], [4, 5]]);
  });

  it('hashes content: the same text the same, any change differently', () => {
    expect(contentHash({ a: 1, b: [2] })).toBe(hashJson('{"a":1,"b":[2]}'));
    expect(contentHash({ a: 1, b: [2] })).toMatch(/^[0-9a-f]{32}$/);
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });

  it('gives Norwegian local time across summer time, and the period of a message', () => {
    expect(osloDateTime('2024-03-31T00:59:59Z')).toBe('2024-03-31T01:59:59');
    expect(osloDateTime('2024-03-31T01:00:00Z')).toBe('2024-03-31T03:00:00');
    expect(osloDateTime('2024-10-27T00:59:59Z')).toBe('2024-10-27T02:59:59');
    expect(osloDateTime('2024-10-27T01:00:00Z')).toBe('2024-10-27T02:00:00');
    const n = (d?: string) => ({
      status: 'N' as const,
      guid: 'g',
      forrigeGuid: 'f',
      lopeNr: 1,
      ref: null,
      notifikasjonTid: 't',
      konsultasjon: d ? { datoTidStart: d } : undefined,
    });
    expect(period([n('2024-02-03T10:00:00'), n(), n('2023-12-31T23:00:00')], '2024-06-01')).toEqual({ fra: '2023-12-31', til: '2024-02-03' });
    expect(period([n()], '2024-06-01')).toEqual({ fra: '2024-06-01', til: '2024-06-01' });
  });
});

describe('command source', () => {
  it('reads NDJSON from a command with {since} replaced, and fails plainly when it exits non-zero', async () => {
    const script = "const s=process.argv[1];console.log(JSON.stringify({since:s,env:process.env.KPR_SINCE,t:process.env.TOKEN}));console.log('');console.log('{broken')";
    const src = new CommandSource([process.execPath, '-e', script, '{since}'], { TOKEN: 'tok' }, 30, tmp());
    const lines = [];
    for await (const l of src.read({ since: '2024-05-01T00:00:00.000Z' })) lines.push(l);
    expect(lines[0]).toEqual({ value: { since: '2024-05-01T00:00:00.000Z', env: '2024-05-01T00:00:00.000Z', t: 'tok' }, file: 'command', line: 1 });
    expect(lines[1]).toMatchObject({ value: undefined, line: 3 });
    expect(lines[1]!.parseError).toBeTruthy();
    const failing = new CommandSource([process.execPath, '-e', "console.log('{}');console.error('ORA-12541: no listener');process.exit(3)"], {}, 30, tmp());
    const read = async () => {
      for await (const _ of failing.read({})) void _;
    };
    await expect(read()).rejects.toThrow(/exited with code 3: ORA-12541: no listener/);
  });
});

describe('logs', () => {
  it('are JSON lines that carry ids and counts but no identity numbers, names or content', async () => {
    const dir = tmp();
    const file = join(dir, 'epj.ndjson');
    writeNdjson(file, [rec('K1', '2024-05-01T08:00:00Z'), { id: 'K2', changedAt: '2024-05-01T08:00:00Z', Konsultasjon: { konsultasjonID: 'K2' } }]);
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += String(chunk);
        cb();
      },
    });
    const log = createLogger({ level: 'debug', destination: sink });
    const store = openStore(join(dir, 'kpr.db'));
    const kit = { ...STAND_IN_KIT, validateKonsultasjon: Object.assign((k: unknown) => typeof (k as { datoTidStart?: unknown }).datoTidStart === 'string', { errors: [] }) };
    await transfer(
      {
        store: asyncStore(store),
        kit,
        header: HEADER,
        limits: { maxConsultations: 10, maxBytes: 1e6, recordsPerTransaction: 10 },
        sender: new FakeReceiver(),
        sealer: identitySealer,
        log,
        mapper: passthroughMapper(kit),
        source: new FileSource(file, 'file'),
      },
      { kind: 'run', readSource: true },
    );
    store.close();
    log.info({ token: 'eyJsecret', fid: '01822350018', nested: { passphrase: 'p' } }, 'redaction check');
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['transfer started', 'record rejected', 'message built', 'message accepted', 'transfer finished']));
    expect(out).not.toContain('01822350018');
    expect(out).not.toContain('Kari');
    expect(out).not.toContain('eyJsecret');
    expect(out).not.toMatch(/"passphrase":"p"/);
    expect(out).not.toContain('datoTidStart');
  });
});
