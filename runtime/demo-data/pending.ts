// The generator's queue of record versions planned but not yet due, kept in typed arrays: a
// version is only a reference (change time, child, slot, day, serial, version number), and the
// plan is recomputed from it when the version is written. So the queue creates no long-lived
// objects for the garbage collector to promote, and costs 22 bytes per entry.

/** One queued version; `day` and `serial` identify an age-band visit (0 for programme steps). */
export interface VersionRef {
  ms: number;
  child: number;
  slot: number;
  day: number;
  serial: number;
  version: number;
}

export class PendingQueue {
  private ms = new Float64Array(1024);
  private child = new Int32Array(1024);
  private slot = new Uint8Array(1024);
  private day = new Int32Array(1024);
  private serial = new Int32Array(1024);
  private version = new Uint8Array(1024);
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** Change time of the earliest entry, or Infinity when empty. */
  peekMs(): number {
    return this.n === 0 ? Infinity : this.ms[0];
  }

  push(ref: VersionRef): void {
    if (this.n === this.ms.length) this.grow();
    let i = this.n++;
    this.set(i, ref.ms, ref.child, ref.slot, ref.day, ref.serial, ref.version);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the earliest entry into `out`. The queue must not be empty. */
  pop(out: VersionRef): VersionRef {
    out.ms = this.ms[0];
    out.child = this.child[0];
    out.slot = this.slot[0];
    out.day = this.day[0];
    out.serial = this.serial[0];
    out.version = this.version[0];
    const last = --this.n;
    if (last > 0) {
      this.set(0, this.ms[last], this.child[last], this.slot[last], this.day[last], this.serial[last], this.version[last]);
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < last && this.less(l, m)) m = l;
        if (r < last && this.less(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return out;
  }

  // Change time first; ties broken by child, slot, day, serial and version: a total, stable order.
  private less(a: number, b: number): boolean {
    if (this.ms[a] !== this.ms[b]) return this.ms[a] < this.ms[b];
    if (this.child[a] !== this.child[b]) return this.child[a] < this.child[b];
    if (this.slot[a] !== this.slot[b]) return this.slot[a] < this.slot[b];
    if (this.day[a] !== this.day[b]) return this.day[a] < this.day[b];
    if (this.serial[a] !== this.serial[b]) return this.serial[a] < this.serial[b];
    return this.version[a] < this.version[b];
  }

  private set(i: number, ms: number, child: number, slot: number, day: number, serial: number, version: number): void {
    this.ms[i] = ms;
    this.child[i] = child;
    this.slot[i] = slot;
    this.day[i] = day;
    this.serial[i] = serial;
    this.version[i] = version;
  }

  private swap(a: number, b: number): void {
    const ms = this.ms[a],
      child = this.child[a],
      slot = this.slot[a],
      day = this.day[a],
      serial = this.serial[a],
      version = this.version[a];
    this.set(a, this.ms[b], this.child[b], this.slot[b], this.day[b], this.serial[b], this.version[b]);
    this.set(b, ms, child, slot, day, serial, version);
  }

  private grow(): void {
    const size = this.ms.length * 2;
    const grown = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a as never);
      return b;
    };
    this.ms = grown(this.ms, (k) => new Float64Array(k));
    this.child = grown(this.child, (k) => new Int32Array(k));
    this.slot = grown(this.slot, (k) => new Uint8Array(k));
    this.day = grown(this.day, (k) => new Int32Array(k));
    this.serial = grown(this.serial, (k) => new Int32Array(k));
    this.version = grown(this.version, (k) => new Uint8Array(k));
  }
}
