// What markSlashSending may skip and what the answer may not (runtime/store/sqlite/slash.ts):
// counting an attempt commits without an fsync, the answer commits with one, and neither a
// killed process nor the relaxed commit loses the attempt or changes the delivery's bytes.
// The judge of the fsyncs is the kernel: strace counts the store process's fsync calls.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../runtime/store/open.ts';
import { openDatabase } from '../../runtime/store/sqlite/schema.ts';
import { SqliteSlash } from '../../runtime/store/sqlite/slash.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

const CHILD = join(REPO_ROOT, 'test/helpers/slash-sending-child.ts');
const UNIT = '974770000|0301|';

function child(args: string[], strace = false): { status: number | null; signal: NodeJS.Signals | null; fsyncs: number } {
  const node = [process.execPath, join(REPO_ROOT, 'bin/run-ts.mjs'), CHILD, ...args];
  const cmd = strace ? ['strace', '-f', '-c', '-e', 'trace=fsync,fdatasync', '--', ...node] : node;
  const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0 && r.signal === null) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  // strace -c's table: "... calls errors syscall"; the calls column of fsync and fdatasync.
  let fsyncs = 0;
  for (const m of r.stderr.matchAll(/^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync)\s*$/gm)) fsyncs += Number(m[1]);
  return { status: r.status, signal: r.signal, fsyncs };
}

const hasStrace = spawnSync('strace', ['-V']).status === 0 && spawnSync('strace', ['-f', '-c', '-o', '/dev/null', 'true']).status === 0;
if (!hasStrace) console.log('slash-sending-sync: strace is not available here, so the fsync count is not judged (apt-get install strace)');

const fresh = () => join(mkdtempSync(join(tmpdir(), 'kpr-slash-sync-')), 'kpr.db');

describe('SLASH: an attempt counted without an fsync, the answer with one', () => {
  it('leaves the connection fully synchronous after counting an attempt', () => {
    const db = openDatabase(fresh());
    try {
      const slash = new SqliteSlash(db);
      slash.commit({
        runId: 1,
        items: [],
        deliveries: [{ unit: UNIT, orgNr: '974770000', period: '2024-01', body: '[{"id":"a1"}]', ids: ['a1'], items: 1, deletes: 0 }],
        pendingDone: [],
        rejections: [],
      });
      const [head] = slash.queue();
      if (!head) throw new Error('nothing queued');
      slash.markSending(head.seq);
      slash.markSending(head.seq);
      // 2 is FULL: every other commit (the answer first of all) still waits for the disk.
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(slash.delivery(head.seq)).toMatchObject({ attempts: 2, state: 'queued', body: '[{"id":"a1"}]' });
    } finally {
      db.close();
    }
  });

  it('keeps the attempt and the same bytes at the head when the process is killed right after counting it', () => {
    const path = fresh();
    child(['load', path, '3']);
    const before = openStore(path);
    const [head] = before.slashQueue();
    before.close();
    const killed = child(['kill', path]);
    expect(killed.signal).toBe('SIGKILL');
    const after = openStore(path);
    try {
      expect(after.slashQueue()[0]).toEqual({ ...head, attempts: 1 });
    } finally {
      after.close();
    }
  });

  it.skipIf(!hasStrace)('syncs once per delivery (the answer), not twice', () => {
    // The same program on 10 and on 30 deliveries: opening and closing cost the same fsyncs in
    // both, so the difference is what 20 more deliveries cost.
    const counts = [10, 30].map((n) => {
      const path = fresh();
      child(['load', path, String(n)]);
      const r = child(['send', path], true);
      const s = openStore(path);
      try {
        expect(s.slashQueue()).toEqual([]);
        expect(s.slashUnits()[0]).toMatchObject({ delivered: n, queued: 0 });
      } finally {
        s.close();
      }
      return r.fsyncs;
    });
    const perDelivery = (counts[1]! - counts[0]!) / 20;
    // At least one: the answer is durable before the unit's next delivery goes. Below two: the
    // attempt's commit did not wait for the disk.
    expect(perDelivery).toBeGreaterThanOrEqual(1);
    expect(perDelivery).toBeLessThan(1.25);
  });
});
