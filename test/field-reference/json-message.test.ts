// The field reference of a JSON message type: JSONPath paths, provenance on every object and
// member, null and presence beside cardinality, bounds and enums, the leading-zero warning on
// numeric identifiers. The fixture is an example type written for the tests.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { emitFieldReference } from '../../generator/emit/field-reference.ts';
import { loadSpecRoot } from '../../generator/load/index.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

describe('emitFieldReference on a JSON message type', () => {
  const r = loadSpecRoot(here('../fixtures/json-mini/spec'));
  const spec = r.value![0];
  const md = emitFieldReference(spec, 'test/fixtures/json-mini/spec/ekko/1.yaml');

  it('loads clean', () => {
    expect(r.diagnostics).toEqual([]);
  });

  it('names members by JSONPath and counts their provenance', () => {
    expect(md).toContain('| Message type (msg_type) | `EKKO_Test` |');
    expect(md).toContain('| Members | 7 published, 4 inferred |');
    expect(md).toContain('### $[*].hendelse[*].andel (Andel)');
    expect(md).toContain('**Inferred** from `eksempel`, not published: A fraction in the sample.');
    expect(md).toContain('**Published** in `skjema`.');
  });

  it('shows null, bounds, enums and the digits of a numeric identifier', () => {
    expect(md).toContain('| [merknad](#class-merknad) | Merknad | 0..1 (may be null) |');
    expect(md).toContain('| [`navn`](#class-enhet-navn) | Navn | string | optional | 0..1 | max 40 chars; may be null |  |');
    expect(md).toContain('number, optional, 0..1; ≥ 0; &lt; 1'); // < escaped, as all spec text in Markdown
    expect(md).toContain('one of 1, 2, 3');
    expect(md).toContain('(e.g. `012345678` is sent as `12345678`)');
  });
});
