// What the SLASH stand-in accepted, per reporting unit in the order it arrived, and, when it is
// told how to read a message type (`ContentOf`), the current content per item id with deleted
// ones marked: so that a test can compare two runs exactly and see that no unit went out of
// order or skipped a delivery. Held in memory: a sandbox restart starts an empty ledger.

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

/** One item a unit object carries or deletes (e.g. an appointment by its id). */
export interface ItemChange {
  id: string;
  deleted: boolean;
  content?: unknown;
}

/** Reads the items of one unit object of a message type; the sandbox knows no type itself. */
export type ContentOf = (msgType: string, msgVersion: string, unit: Record<string, unknown>) => ItemChange[];

export interface ItemState {
  deleted: boolean;
  content?: unknown;
  /** The delivery that last changed it. */
  seq: number;
}

export interface SlashLedgerState {
  deliveries: number;
  /** orgNr → its deliveries in arrival order. */
  units: Record<string, SlashDelivery[]>;
  /** orgNr → msg_type → item id → its current state (only with a ContentOf). */
  content: Record<string, Record<string, Record<string, ItemState>>>;
}

export class SlashLedger {
  private seq = 0;
  private readonly byUnit = new Map<string, SlashDelivery[]>();
  /** The accepted messages themselves, by correlation id (for tests that read them back). */
  private readonly bodies = new Map<string, unknown>();
  private readonly content = new Map<string, Map<string, Map<string, ItemState>>>();

  constructor(private readonly contentOf?: ContentOf) {}

  record(d: Omit<SlashDelivery, 'seq' | 'units'>, message: unknown[]): SlashDelivery[] {
    this.seq++;
    const counts = new Map<string, number>();
    for (const unit of message) {
      const org = String((unit as { orgNr?: unknown }).orgNr);
      counts.set(org, (counts.get(org) ?? 0) + 1);
      if (this.contentOf) this.apply(org, d.msgType, this.contentOf(d.msgType, d.msgVersion, unit as Record<string, unknown>));
    }
    const made: SlashDelivery[] = [];
    for (const [org, units] of counts) {
      const entry = { ...d, seq: this.seq, units };
      let list = this.byUnit.get(org);
      if (!list) {
        list = [];
        this.byUnit.set(org, list);
      }
      list.push(entry);
      made.push(entry);
    }
    this.bodies.set(d.correlationId, message);
    return made;
  }

  private apply(org: string, msgType: string, changes: ItemChange[]): void {
    let byType = this.content.get(org);
    if (!byType) {
      byType = new Map();
      this.content.set(org, byType);
    }
    let items = byType.get(msgType);
    if (!items) {
      items = new Map();
      byType.set(msgType, items);
    }
    for (const c of changes) {
      const was = items.get(c.id);
      // A deletion keeps the content it deletes, so a state shows what was removed.
      items.set(c.id, c.deleted ? { deleted: true, content: was?.content, seq: this.seq } : { deleted: false, content: c.content, seq: this.seq });
    }
  }

  message(correlationId: string): unknown {
    return this.bodies.get(correlationId);
  }

  state(): SlashLedgerState {
    const units: Record<string, SlashDelivery[]> = {};
    for (const org of [...this.byUnit.keys()].sort()) units[org] = this.byUnit.get(org)!.map((d) => ({ ...d }));
    const content: SlashLedgerState['content'] = {};
    for (const org of [...this.content.keys()].sort()) {
      content[org] = {};
      for (const [type, items] of [...this.content.get(org)!].sort(([a], [b]) => (a < b ? -1 : 1))) {
        content[org]![type] = Object.fromEntries([...items].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, st]) => [id, { ...st }]));
      }
    }
    return { deliveries: this.seq, units, content };
  }
}

/**
 * One tenant's part of the state: the units its organisation (the tokens' orgnr_parent)
 * delivered for, with `seq` counted among its own deliveries, so that one tenant's state is the
 * same whatever the other tenants sent in between (`GET /sandbox/slash/state?parent=`).
 */
export function stateOfParent(state: SlashLedgerState, parent: string): SlashLedgerState {
  const seqs = new Set<number>();
  const units: SlashLedgerState['units'] = {};
  for (const [org, list] of Object.entries(state.units)) {
    if (!list.some((d) => d.parentOrgNr === parent)) continue;
    units[org] = list;
    for (const d of list) seqs.add(d.seq);
  }
  const local = new Map([...seqs].sort((a, b) => a - b).map((s, i) => [s, i + 1]));
  const renumber = (seq: number) => local.get(seq) ?? 0;
  const content: SlashLedgerState['content'] = {};
  for (const org of Object.keys(units)) {
    units[org] = units[org]!.map((d) => ({ ...d, seq: renumber(d.seq) }));
    const types = state.content[org];
    if (!types) continue;
    content[org] = Object.fromEntries(
      Object.entries(types).map(([type, items]) => [type, Object.fromEntries(Object.entries(items).map(([id, st]) => [id, { ...st, seq: renumber(st.seq) }]))]),
    );
  }
  return { deliveries: seqs.size, units, content };
}
