// Writing a Melding's XML from the notifications of one message: for a message built in this run
// (its items still in memory) and for one rebuilt from the outbox (a resend keeps one stored copy
// of each consultation, not two, and rebuilds the same XML from it).
import { buildMelding, type MeldingHeader, type NotificationInput } from '../../message/melding.ts';
import type { AsyncStore } from '../../store/async.ts';
import type { ConsultationState, ItemRow } from '../../store/types.ts';
import { SerialisedElement, Splice } from '../../xml/write.ts';
import type { MessageKit } from '../message-kit.ts';

/** A notification on its way into a Melding. */
export interface Pending {
  row: ItemRow;
  /** The mapped object, or its element written by the worker; else row.json is parsed for the XML. */
  konsultasjon?: Record<string, unknown> | SerialisedElement;
  /** Where the version was read (none for one queued again). */
  at?: { file: string; line: number };
  /** The consultation's state before this decision: what holding the version back restores. */
  prior?: ConsultationState;
}

export interface Serialised {
  /** The Melding's XML, UTF-8. */
  xml: Buffer;
  bytes: number;
}

export class MeldingWriter {
  constructor(
    private readonly kit: MessageKit,
    private readonly header: MeldingHeader,
    /** The run's uttakDato (Oslo date). */
    readonly today: string,
  ) {}

  write(items: Pending[], lopenr: number, uttakDato = this.today, meldingstype = this.header.meldingstype): Serialised {
    // Konsultasjon elements the worker wrote are spliced in as bytes, not written into the text.
    const splice = new Splice();
    const notifications: NotificationInput[] = items.map((p) => ({
      status: p.row.status,
      guid: p.row.guid,
      forrigeGuid: p.row.forrigeGuid,
      lopeNr: p.row.lopeNr,
      ref: p.row.ref,
      notifikasjonTid: p.row.notifikasjonTid,
      konsultasjon: (p.konsultasjon instanceof SerialisedElement ? splice.hold(p.konsultasjon) : (p.konsultasjon ?? (p.row.json === null ? undefined : JSON.parse(p.row.json)))) as
        | Record<string, unknown>
        | undefined,
    }));
    // Encoded once, here: the size check and the sealer both need the bytes.
    const xml = splice.bytes(this.kit.toXml(buildMelding({ ...this.header, meldingstype }, { lopenr, uttakDato, notifications })));
    return { xml, bytes: xml.length };
  }

  /** A message of the outbox, from its stored notifications (same GUIDs, lopenr, uttakDato, content). */
  async rebuild(store: AsyncStore, m: { seq: number; lopenr: number; uttakDato: string; meldingstype: string }): Promise<Serialised> {
    return this.write(
      (await store.messageItems(m.seq)).map((row) => ({ row, konsultasjon: row.json ? (JSON.parse(row.json) as Record<string, unknown>) : undefined })),
      m.lopenr,
      m.uttakDato,
      m.meldingstype,
    );
  }
}
