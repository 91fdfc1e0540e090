// What the operator is shown after a run that held some records back and sent others with a
// warning: `kpr errors` keeps the two apart (held back first, then sent with a warning by rule,
// with the consequence in the receiver's words or marked as the kit's own), in text and JSON,
// judged by golden files; the held-back records carry their consultation month for the report.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { errorRowsOf, failures, formatErrors, warningsByRule } from '../../runtime/jobs/report.ts';
import { asyncStore } from '../../runtime/store/async.ts';
import { openStore } from '../../runtime/store/open.ts';
import { expectGolden } from '../helpers/golden.ts';
import { konsultasjon } from './helpers.ts';
import { ruleStageRunner } from './rule-stage-run.ts';

const GOLDEN = 'test/runtime/golden';

it('kpr errors: held back, then sent with a warning by rule, then rejected messages; text and JSON', async () => {
  const { dbPath, receiver, run } = await ruleStageRunner();
  const k = (id: string, day: string, over: Record<string, unknown> = {}, child: Record<string, unknown> = {}) => {
    const base = konsultasjon(id, 0, day);
    return { ...base, ...over, Barn_ungdom: { ...(base.Barn_ungdom as object), ...child } };
  };
  const at = '2024-05-01T08:00:00Z';
  const summary = await run([
    { id: 'OK', changedAt: at, Konsultasjon: k('OK', '2024-03-01') },
    // amming 7 is no code of list 8524; published "Ingen handling": sent unchanged.
    { id: 'W1', changedAt: at, Konsultasjon: k('W1', '2024-03-02', { amming: '7' }) },
    { id: 'W2', changedAt: at, Konsultasjon: k('W2', '2024-03-03', { amming: '9' }) },
    // deltakerType 5 is no code of list 8425; published "Sett verdi til -1": sent as -1.
    { id: 'S1', changedAt: at, Konsultasjon: k('S1', '2024-02-10', { Deltaker: [{ deltakerType: '5' }] }) },
    // An Enhet kpr.yaml does not report: the kit's own rule, sent with a warning.
    { id: 'U1', changedAt: at, Konsultasjon: k('U1', '2024-03-04', { RefEnhet: [{ enhetID: 'E9', typeEnhet: '1' }] }) },
    // A wrong check digit: the kit's own rule, held back.
    { id: 'H1', changedAt: at, Konsultasjon: k('H1', '2024-02-15', {}, { fid: '01822350019' }) },
    { id: 'H2', changedAt: at, Konsultasjon: k('H2', '2024-04-01', {}, { fid: '01822350019' }) },
    // Not a record at all: held, of no known month.
    'not an object',
  ]);
  const store = openStore(dbPath);
  try {
    expect(summary).toMatchObject({ rejectedRecords: 3, notifications: { N: 5, M: 0, C: 0 } });
    expect(Object.keys(receiver.holdings()).sort()).toEqual(['OK', 'S1', 'U1', 'W1', 'W2']);
    // What the receiver holds is the value its consequence sets, not the original.
    expect((receiver.state.consultations.S1!.content as { Deltaker?: unknown }).Deltaker).toEqual([{ deltakerType: '-1' }]);
    expect(receiver.state.consultations.W1!.content.amming).toBe('7');

    expect(store.rejections().map((r) => [r.sourceId, r.rule, r.month])).toEqual([
      ['H1', 'REC4001', '2024-02'],
      ['H2', 'REC4001', '2024-04'],
      ['epj.ndjson:8', 'REC1002', null],
    ]);
    // The report's months: what was sent and what was held back, side by side.
    expect(store.monthlyVolumes().map((m) => [m.month, m.unconfirmed + m.accepted, m.heldBack])).toEqual([
      ['2024-02', 1, 1],
      ['2024-03', 4, 0],
      ['2024-04', 0, 1],
    ]);

    const rows = await errorRowsOf(asyncStore(store));
    expect(rows.map((r) => [r.kind, r.id])).toEqual([
      ['record', 'H1'],
      ['record', 'H2'],
      ['record', 'epj.ndjson:8'],
      ['warning', 'W1'],
      ['warning', 'W2'],
      ['warning', 'S1'],
      ['warning', 'U1'],
    ]);
    // A warning is not a failure: only the three held back count for the exit code.
    expect(failures(rows)).toBe(3);
    expect(failures(rows.filter((r) => r.kind === 'warning'))).toBe(0);
    // One rule, two published consequences (the attribute decides): one group each; the kit's
    // own rule is never shown as the receiver's.
    expect(warningsByRule(rows.filter((r) => r.kind === 'warning')).map((g) => [g.rule, g.records, g.consequence.words, g.consequence.whose])).toEqual([
      ['REC2005', 2, 'Ingen handling', 'receiver'],
      ['REC2005', 1, 'Sett verdi til -1', 'receiver'],
      ['REC4008', 1, 'Ingen handling', 'kit'],
    ]);

    const text = formatErrors(rows, 'text');
    for (const l of text.split('\n')) expect(l.length, l).toBeLessThanOrEqual(120);
    expectGolden(join(GOLDEN, 'errors-with-warnings.txt'), text);
    expectGolden(join(GOLDEN, 'errors-with-warnings.json'), formatErrors(rows, 'json'));
  } finally {
    store.close();
  }
});
