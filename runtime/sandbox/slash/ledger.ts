// What the SLASH stand-in accepted, per reporting unit in the order it arrived, so that a test
// can compare two runs exactly and see that no unit went out of order or skipped a delivery.
// Held in memory: a sandbox restart starts an empty ledger.

export interface SlashDelivery {
  /** Arrival order over the whole receiver, from 1. */
  seq: number;
  correlationId: string;
  msgType: string;
  msgVersion: string;
  msgHash: string;
  /** The organisation of the token (orgnr_parent). */
  parentOrgNr: string;
  /** Unit objects of this unit in the message. */
  units: number;
}

export interface SlashLedgerState {
  deliveries: number;
  /** orgNr → its deliveries in arrival order. */
  units: Record<string, SlashDelivery[]>;
}

export class SlashLedger {
  private seq = 0;
  private readonly byUnit = new Map<string, SlashDelivery[]>();
  /** The accepted messages themselves, by correlation id (for tests that read them back). */
  private readonly bodies = new Map<string, unknown>();

  record(d: Omit<SlashDelivery, 'seq' | 'units'>, message: unknown[]): SlashDelivery[] {
    this.seq++;
    const counts = new Map<string, number>();
    for (const unit of message) {
      const org = String((unit as { orgNr?: unknown }).orgNr);
      counts.set(org, (counts.get(org) ?? 0) + 1);
    }
    const made: SlashDelivery[] = [];
    for (const [org, units] of counts) {
      const entry = { ...d, seq: this.seq, units };
      let list = this.byUnit.get(org);
      if (!list) this.byUnit.set(org, (list = []));
      list.push(entry);
      made.push(entry);
    }
    this.bodies.set(d.correlationId, message);
    return made;
  }

  message(correlationId: string): unknown {
    return this.bodies.get(correlationId);
  }

  state(): SlashLedgerState {
    const units: Record<string, SlashDelivery[]> = {};
    for (const org of [...this.byUnit.keys()].sort()) units[org] = this.byUnit.get(org)!.map((d) => ({ ...d }));
    return { deliveries: this.seq, units };
  }
}
