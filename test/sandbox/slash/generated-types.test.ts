// The generated JSON message types as the SLASH stand-in's validators: FHI's sample passes, a
// mutant fails at its JSON path, a type without a generated spec keeps the structural check, and
// one generated without a body validator is known but has no schema (2006).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { JSON_MESSAGES } from '../../../generated/index.ts';
import { generatedMessageTypes } from '../../../runtime/sandbox/slash/index.ts';
import { fhiSlashSample, itFhiSlash } from '../../helpers/reference.ts';

// FHI's sample lives beside the repository: the test that reads it skips without it (outside CI).
const loadSample = () => JSON.parse(readFileSync(fhiSlashSample(), 'utf8'));

describe('generatedMessageTypes', () => {
  const types = generatedMessageTypes(JSON_MESSAGES);

  itFhiSlash('judges HST_Avtale 1 by the generated validator', () => {
    const sample = loadSample();
    const validate = types['HST_Avtale|1']!;
    expect(validate(sample)).toEqual([]);
    const { orgNr: _o, ...withoutOrg } = sample[0];
    expect(validate([withoutOrg])).toEqual([{ location: '/0', message: "must have required property 'orgNr'" }]);
    expect(validate([{ ...sample[0], orgNr: '481831253' }]).map((e) => e.location)).toContain('/0/orgNr');
  });

  it('keeps the structural check for HST_Konsultasjon 1, whose fields are not public', () => {
    expect(types['HST_Konsultasjon|1']!([{ orgNr: 1, anything: true }])).toEqual([]);
    expect(types['HST_Konsultasjon|1']!({})).toHaveLength(1);
  });

  it('a generated type without validateMessage is known without a schema', () => {
    expect(generatedMessageTypes({ x: { messageType: 'HST_Test', version: '9', validators: {} } })['HST_Test|9']).toBeNull();
  });
});
