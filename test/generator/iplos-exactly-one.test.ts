// IPLOS Notifikasjon holds exactly one event (the information model's {XOR Notifikasjon}, rule
// IPLOS-4.1): a Melding whose Notifikasjon has zero, one or two events, judged by the generated
// validator and by an independent JSON Schema implementation over schema.json. The official XSD
// makes each event 0..1 and takes all three; xmllint shows that, which is why docs/consequences.md
// names this as a place where the kit is stricter than the XSD.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@cfworker/json-schema';
import { describe, expect, it } from 'vitest';
import { validateMelding, validateNotifikasjon } from '../../generated/iplos/56.0.0/validator.js';
import { toXml } from '../../generated/iplos/56.0.0/xml.ts';
import { xmllint } from '../helpers/reference.ts';

const bruker = { pasientGUID: '3f2504e0-4f89-11d3-9a0c-0305e82c3301', brukerNr: 'B-17', fid: '170219', typeID: '9' };
const start = {
  tjenesteType: '21',
  hendelseRegTid: '2021-03-02T10:15:00',
  hendelseDato: '2021-03-01',
  tjenesteID: 'T-1',
  hendelseGUID: '9a1c7e52-0d4b-4c1e-8f0e-2b7d6c5a4e01',
  Bruker: bruker,
};
const slutt = {
  hendelseGUID: '9a1c7e52-0d4b-4c1e-8f0e-2b7d6c5a4e02',
  tjenesteType: '21',
  hendelseRegTid: '2021-04-02T10:15:00',
  hendelseDato: '2021-04-01',
  tjenesteID: 'T-1',
  Bruker: bruker,
};

function notifikasjon(events: Record<string, unknown>) {
  return {
    statusNotifikasjon: 'N',
    notifikasjonTid: '2021-03-02T10:15:00',
    notifikasjonGUID: 'c0a80101-0000-4000-8000-000000000001',
    notifikasjonForrigeGUID: '00000000-0000-0000-0000-000000000000',
    notifikasjonLopeNr: '1',
    ...events,
  };
}

function melding(events: Record<string, unknown>) {
  return {
    versjon: '56.0.0',
    meldingstype: 'K',
    leverandor: 'Test',
    navnEPJ: 'Test-EPJ',
    versjonEPJ: '1.0',
    versjonUt: '1.0',
    Notifikasjon: [notifikasjon(events)],
    Kontaktperson: [{ kontPerson: 'Kari Nordmann', meldEpost1: 'kari@example.invalid', typeKontaktperson: '1' }],
    Kommune: [{ kommuneNr: '0301' }],
  };
}

const CASES: [string, Record<string, unknown>, boolean][] = [
  ['no event', {}, false],
  ['one event (TjenesteStart)', { TjenesteStart: start }, true],
  ['one event (TjenesteSlutt)', { TjenesteSlutt: slutt }, true],
  ['two events (TjenesteStart and TjenesteSlutt)', { TjenesteStart: start, TjenesteSlutt: slutt }, false],
];

describe('IPLOS Notifikasjon: exactly one event', () => {
  const schema = JSON.parse(readFileSync('generated/iplos/56.0.0/schema.json', 'utf8'));
  const independent = new Validator(schema, '2020-12', false);

  it.each(CASES)('%s: the generated validator and @cfworker/json-schema agree', (_name, events, valid) => {
    const m = melding(events);
    expect(validateMelding(m), JSON.stringify(validateMelding.errors)).toBe(valid);
    expect(validateNotifikasjon(notifikasjon(events))).toBe(valid);
    expect(independent.validate(m).valid).toBe(valid);
    if (!valid) {
      // One error naming the choice, not five "required" besides it.
      expect(validateMelding.errors!.map((e) => [e.keyword, e.instancePath])).toEqual([['oneOf', '/Notifikasjon/0']]);
      const held = Object.keys(events).join(' and ') || 'none';
      expect(validateMelding.errors![0].message).toBe(
        `must hold exactly one of TjenesteStart, TjenesteSlutt, TjenesteutforerEndret, MidlertidigStoppFra, MidlertidigStoppTil (it holds ${held})`,
      );
    }
  });

  it('the official XSD takes zero, one and two events alike (the kit follows the published text)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpr-iplos-xor-'));
    for (const [name, events] of CASES) {
      const file = join(dir, `${name.replace(/\W+/g, '-')}.xml`);
      writeFileSync(file, toXml(melding(events) as never));
      expect(xmllint(file, 'iplos'), name).toBe('');
    }
  });
});
