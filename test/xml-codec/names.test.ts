// The emitter with names that are not TypeScript identifiers (XML names may hold - and .) and
// a namespace URI with characters XML and JavaScript both treat specially: the codec must
// still compile, and write and read the same document.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageSpec } from '../../generator/model/types.ts';
import { emitTree, importCodec, loadSpec, REPO, typecheck, type Codec } from './helpers.ts';

const SPEC_DIR = join(REPO, 'test/fixtures/mini/spec');
const NS = 'urn:x?a=1&b="2"<\'3\'>`${x}`\\';

function awkwardSpec(): MessageSpec {
  const spec = structuredClone(loadSpec(SPEC_DIR, join(SPEC_DIR, 'mini/1.0.0.yaml')));
  spec.namespace = NS;
  const rename = (from: string, to: string): void => {
    for (const c of spec.classes) {
      if (c.name === from) c.name = to;
      for (const ch of c.children) if (ch.class === from) ch.class = to;
    }
  };
  rename('Konsultasjon', 'Kons-ultasjon.v2');
  rename('Barn', 'w_Barn');
  const k = spec.classes.find((c) => c.name === 'Kons-ultasjon.v2')!;
  k.attributes.find((a) => a.name === 'konsultasjonID')!.name = 'konsultasjon-ID';
  return spec;
}

describe('codec for names that are not identifiers', () => {
  let codec: Codec;
  let root: string;
  beforeAll(async () => {
    const t = await emitTree(awkwardSpec());
    root = t.root;
    codec = await importCodec(t.dir);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('type-checks', () => {
    expect(typecheck(root)).toBe('');
  });

  it('writes the names as they are and reads them back', () => {
    const m = {
      versjon: '1.0.0',
      lopenr: 1,
      uttakDato: '2026-03-01',
      'Kons-ultasjon.v2': [{ 'konsultasjon-ID': 'K1', datoTidStart: '2026-02-01T10:00:00', w_Barn: { typeID: '1', fodselsar: 2025 } }],
    };
    const xml = codec.toXml(m);
    expect(xml).toContain('<Kons-ultasjon.v2 konsultasjon-ID="K1" datoTidStart="2026-02-01T10:00:00"><w_Barn typeID="1" fodselsar="2025"/></Kons-ultasjon.v2>');
    expect(xml).toContain(`xmlns="urn:x?a=1&amp;b=&quot;2&quot;&lt;'3'>\`\${x}\`\\"`);
    expect(codec.NAMESPACE).toBe(NS);
    expect(codec.fromXml(xml)).toEqual(m);
    expect(codec.ELEMENT_ORDER.Melding).toEqual(['Kons-ultasjon.v2']);
  });
});
