// A separate process on a SQLite store's SLASH queue, for test/store/slash-sending-sync.test.ts:
// its system calls can be counted (strace) and it can be killed without closing the store.
//   load PATH N   one unit with N deliveries queued
//   send PATH     every queued delivery marked sending, then answered delivered, in order
//   kill PATH     the head marked sending, then the process kills itself (SIGKILL)
import { openStore } from '../../runtime/store/open.ts';

const [mode, path, n] = process.argv.slice(2);
if (!path) throw new Error('usage: slash-sending-child load|send|kill PATH [N]');
const UNIT = '974770000|0301|';
const store = openStore(path);

if (mode === 'load') {
  const months = Array.from({ length: Number(n) }, (_, i) => `20${17 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`);
  const items = months.map((m) => ({ unit: UNIT, id: `a-${m}`, month: m, hash: `h-${m}`, json: `{"id":"a-${m}"}`, changedAt: `${m}-10T08:00:00.000Z` }));
  store.commitSlash({ runId: 1, items, deliveries: [], pendingDone: [], rejections: [] });
  store.commitSlash({
    runId: 1,
    items: [],
    deliveries: months.map((m) => ({ unit: UNIT, orgNr: '974770000', period: m, body: `[{"orgNr":974770000,"avtale":[{"id":"a-${m}"}]}]`, ids: [`a-${m}`], items: 1, deletes: 0 })),
    pendingDone: items.map((i) => ({ unit: UNIT, id: i.id })),
    rejections: [],
  });
} else if (mode === 'send') {
  for (const d of store.slashQueue()) {
    store.markSlashSending(d.seq);
    store.slashAnswered(d.seq, { outcome: 'delivered', msgHash: `mh-${d.seq}`, correlationId: `c-${d.seq}` });
  }
} else if (mode === 'kill') {
  const [head] = store.slashQueue();
  if (!head) throw new Error('nothing queued');
  store.markSlashSending(head.seq);
  process.kill(process.pid, 'SIGKILL');
} else {
  throw new Error(`unknown mode ${mode}`);
}
store.close();
