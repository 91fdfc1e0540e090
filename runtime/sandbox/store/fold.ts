// Folding: the derived tables (notification_guid, consultation) brought up to date from the
// appended rows past the watermarks, in one transaction, in key order, once enough has piled up
// and before anything reads them. Until then the chain check finds recent GUIDs in the map of
// the notifications since the last fold (bounded by the fold size, filled only once a commit
// succeeded). Opening folds whatever a killed process left unfolded.
import type Database from 'better-sqlite3';
import type { ElementJson } from '../codec.ts';
import type { Statements } from './statements.ts';
import type { Appended, ContentOp } from './types.ts';

// Each fold rewrites most pages of the two derived indexes, so its cost per consultation falls
// with the fold's size; larger folds cost memory and make the sender wait longer for the answer
// that carries one. docs/sandbox.md gives the measurements behind this number.
const FOLD_AFTER = 50_000;

/** T adds to a consultation: new attribute values win, child element lists grow. */
function supplement(base: ElementJson, extra: ElementJson): ElementJson {
  const out: ElementJson = { ...base };
  for (const [name, value] of Object.entries(extra)) {
    const prior = out[name];
    out[name] = Array.isArray(prior) && Array.isArray(value) ? [...prior, ...value] : value;
  }
  return out;
}

export class SandboxFolding {
  /** The seq of every notification committed since the last fold, by sender and GUID (hash.ts key). */
  readonly notifications = new Map<string, number>();
  /** The content rows committed since the last fold, as the fold reads them (not their content). */
  private rows: ContentOp[] = [];
  private readonly foldAfter: number;

  constructor(
    private readonly db: Database.Database,
    private readonly st: Statements,
    foldAfter = FOLD_AFTER,
  ) {
    this.foldAfter = foldAfter;
  }

  /** Whether enough is unfolded to fold before the next message. */
  due(): boolean {
    return this.notifications.size >= this.foldAfter || this.rows.length >= this.foldAfter;
  }

  /** What a message appended, once its transaction committed. */
  remember(appended: Appended): void {
    for (const [k, seq] of appended.notifications) this.notifications.set(k, seq);
    for (const r of appended.rows) this.rows.push(r);
  }

  /**
   * Applies every notification and content row past the watermarks to the derived tables, in
   * key order, and moves the watermarks, in one transaction. Per konsultasjonID the rows are
   * replayed in arrival order, which is all eager application depended on: N and M set the
   * content (active), T supplements the content there is (or sets it), C annuls what there is.
   */
  fold(): void {
    this.db
      .transaction(() => {
        const notificationMark = this.st.watermark.get('notification') ?? 0;
        const contentMark = this.st.watermark.get('content') ?? 0;
        const notificationMax = this.st.notificationMax.get() ?? 0;
        if (notificationMax > notificationMark) {
          this.st.foldGuids.run(notificationMark);
          this.st.watermarkSet.run('notification', notificationMax);
        }
        const contentMax = this.st.contentMax.get() ?? 0;
        if (contentMax > contentMark) {
          // The rows this store appended, if they are all there is (seqs run without gaps);
          // else (on opening, after an import) as the database has them.
          const mine = this.rows;
          const rows =
            mine.length === contentMax - contentMark && mine[0]!.seq === contentMark + 1
              ? mine.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.seq - b.seq))
              : this.st.unfoldedContent.all(contentMark);
          const plain: [string, number][] = [];
          for (let i = 0; i < rows.length; ) {
            let j = i + 1;
            while (j < rows.length && rows[j]!.id === rows[i]!.id) j++;
            this.foldConsultation(rows, i, j, plain);
            i = j;
          }
          this.st.consultationPutAll.run(JSON.stringify(plain));
          this.st.watermarkSet.run('content', contentMax);
        }
      })
      .immediate();
    this.notifications.clear();
    this.rows = [];
  }

  /**
   * rows[from..to): one konsultasjonID's unfolded rows in arrival order. The usual case (the
   * last row an N or M, nothing to read) goes to `plain`, written in one statement.
   */
  private foldConsultation(rows: ContentOp[], from: number, to: number, plain: [string, number][]): void {
    const id = rows[from]!.id;
    const only = rows[to - 1]!;
    if (to === from + 1 && (only.op === 'N' || only.op === 'M')) {
      plain.push([id, only.seq]);
      return;
    }
    // The last N or M sets the content whatever came before it.
    let reset = -1;
    for (let i = from; i < to; i++) if (rows[i]!.op === 'N' || rows[i]!.op === 'M') reset = i;
    let cur: { status: string; seq: number } | undefined;
    let changed = false;
    let start = from;
    if (reset >= 0) {
      cur = { status: 'active', seq: rows[reset]!.seq };
      changed = true;
      start = reset + 1;
    } else {
      const r = this.st.consultation.get(id);
      cur = r && { status: r.status, seq: r.content_seq };
    }
    let merged: ElementJson | undefined;
    for (let i = start; i < to; i++) {
      const r = rows[i]!;
      if (r.op === 'T') {
        const extra = JSON.parse(this.st.contentOf.get(r.seq) as string) as ElementJson;
        if (cur) {
          merged = supplement(merged ?? (JSON.parse(this.st.contentOf.get(cur.seq) as string) as ElementJson), extra);
          cur.seq = r.seq;
        } else {
          cur = { status: 'active', seq: r.seq };
          merged = undefined;
        }
        changed = true;
      } else if (r.op === 'C' && cur && cur.status !== 'annulled') {
        cur.status = 'annulled';
        changed = true;
      }
    }
    // The supplemented content is kept in the last T's row, the one the consultation points at.
    if (merged && cur) this.st.contentSet.run(JSON.stringify(merged), cur.seq);
    if (changed && cur) this.st.consultationPut.run(id, cur.status, cur.seq);
    for (let i = from; i < to; i++) if (rows[i]!.seq !== cur?.seq) this.st.contentDelete.run(rows[i]!.seq);
  }
}
