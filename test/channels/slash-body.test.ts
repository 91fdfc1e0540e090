// One unit's pending items as SLASH request bodies: the unit object in the order of FHI's sample
// (orgNr, kommuneNr, bydelNr, slettAvtale, avtale), one period per body, cut at the size limit
// without ever exceeding it (but for a single item larger than the limit), and the same items
// always the same bytes. Judged by parsing the bodies back and by the generated validator.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JSON_MESSAGES } from '../../generated/index.ts';
import { buildDeliveries } from '../../runtime/jobs/channels/slash/body.ts';
import { deliveryForm } from '../../runtime/jobs/channels/slash/form.ts';
import { parseUnitKey, unitKey, unitOf } from '../../runtime/jobs/channels/slash/unit.ts';
import type { SlashItemRow } from '../../runtime/store/types.ts';

const form = deliveryForm('HST_Avtale', '1');
const validate = JSON_MESSAGES['hst-avtale@1']!.validators.validateMessage as (m: unknown) => boolean;

function item(unit: string, id: string, month: string, deleted = false): SlashItemRow {
  const json = deleted ? null : JSON.stringify({ avtaleId: id, datoTid: `${month}-15T10:00:00+01:00`, oppmoteStatus: 1 });
  return { unit, id, month, hash: 'h', json, changedAt: '2024-01-01T00:00:00Z' };
}

describe('SLASH bodies', () => {
  it("writes the unit object in the sample's order, deletions as slettAvtale with erSlettet", () => {
    const unit = unitKey('974770000', 301, '4U');
    const [d] = buildDeliveries(unit, [item(unit, 'A', '2024-05'), item(unit, 'B', '2024-05', true)], form, 2_000_000);
    expect(d!.body).toBe(
      '[{"orgNr":974770000,"kommuneNr":301,"bydelNr":"4U","slettAvtale":[{"avtaleId":"B","erSlettet":true}],"avtale":[{"avtaleId":"A","datoTid":"2024-05-15T10:00:00+01:00","oppmoteStatus":1}]}]',
    );
    expect(d).toMatchObject({ period: '2024-05', ids: ['A', 'B'], items: 1, deletes: 1, orgNr: '974770000' });
    expect(validate(JSON.parse(d!.body))).toBe(true);
  });

  it('property: every item once, in order, one period per body, within the limit', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('2017-01', '2017-02', '2019-12'), fc.boolean()), { maxLength: 60 }), fc.integer({ min: 256, max: 3000 }), (spec, limit) => {
        const unit = unitKey('974770000');
        const items = spec.map(([m, del], i) => item(unit, `I${String(i).padStart(3, '0')}`, m, del)).sort((a, b) => (a.month + a.id < b.month + b.id ? -1 : 1));
        const ds = buildDeliveries(unit, items, form, limit);
        expect(ds.flatMap((d) => d.ids)).toEqual(items.map((i) => i.id));
        for (const d of ds) {
          const body = JSON.parse(d.body) as Array<Record<string, unknown[]>>;
          const ids = [...(body[0]!.slettAvtale ?? []), ...(body[0]!.avtale ?? [])].map((x) => (x as { avtaleId: string }).avtaleId).sort();
          expect(ids).toEqual([...d.ids].sort());
          expect(new Set(d.ids.map((id) => items.find((i) => i.id === id)!.month))).toEqual(new Set([d.period]));
          if (d.ids.length > 1) expect(Buffer.byteLength(d.body)).toBeLessThanOrEqual(limit);
        }
        expect(ds.map((d) => d.period)).toEqual([...ds.map((d) => d.period)].sort());
        expect(buildDeliveries(unit, items, form, limit)).toEqual(ds); // the same bytes again
      }),
    );
  });

  it('reads the unit from the line: orgNr of 9 digits, kommuneNr a number; names what is missing', () => {
    const f = { orgNr: 'orgNr', kommuneNr: 'kommuneNr', bydelNr: 'bydelNr' };
    expect(unitOf({ orgNr: '974770000', kommuneNr: '0301' }, f)).toEqual({ key: '974770000|301|', orgNr: '974770000', kommuneNr: 301, bydelNr: undefined });
    expect(parseUnitKey('974770000|301|')).toEqual({ key: '974770000|301|', orgNr: '974770000', kommuneNr: 301, bydelNr: undefined });
    expect(unitOf({}, f)).toEqual({ problem: 'no reporting unit: the record has no `orgNr`' });
    expect(unitOf({ orgNr: '1234' }, f)).toEqual({ problem: '`orgNr` "1234" is not an organisation number of 9 digits' });
    expect(unitOf({ orgNr: '974770000', kommuneNr: 'Oslo' }, f)).toEqual({ problem: '`kommuneNr` "Oslo" is not a kommunenummer' });
  });

  it('refuses a message type whose lists are not public here', () => {
    expect(() => deliveryForm('HST_Konsultasjon', '1')).toThrow(/no delivery form is known for HST_Konsultasjon 1/);
  });
});
