// Passthrough records pass the rule stage like mapped ones: a fault the receiver only logs is
// sent and stored as a warning of a sent record, apart from the records held back; a newer
// version of the record replaces what the older one carried.
import { expect, it } from 'vitest';
import { openStore } from '../../runtime/store/open.ts';
import { konsultasjon } from './helpers.ts';
import { ruleStageRunner } from './rule-stage-run.ts';

it('stores the findings of records sent with a warning apart from the held-back ones', async () => {
  const { dbPath, receiver, run } = await ruleStageRunner();
  const k = (id: string, over: Record<string, unknown> = {}, child: Record<string, unknown> = {}) => {
    const base = konsultasjon(id);
    return { ...base, ...over, Barn_ungdom: { ...(base.Barn_ungdom as object), ...child } };
  };
  const r1 = await run([
    { id: 'A', changedAt: '2024-05-01T08:00:00Z', Konsultasjon: k('A') },
    // amming 7: not a code of list 8524; the published consequence is "Ingen handling".
    { id: 'W', changedAt: '2024-05-01T08:00:00Z', Konsultasjon: k('W', { amming: '7' }) },
    // A wrong check digit: the kit's rule, held back.
    { id: 'H', changedAt: '2024-05-01T08:00:00Z', Konsultasjon: k('H', {}, { fid: '01822350019' }) },
  ]);
  expect(r1).toMatchObject({ rejectedRecords: 1, notifications: { N: 2, M: 0, C: 0 } });
  expect(Object.keys(receiver.holdings()).sort()).toEqual(['A', 'W']);
  let store = openStore(dbPath);
  expect(store.sentWarnings().map((w) => [w.sourceId, w.konsultasjonId, w.path, w.rule, w.consequence, w.action])).toEqual([
    ['W', 'W', '/Konsultasjon/amming', 'REC2005', 'none', 'sent'],
  ]);
  expect(store.sentWarningsByRule()).toEqual([{ rule: 'REC2005', count: 1 }]);
  expect(store.rejections().map((r) => [r.sourceId, r.rule])).toEqual([['H', 'REC4001']]);
  store.close();

  // W corrected in the EPJ: its warning leaves with the old version.
  await run([{ id: 'W', changedAt: '2024-05-02T08:00:00Z', Konsultasjon: k('W') }]);
  store = openStore(dbPath);
  expect(store.sentWarnings()).toEqual([]);
  store.close();
});
