// The sandbox store's statements, prepared once and typed: a mistyped name or a wrong argument
// does not compile.
import type Database from 'better-sqlite3';
import type { ContentOp } from './types.ts';

/** The store's statements, typed: a mistyped name does not compile. */
export function prepare(db: Database.Database) {
  return {
    sender: db.prepare<[string], { chain_head: string | null; last_lope_nr: number | null }>('SELECT chain_head, last_lope_nr FROM sender WHERE her_id = ?'),
    senderUpsert: db.prepare<[{ herId: string; head: string | null; lopeNr: number | null; notifications: number }]>(
      `INSERT INTO sender (her_id, chain_head, last_lope_nr, notifications, messages) VALUES (@herId, @head, @lopeNr, @notifications, 1)
       ON CONFLICT(her_id) DO UPDATE SET chain_head = @head, last_lope_nr = @lopeNr, notifications = notifications + @notifications, messages = messages + 1`,
    ),
    senders: db.prepare<[], { her_id: string; chain_head: string | null; notifications: number; messages: number }>(
      'SELECT her_id, chain_head, notifications, messages FROM sender ORDER BY her_id',
    ),
    guidKnown: db
      .prepare<[number, string, string], number>('SELECT 1 FROM notification_guid g JOIN notification n ON n.seq = g.seq WHERE g.h = ? AND n.her_id = ? AND n.guid = ?')
      .pluck(),
    notificationIds: db.prepare<[number], string>('SELECT ids FROM notification WHERE seq = ?').pluck(),
    guidStatus: db
      .prepare<[number, string, string], string>(
        'SELECT n.status FROM notification_guid g JOIN notification n ON n.seq = g.seq WHERE g.h = ? AND n.her_id = ? AND n.guid = ? ORDER BY g.seq DESC LIMIT 1',
      )
      .pluck(),
    notificationStatus: db.prepare<[number], string>('SELECT status FROM notification WHERE seq = ?').pluck(),
    guidIds: db
      .prepare<[number, string, string], string>(
        'SELECT n.ids FROM notification_guid g JOIN notification n ON n.seq = g.seq WHERE g.h = ? AND n.her_id = ? AND n.guid = ? ORDER BY g.seq DESC LIMIT 1',
      )
      .pluck(),
    // seq is the rowid: SQLite numbers the rows in the order they arrive.
    notificationInsert: db.prepare<[string, string, string, string, number, string]>(
      'INSERT INTO notification (her_id, guid, status, forrige_guid, lope_nr, ids) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    // A GUID sent again replaced the earlier notification: only the latest of each is listed.
    notifications: db.prepare<[], { her_id: string; guid: string; status: string; forrige_guid: string; lope_nr: number; ids: string }>(
      `SELECT her_id, guid, status, forrige_guid, lope_nr, ids FROM notification n
       WHERE NOT EXISTS (SELECT 1 FROM notification_guid g JOIN notification m ON m.seq = g.seq
         WHERE g.h = guid_hash(n.her_id, n.guid) AND g.seq > n.seq AND m.her_id = n.her_id AND m.guid = n.guid) ORDER BY seq`,
    ),
    contentNext: db.prepare<[], number>("SELECT max(coalesce((SELECT max(seq) FROM content), 0), coalesce((SELECT value FROM meta WHERE key = 'content'), 0)) + 1").pluck(),
    contentInsert: db.prepare<[number, string, string, string, string | null]>('INSERT INTO content (seq, id, op, from_her_id, content) VALUES (?, ?, ?, ?, ?)'),
    contentOf: db.prepare<[number], string>('SELECT content FROM content WHERE seq = ?').pluck(),
    contentSet: db.prepare<[string, number]>('UPDATE content SET content = ? WHERE seq = ?'),
    contentDelete: db.prepare<[number]>('DELETE FROM content WHERE seq = ?'),
    contentMax: db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM content').pluck(),
    unfoldedContent: db.prepare<[number], ContentOp>('SELECT seq, id, op FROM content WHERE seq > ? ORDER BY id, seq'),
    consultation: db.prepare<[string], { status: string; content_seq: number }>("SELECT coalesce(status, 'active') AS status, content_seq FROM consultation WHERE id = ?"),
    consultationPut: db.prepare<[string, string, number]>(
      "INSERT INTO consultation (id, status, content_seq) VALUES (?, nullif(?, 'active'), ?) ON CONFLICT(id) DO UPDATE SET status = excluded.status, content_seq = excluded.content_seq",
    ),
    // Active consultations [id, content_seq] in key order.
    consultationPutAll: db.prepare<[string]>(
      `INSERT INTO consultation (id, status, content_seq) SELECT value ->> 0, NULL, value ->> 1 FROM json_each(?) WHERE true
       ON CONFLICT(id) DO UPDATE SET status = NULL, content_seq = excluded.content_seq`,
    ),
    consultations: db.prepare<[], { id: string; status: string; content: string; from_her_id: string }>(
      "SELECT c.id, coalesce(c.status, 'active') AS status, k.content, k.from_her_id FROM consultation c JOIN content k ON k.seq = c.content_seq ORDER BY c.id",
    ),
    statusCounts: db.prepare<[], { status: string; n: number }>("SELECT coalesce(status, 'active') AS status, COUNT(*) AS n FROM consultation GROUP BY 1"),
    // In key order, the last of a GUID winning: each index page is written once per fold.
    foldGuids: db.prepare<[number]>('INSERT INTO notification_guid (h, seq) SELECT guid_hash(her_id, guid), seq FROM notification WHERE seq > ? ORDER BY 1, 2'),
    notificationMax: db.prepare<[], number>('SELECT coalesce(max(seq), 0) FROM notification').pluck(),
    watermark: db.prepare<[string], number>('SELECT value FROM meta WHERE key = ?').pluck(),
    watermarkSet: db.prepare<[string, number]>('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
    senderInsert: db.prepare<[string, string | null, number | null, number, number]>(
      'INSERT INTO sender (her_id, chain_head, last_lope_nr, notifications, messages) VALUES (?, ?, ?, ?, ?)',
    ),
    answered: db.prepare<[string], { ref_id: string; from_her_id: string }>('SELECT ref_id, from_her_id FROM message WHERE message_id = ?'),
    messageInsert: db.prepare<[string, string, string, string, string, string, number, string]>(
      'INSERT INTO message (message_id, ref_id, from_her_id, to_her_id, message_type, message_version, notifications, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
  };
}

export type Statements = ReturnType<typeof prepare>;
