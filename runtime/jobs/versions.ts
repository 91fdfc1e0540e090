// Two lines with the same record id and changedAt but different content: the second is skipped
// as "already decided", which is right for a file read again, and wrong to do in silence when
// the content differs (an export that changed a record without moving changedAt). The memo
// remembers the versions read in this run, with their content hash and line, so the second
// line can be reported naming both. It is bounded: a backfill of millions of records keeps the
// most recent `capacity` versions (about 10 MB at 25,000), which is where an export's
// duplicates are; an older first line is still skipped, as before, but without the report.

export interface VersionAt {
  file: string;
  line: number;
}

interface Entry extends VersionAt {
  hash: string;
}

export class VersionMemo {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly capacity = 25_000) {}

  /** Remembers a version read (hash: the content hash, or a marker for a deletion). */
  remember(sourceId: string, changedAt: string, hash: string, at: VersionAt): void {
    const key = `${sourceId}\u0000${changedAt}`;
    this.entries.delete(key);
    this.entries.set(key, { hash, file: at.file, line: at.line });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The line that gave this version first, when it gave other content; else undefined. */
  conflict(sourceId: string, changedAt: string, hash: string): VersionAt | undefined {
    const e = this.entries.get(`${sourceId}\u0000${changedAt}`);
    return e && e.hash !== hash ? { file: e.file, line: e.line } : undefined;
  }
}
