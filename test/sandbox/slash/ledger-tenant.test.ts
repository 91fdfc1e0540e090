// One tenant's part of the SLASH stand-in's state (`?parent=`): the units its organisation
// delivered for, numbered among its own deliveries, so that the same deliveries of one tenant
// give the same state whatever other tenants sent in between, and another tenant's differ.
import { describe, expect, it } from 'vitest';
import { type ContentOf, SlashLedger, stateOfParent } from '../../../runtime/sandbox/slash/ledger.ts';

const contentOf: ContentOf = (_type, _version, unit) =>
  ((unit.items as { id: string; v?: number }[] | undefined) ?? []).map((i) => ({ id: i.id, deleted: i.v === undefined, content: i.v }));

interface Send {
  parent: string;
  hash: string;
  units: { orgNr: string; items: { id: string; v?: number }[] }[];
}

const A: Send[] = [
  {
    parent: '311111111',
    hash: 'a1',
    units: [
      { orgNr: '300000001', items: [{ id: 'x', v: 1 }] },
      { orgNr: '300000002', items: [{ id: 'y', v: 1 }] },
    ],
  },
  { parent: '311111111', hash: 'a2', units: [{ orgNr: '300000001', items: [{ id: 'x' }] }] },
];
const B: Send[] = [
  { parent: '322222222', hash: 'b1', units: [{ orgNr: '300000009', items: [{ id: 'x', v: 7 }] }] },
  { parent: '322222222', hash: 'b2', units: [{ orgNr: '300000009', items: [{ id: 'z', v: 2 }] }] },
];

function ledgerOf(order: Send[]): SlashLedger {
  const ledger = new SlashLedger(contentOf);
  for (const s of order) ledger.record({ correlationId: s.hash, msgType: 'T', msgVersion: '1', msgHash: s.hash, parentOrgNr: s.parent }, s.units);
  return ledger;
}

describe('the SLASH state of one tenant', () => {
  it('is the same whatever the other tenants sent in between, and holds only its own units', () => {
    const alone = stateOfParent(ledgerOf(A).state(), '311111111');
    const interleaved = stateOfParent(ledgerOf([B[0]!, A[0]!, B[1]!, A[1]!]).state(), '311111111');
    expect(interleaved).toEqual(alone);
    expect(alone.deliveries).toBe(2);
    expect(Object.keys(alone.units)).toEqual(['300000001', '300000002']);
    expect(alone.units['300000001']!.map((d) => [d.seq, d.msgHash])).toEqual([
      [1, 'a1'],
      [2, 'a2'],
    ]);
    expect(alone.content['300000001']!.T!.x).toEqual({ deleted: true, content: 1, seq: 2 });
    const other = stateOfParent(ledgerOf([B[0]!, A[0]!, B[1]!, A[1]!]).state(), '322222222');
    expect(Object.keys(other.units)).toEqual(['300000009']);
    expect(other.content['300000009']!.T).toEqual({ x: { deleted: false, content: 7, seq: 1 }, z: { deleted: false, content: 2, seq: 2 } });
    expect(stateOfParent(ledgerOf(A).state(), '399999999')).toEqual({ deliveries: 0, units: {}, content: {} });
  });
});
