// Cutting the stream of notifications into Melding messages: at most `maxConsultations`
// notifications and `maxBytes` of XML each. Sizes are estimated while collecting (cheap) and
// checked exactly after serialising: a message that came out too large is split in two until
// it fits, so the limit holds whatever the estimate said.

export interface BatchLimits {
  maxConsultations: number;
  maxBytes: number;
}

/** Collects items until a limit is reached; `full` tells the caller to cut a message. */
export class BatchCollector<T> {
  private items: T[] = [];
  private bytes = 0;

  constructor(
    private readonly limits: BatchLimits,
    /** Estimated XML bytes of one item. */
    private readonly sizeOf: (item: T) => number,
    /** Estimated bytes of a message without items (header, Kontaktperson, Kommune). */
    private readonly overhead = 2000,
  ) {}

  /** Would `item` still fit into the current message? */
  fits(item: T): boolean {
    return this.fitsSize(this.sizeOf(item));
  }

  /** Would an item of `bytes` estimated bytes still fit? (For a caller that has no item yet.) */
  fitsSize(bytes: number): boolean {
    if (!this.items.length) return true;
    return this.items.length < this.limits.maxConsultations && this.overhead + this.bytes + bytes <= this.limits.maxBytes;
  }

  add(item: T): void {
    this.items.push(item);
    this.bytes += this.sizeOf(item);
  }

  get full(): boolean {
    return this.items.length >= this.limits.maxConsultations || this.overhead + this.bytes >= this.limits.maxBytes;
  }

  get size(): number {
    return this.items.length;
  }

  take(): T[] {
    const out = this.items;
    this.items = [];
    this.bytes = 0;
    return out;
  }
}

/**
 * Serialises `items` as one message, or as several when the XML exceeds `maxBytes`: halves
 * until each part fits. A single item that does not fit on its own is an error the caller
 * reports (the limit is too small for one consultation).
 */
export function serialiseWithin<T, R extends { bytes: number }>(items: T[], maxBytes: number, serialise: (part: T[]) => R): { part: T[]; result: R }[] {
  const result = serialise(items);
  if (result.bytes <= maxBytes || items.length <= 1) return [{ part: items, result }];
  const mid = Math.ceil(items.length / 2);
  return [...serialiseWithin(items.slice(0, mid), maxBytes, serialise), ...serialiseWithin(items.slice(mid), maxBytes, serialise)];
}

/** Pure plan of message sizes for a list of item sizes (used by tests and the dry run summary). */
export function planBatches(sizes: readonly number[], limits: BatchLimits, overhead = 2000): number[][] {
  const c = new BatchCollector<number>(limits, (i) => sizes[i]!, overhead);
  const out: number[][] = [];
  sizes.forEach((_, i) => {
    if (!c.fits(i)) out.push(c.take());
    c.add(i);
    if (c.full) out.push(c.take());
  });
  if (c.size) out.push(c.take());
  return out;
}
