// Test helpers for the runtime jobs: a fake receiver judged by the sandbox's own chain rules
// (parsing our XML with the sandbox's independent reader), a stand-in message kit, and
// passthrough source records.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkChain } from '../../runtime/sandbox/chain.ts';
import { SandboxStore, type PublicState } from '../../runtime/sandbox/store.ts';
import { xmlToElementJson, type MeldingJson } from '../../runtime/sandbox/codec.ts';
import { genericToXml, type MessageKit } from '../../runtime/jobs/message-kit.ts';
import type { OutgoingMessage, SendOutcome, Sender } from '../../runtime/jobs/sender.ts';
import type { MeldingHeader } from '../../runtime/message/melding.ts';

export const HEADER: MeldingHeader = {
  versjon: '56.0.0',
  meldingstype: 'E',
  leverandor: 'Testleverandør',
  navnEPJ: 'TestEPJ',
  versjonEPJ: '1.0',
  versjonUt: 'kpr-kit test',
  Kontaktperson: [
    { kontPerson: 'Kari Kontakt', meldEpost1: 'kari@example.invalid', typeKontaktperson: '1' },
    { kontPerson: 'Ola Fag', meldEpost1: 'ola@example.invalid', typeKontaktperson: '15' },
  ],
  Kommune: [{ kommuneNr: '0301', Enhet: [{ enhetID: 'E1', orgNr: '974770000' }] }],
};

export const STAND_IN_KIT: MessageKit = {
  id: 'hst@56.0.0',
  version: '56.0.0',
  root: 'Melding',
  namespace: 'http://www.npr.no/xmlstds/56_0_0_hst',
  toXml: (m) => genericToXml('Melding', 'http://www.npr.no/xmlstds/56_0_0_hst', m),
  genericXml: true,
};

export function tmp(prefix = 'kpr-rt-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A GUID that is the same for the same id (so content hashes are stable across runs). */
export function guidFor(id: string): string {
  const hex = Buffer.from(id).toString('hex').padStart(12, '0').slice(-12);
  return `00000000-0000-4000-8000-${hex}`;
}

export function konsultasjon(id: string, variant = 0, day = '2024-03-01'): Record<string, unknown> {
  return {
    konsultasjonID: id,
    datoTidStart: `${day}T10:00:00`,
    formKonsultasjon: 'H',
    anbefaltTypeKonsultasjon: '6U',
    konsultasjonRegistrertTidspunkt: `${day}T10:30:00`,
    amming: String(1 + (variant % 3)),
    Barn_ungdom: { pasientGUID: guidFor(id), barn_ungdomNr: '1', kjonn: '2', fodselsar: 2023, fid: '01822350018', typeID: '1' },
  };
}

export type Rec = { id?: string; changedAt: string; deleted?: true; konsultasjonID?: string; Konsultasjon?: Record<string, unknown> };

export function rec(id: string, changedAt: string, variant = 0): Rec {
  return { id, changedAt, Konsultasjon: konsultasjon(id, variant) };
}

export function del(id: string, changedAt: string): Rec {
  return { id, changedAt, deleted: true, konsultasjonID: id };
}

export function writeNdjson(file: string, records: unknown[]): void {
  writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
}

type Plan = 'accept' | 'reject' | 'retry' | 'lose-answer' | 'throw';

/**
 * The receiver: dedupes by messageId (a resent message gets its first answer), checks the chain
 * and applies N/M/C exactly as the sandbox does. `plan` scripts the next answers.
 */
export class FakeReceiver implements Sender {
  /** The sandbox's own store, in memory: the same chain rules and N/M/T/C as `kpr sandbox`. */
  readonly store = new SandboxStore(':memory:');
  readonly herId = '8139519';
  readonly calls: OutgoingMessage[] = [];
  readonly plan: Plan[] = [];
  readonly meldinger: MeldingJson[] = [];
  /** Every notification the receiver applied, in order. */
  readonly applied: { guid: string; status: string; ids: string[] }[] = [];

  /** Answer after this many milliseconds (a receiver that takes its time), 0: at once. */
  latencyMs = 0;

  async send(m: OutgoingMessage): Promise<SendOutcome> {
    this.calls.push(m);
    if (this.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    const plan = this.plan.shift() ?? 'accept';
    if (plan === 'retry') return { outcome: 'retryable', reason: 'HTTP 503' };
    if (plan === 'throw') throw new Error('connection reset');
    if (plan === 'reject') return { outcome: 'rejected', validationCode: 1020, validationMessage: 'scripted rejection', refId: `ref-${this.calls.length}` };
    const known = this.store.answered(m.messageId);
    if (known) return { outcome: 'accepted', refId: known.refId };
    const read = xmlToElementJson(m.payload.toString('utf8'));
    if ('errors' in read) return { outcome: 'rejected', validationCode: 1020, validationMessage: read.errors.join('; ') };
    const melding = read.element as MeldingJson;
    const bad = checkChain(this.store, this.herId, melding);
    if (bad) return { outcome: 'rejected', ...bad };
    const refId = `ref-${this.calls.length}`;
    this.store.accept({ messageId: m.messageId, refId, fromHerId: this.herId, toHerId: '8139520', messageType: 'HST', messageVersion: '56.0.0', melding });
    this.meldinger.push(melding);
    for (const n of melding.Notifikasjon ?? [])
      this.applied.push({ guid: n.notifikasjonGUID, status: n.statusNotifikasjon, ids: (n.Konsultasjon ?? []).map((k) => k.konsultasjonID) });
    if (plan === 'lose-answer') throw new Error('socket hang up after the receiver stored it');
    return { outcome: 'accepted', refId };
  }

  /** What the receiver holds: senders' chains and consultations. */
  get state(): PublicState {
    return this.store.publicState();
  }

  /** konsultasjonID → status and amming (the variant marker) as the receiver holds them. */
  holdings(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [id, c] of Object.entries(this.state.consultations)) out[id] = c.status === 'active' ? `active:${c.content.amming}` : 'annulled';
    return out;
  }

  /** How often each consultation arrived with status N. */
  newCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const a of this.applied) if (a.status === 'N') for (const id of a.ids) out[id] = (out[id] ?? 0) + 1;
    return out;
  }
}

export const identitySealer = (b: Buffer) => Buffer.from(b);
