// The two stores the contract suite judges, both behind AsyncStore: SQLite (through the
// adapter) in a temporary file, and PostgreSQL in a fresh schema of a throwaway cluster
// (test/helpers/postgres.ts). Plus what the suite compares: a store's observable state.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll } from 'vitest';
import { join } from 'node:path';
import type { AsyncStore } from '../../runtime/store/async.ts';
import { openAsyncStore } from '../../runtime/store/open.ts';
import type { BatchCommit, ItemRow, NewMessage } from '../../runtime/store/types.ts';
import { type PgServer, startPg } from '../helpers/postgres.ts';

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** A new, empty store; `same` opens another handle on the store `fresh` gave last. */
  fresh(): Promise<AsyncStore>;
  same(): Promise<AsyncStore>;
}

let schemas = 0;

export function sqliteKind(): StoreKind {
  let last = '';
  return {
    name: 'sqlite',
    async fresh() {
      last = join(mkdtempSync(join(tmpdir(), 'kpr-contract-')), 'kpr.db');
      return openAsyncStore({ kind: 'sqlite', path: last });
    },
    same: () => openAsyncStore({ kind: 'sqlite', path: last }),
  };
}

export function postgresKind(server: () => PgServer): StoreKind {
  let last = '';
  return {
    name: 'postgres',
    async fresh() {
      last = `contract_${process.pid}_${++schemas}`;
      return openAsyncStore({ kind: 'postgres', url: server().url, schema: last }, { migrate: true });
    },
    same: () => openAsyncStore({ kind: 'postgres', url: server().url, schema: last }),
  };
}

/** Stores a suite opens with `fresh` (or hands to `keep`), all closed after the suite. */
export function opened(kind: StoreKind): { fresh(): Promise<AsyncStore>; keep(s: AsyncStore): AsyncStore } {
  const open: AsyncStore[] = [];
  afterAll(async () => {
    for (const s of open) await s.close().catch(() => {});
  });
  const keep = (s: AsyncStore) => {
    open.push(s);
    return s;
  };
  return { fresh: async () => keep(await kind.fresh()), keep };
}

/** A snapshot of `s` (snapshotTo: a SQLite file), opened behind AsyncStore. */
export async function snapshotOf(s: AsyncStore): Promise<AsyncStore> {
  const file = join(mkdtempSync(join(tmpdir(), 'kpr-snap-')), 'copy.db');
  await s.snapshotTo(file);
  return openAsyncStore({ kind: 'sqlite', path: file });
}

/** Starts the throwaway cluster for a test file: call in beforeAll, stop in afterAll. */
export async function pgForFile(): Promise<PgServer> {
  return startPg();
}

let guids = 0;

/** A notification of `k` (N unless told), with unique GUIDs and a consultation JSON with its month. */
export function item(k: string, over: Partial<ItemRow> = {}): ItemRow {
  const n = ++guids;
  const status = over.status ?? 'N';
  return {
    konsultasjonId: k,
    status,
    guid: `g-${n}`,
    forrigeGuid: `g-${n - 1}`,
    ref: status === 'N' ? null : `ref-${k}`,
    lopeNr: n,
    hash: status === 'C' ? null : `h-${k}-${n}`,
    sourceId: `s-${k}`,
    changedAt: `2024-03-0${(n % 9) + 1}T10:00:00.000Z`,
    json: status === 'C' ? null : `{"konsultasjonID":"${k}","datoTidStart":"2024-0${(n % 3) + 1}-05T09:00:00"}`,
    notifikasjonTid: '',
    ...over,
  };
}

export function message(id: string, lopenr: number, items: ItemRow[], year = 2024): NewMessage {
  return { messageId: id, year, lopenr, meldingstype: 'HST', bytes: 100 * items.length, uttakDato: '2024-03-10T12:00:00', items };
}

/** A batch committing `messages`, the chain's head at their last notification. */
export function batch(runId: number, messages: NewMessage[], more: Partial<BatchCommit> = {}): BatchCommit {
  const last = messages.at(-1)?.items.at(-1);
  return {
    runId,
    messages,
    seen: messages.flatMap((m) => m.items.map((i) => ({ sourceId: i.sourceId, konsultasjonId: i.konsultasjonId, changedAt: i.changedAt, rejected: false }))),
    rejections: [],
    requeueDone: [],
    chainHead: last?.guid ?? 'nil',
    notifLopeNr: last?.lopeNr ?? 0,
    ...more,
  };
}

const TIMES = new Set(['createdAt', 'sentAt', 'doneAt', 'startedAt', 'endedAt', 'heartbeatAt', 'day', 'since']);

/** `v` without the wall-clock times the two stores write at different instants, seq as its rank. */
function timeless(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(timeless);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, TIMES.has(k) && x !== null ? '<time>' : timeless(x)]));
  return v;
}

/** Everything a caller can see of a store about the given consultations and source records. */
export async function observe(s: AsyncStore, keys: readonly string[], years: readonly number[] = [2024, 2025]): Promise<unknown> {
  const unconfirmed = await s.unconfirmed();
  const rejected = await s.rejectedMessages();
  const messages = [...unconfirmed, ...rejected].sort((a, b) => a.seq - b.seq);
  const rank = new Map(messages.map((m, n) => [m.seq, n]));
  const withItems = async (list: typeof messages) => Promise.all(list.map(async (m) => ({ ...m, seq: rank.get(m.seq), items: await s.messageItems(m.seq) })));
  const byKey: Record<string, unknown> = {};
  for (const k of keys) byKey[k] = { consultation: (await s.consultation(k)) ?? null, seen: await s.seen(`s-${k}`, '2024-03-05T10:00:00.000Z') };
  const byYear: Record<string, number> = {};
  for (const y of years) byYear[y] = await s.lastLopenr(y);
  return timeless({
    counters: await s.counters(),
    countsByState: await s.countsByState(),
    consultationCounts: await s.consultationCounts(),
    unconfirmed: await withItems(unconfirmed),
    rejected: await withItems(rejected),
    oldest: (await s.oldestUnconfirmed())?.messageId ?? null,
    requeued: await s.requeued(),
    rejections: await s.rejections(),
    rejectionsByRule: await s.rejectionsByRule(),
    sentWarnings: await s.sentWarnings(),
    sentWarningsByRule: await s.sentWarningsByRule(),
    dailyVolumes: (await s.dailyVolumes()).map(({ day: _d, ...v }) => v),
    monthlyVolumes: await s.monthlyVolumes(),
    runVolumes: await s.runVolumes(),
    lastRun: (await s.lastRun()) ?? null,
    checkpoint: (await s.checkpoint('position')) ?? null,
    byKey,
    byYear,
    slash: await observeSlash(s),
  });
}

/** SLASH's queue, units and pending items, a delivery's seq as its rank in the queue. */
async function observeSlash(s: AsyncStore): Promise<unknown> {
  const queue = await s.slashQueue();
  const rank = new Map(queue.map((d, n) => [d.seq, n]));
  const ranked = (seq: number | null) => (seq === null ? null : (rank.get(seq) ?? 'not queued'));
  return {
    queue: queue.map((d) => ({ ...d, seq: ranked(d.seq) })),
    units: (await s.slashUnits()).map((u) => ({ ...u, seq: ranked(u.seq) })),
    pending: await s.slashPending(),
  };
}
