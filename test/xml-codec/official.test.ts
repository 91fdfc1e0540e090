// HST and IPLOS 56.0.0: the emitted codec's XML is judged by an independent peer, xmllint
// against the official XSD, and read back to the same JSON form. A control document that breaks
// the XSD's sequence order proves the judge is really judging.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeOfficial, officialXsd } from '../helpers/reference.ts';
import { emitTree, importCodec, loadSpec, REPO, requireXmllint, typecheck, xmllint, type Codec } from './helpers.ts';
import { hstSamples, iplosSamples } from './samples.ts';

// The official packages are never copied into the repository (see test/helpers/reference.ts).
export const OFFICIAL = {
  hst: { yaml: join(REPO, 'spec/hst/56.0.0.yaml'), samples: hstSamples },
  iplos: { yaml: join(REPO, 'spec/iplos/56.0.0.yaml'), samples: iplosSamples },
};

for (const [message, o] of Object.entries(OFFICIAL)) {
  describeOfficial(`${message} 56.0.0 codec against the official XSD`, () => {
    const spec = loadSpec(join(REPO, 'spec'), o.yaml);
    let codec: Codec;
    let root: string;
    let xsd: string;
    const work = mkdtempSync(join(tmpdir(), `kpr-xml-${message}-`));
    beforeAll(async () => {
      requireXmllint();
      xsd = officialXsd(message as 'hst' | 'iplos');
      const t = await emitTree(spec);
      root = t.root;
      codec = await importCodec(t.dir);
    });
    afterAll(() => {
      rmSync(root, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    });

    it('type-checks against the emitted types', () => {
      expect(typecheck(root)).toBe('');
    });

    it('writes documents xmllint accepts, and reads them back unchanged', () => {
      const files: string[] = [];
      for (const [name, m] of o.samples()) {
        const xml = codec.toXml(m);
        const file = join(work, `${name.replace(/\W+/g, '-')}.xml`);
        writeFileSync(file, xml);
        files.push(file);
        expect(codec.fromXml(xml), name).toEqual(m);
      }
      expect(xmllint(xsd, files)).toBe('');
    });

    it('writes children in XSD order and attributes in spec order whatever the JSON key order', () => {
      const reversed = (v: any): any =>
        Array.isArray(v)
          ? v.map(reversed)
          : v && typeof v === 'object'
            ? Object.fromEntries(
                Object.entries(v)
                  .reverse()
                  .map(([k, x]) => [k, reversed(x)]),
              )
            : v;
      for (const [name, m] of o.samples()) {
        const r = reversed(m);
        expect(JSON.stringify(r), name).not.toBe(JSON.stringify(m));
        expect(codec.toXml(r), name).toBe(codec.toXml(m));
      }
    });

    it('names the JSON path of a value XML 1.0 cannot carry', () => {
      const [, m] = o.samples()[1];
      const leaf = message === 'hst' ? m.Notifikasjon[0].Konsultasjon[3].Barn_ungdom : m.Notifikasjon[3].TjenesteutforerEndret.Bruker;
      leaf.fid = '0101\u000190123';
      const path = message === 'hst' ? '/Notifikasjon/0/Konsultasjon/3/Barn_ungdom/fid' : '/Notifikasjon/3/TjenesteutforerEndret/Bruker/fid';
      expect(() => codec.toXml(m)).toThrow(`${path}: attribute fid contains U+0001 at offset 4, which XML 1.0 cannot carry`);
    });

    it('refuses a Melding without its required Kontaktperson rather than writing XML the XSD rejects', () => {
      const [, m] = o.samples()[0];
      m.Kontaktperson = [];
      expect(() => codec.toXml(m)).toThrow('/Kontaktperson: Kontaktperson must be an array of at least 1 item(s), got 0 item(s)');
      delete m.Kontaktperson;
      expect(() => codec.toXml(m)).toThrow('/Kontaktperson: required element Kontaktperson is missing');
    });

    it('the judge rejects a document with children out of XSD order', () => {
      const [, m] = o.samples()[0];
      const xml = codec.toXml(m);
      // Move the first Kontaktperson in front of the Notifikasjon elements.
      const kontakt = /<Kontaktperson [^>]*\/>/.exec(xml)![0];
      const swapped = xml.replace(kontakt, '').replace('<Notifikasjon ', `${kontakt}<Notifikasjon `);
      expect(swapped).not.toBe(xml);
      const file = join(work, 'out-of-order.xml');
      writeFileSync(file, swapped);
      expect(xmllint(xsd, [file])).toMatch(/Kontaktperson|Notifikasjon/);
      expect(() => codec.fromXml(swapped)).toThrow(/out of order/);
    });
  });
}
