// Proves that spec/hst/56.0.0.yaml, spec/iplos/56.0.0.yaml and spec/codelists/*.yaml say what
// the official packages say, read independently of the importer (see official.ts): structure,
// types, use (with the usage table's I/O), fixed values, code lists, unique/keyref, namespace,
// schema version, labels, primary keys and the quality controls with their consequences.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeOfficial, itOfficial, referenceDir } from '../helpers/reference.ts';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { readAnnotations, readCodingSchemes, readNprTypes, readSchema, readUsageRows, REPO_ROOT, type OfficialAnnotation } from './official.ts';

const CONSEQUENCE: Record<string, string> = {
  'Slettemerk melding': 'discard-message',
  'Slettemerk rad med underelementer': 'discard-row',
  'Sett verdi til NULL': 'set-null',
  'Sett verdi til -1': 'set-minus-one',
  'Sett verdi til 0': 'set-zero',
  'Ingen handling': 'none',
};

// One row per published package: add next year's here (see docs/spec-import.md).
const MESSAGES = [
  { message: 'hst', version: '56.0.0', folder: 'hst-56.0.0', module: 'hst' },
  { message: 'iplos', version: '56.0.0', folder: 'iplos-56.0.0', module: 'ipl' },
];

type Any = any;

function loadYaml(path: string): Any {
  return parseYaml(readFileSync(path, 'utf8'));
}

function cardinality(min: string, max: string): string {
  const m = max === 'unbounded' ? '*' : max;
  return min === m ? min : `${min}..${m}`;
}

/** The controls the Annotations switch on, in the YAML's shape. */
function expectedControls(a: OfficialAnnotation): Record<string, unknown> {
  const v = a.values;
  const consequence = (key: string) => {
    const name = a.handlings[key];
    if (!name || !(name in CONSEQUENCE)) throw new Error(`${v.classShortName}/@${v.attributeShortName}: ${key}=${v[key]} has no known "Handling:" name (${name})`);
    return CONSEQUENCE[name];
  };
  const xp = (s: string) => s.replace(/^xPath:/, '').trim() || undefined;
  const out: Record<string, unknown> = {};
  if (v.merketForTypesjekk === '1') {
    const d: Record<string, unknown> = { check: v.datatypeNavn.trim() };
    if (v.regex && v.regex !== 'NULL') d.regex = v.regex;
    d.consequence = consequence('handlingTypeID');
    out.datatype = d;
  }
  if (v.merketForObligat === '1') out.required = consequence('handlingObligatID');
  if (v.merketForKodeverk === '1') {
    out.code = Object.fromEntries(Object.entries({ validOn: xp(v.validationDate), consequence: consequence('handlingKodeverkID') }).filter(([, x]) => x !== undefined));
  }
  if (v.merketForRangeCheck === '1') {
    out.range = Object.fromEntries(
      Object.entries({ from: xp(v.valueRangeFrom), to: xp(v.valueRangeTo), consequence: consequence('handlingRangeCheckID') }).filter(([, x]) => x !== undefined),
    );
  }
  return out;
}

describeOfficial.each(MESSAGES)('$message $version agrees with the official package', ({ message, version, folder, module }) => {
  let dir: string;
  let spec: Any;
  let schema: ReturnType<typeof readSchema>;
  let schemes: ReturnType<typeof readCodingSchemes>;
  let annotations: ReturnType<typeof readAnnotations>;
  let nprTypes: ReturnType<typeof readNprTypes>;

  beforeAll(() => {
    dir = join(referenceDir(), folder);
    spec = loadYaml(join(REPO_ROOT, 'spec', message, `${version}.yaml`));
    schema = readSchema(join(dir, `XPR(${module}).xsd`));
    schemes = readCodingSchemes(join(dir, `XPR(${module})_CodingSchemes.xsd`));
    annotations = readAnnotations(join(dir, `XPR(${module})_Annotations.xsd`));
    nprTypes = readNprTypes(join(dir, 'NPR.xsd'));
  });

  it('has the namespace, schema version, message version and root of the XSD', () => {
    expect(spec.namespace).toBe(schema.targetNamespace);
    expect(spec.schemaVersion).toBe(schema.version);
    const melding = schema.classes.find((c) => c.name === 'Melding')!;
    expect(spec.version).toBe(melding.attributes.find((a) => a.name === 'versjon')!.fixed);
    const referenced = new Set(schema.classes.flatMap((c) => c.children.map((ch) => ch.name)));
    expect([spec.root]).toEqual(schema.classes.filter((c) => !referenced.has(c.name)).map((c) => c.name));
  });

  it('has the title page of the Word document', () => {
    const text = readFileSync(join(dir, `XPR(${module}).docx.txt`), 'utf8');
    const line = (label: string) => new RegExp(`^${label}:[ \\t]*(.*?)\\s*$`, 'm').exec(text)?.[1];
    const iso = (d: string | undefined) => d?.replace(/^(\d{2})\.(\d{2})\.(\d{4})$/, '$3-$2-$1');
    expect(spec.title).toBe(line('Publikasjonens tittel'));
    expect(spec.standard).toBe(line('Teknisk standard nr\\.'));
    expect(spec.status).toBe(line('Status'));
    expect(spec.published).toBe(iso(line('Utgitt dato')));
    const from = /Gjelder fra og med (\d{2}\.\d{2}\.\d{4})/.exec(line('Frist') ?? '');
    // A Frist that is no date ("Besluttes senere") leaves validFrom at the published date, said in the description.
    if (from) expect(spec.validFrom).toBe(iso(from[1]));
    else expect(spec.description).toContain(line('Frist'));
  });

  it('has every element in XSD order, with its children in sequence order and cardinality', () => {
    expect(Object.keys(spec.classes)).toEqual(schema.classes.map((c) => c.name));
    for (const c of schema.classes) {
      const children = (spec.classes[c.name].children ?? []).map((e: Record<string, string>) => Object.entries(e)[0]);
      expect(children, c.name).toEqual(c.children.map((ch) => [ch.name, cardinality(ch.min, ch.max)]));
    }
  });

  it('has the unique and keyref constraints of the XSD', () => {
    for (const c of schema.classes) {
      const y = spec.classes[c.name];
      expect(y.unique ?? {}, c.name).toEqual(Object.fromEntries(c.unique.map((u) => [u.name, { selector: u.selector, fields: u.fields }])));
      expect(y.keyrefs ?? {}, c.name).toEqual(Object.fromEntries(c.keyrefs.map((k) => [k.name, { refer: k.refer, selector: k.selector, fields: k.fields }])));
    }
  });

  it('has every attribute in XSD order with its type, fixed value and code list', () => {
    const nprNs = schema.prefixes.nprx;
    for (const c of schema.classes) {
      const attrs = spec.classes[c.name].attributes ?? {};
      expect(Object.keys(attrs), c.name).toEqual(c.attributes.map((a) => a.name));
      for (const a of c.attributes) {
        const y = attrs[a.name];
        const where = `${c.name}/@${a.name}`;
        const [prefix, local] = a.type.includes(':') ? a.type.split(':') : ['', a.type];
        if (prefix === '') {
          expect(y.type, where).toBe(local); // string, date, dateTime, integer, nonNegativeInteger
        } else if (prefix === 'npr') {
          expect(y.type, where).toBe('coded');
          expect(y.codelist, where).toBe(schemes.get(local)?.number);
        } else {
          expect(schema.prefixes[prefix], where).toBe(nprNs);
          if (local === 'guid') expect(y.type, where).toBe('guid');
          else {
            const facets = nprTypes.get(local)!;
            expect(y.type, where).toBe('string');
            expect(y.minLength, where).toBe(facets.minLength === undefined ? undefined : Number(facets.minLength));
            expect(y.maxLength, where).toBe(facets.maxLength === undefined ? undefined : Number(facets.maxLength));
          }
        }
        expect(y.fixed, where).toBe(a.fixed);
      }
    }
  });

  it('has every fixed value of the XSD in the generated schema, and no other: the validator refuses anything else', () => {
    const json = JSON.parse(readFileSync(join(REPO_ROOT, 'generated', message, version, 'schema.json'), 'utf8'));
    let fixedSeen = 0;
    for (const c of schema.classes) {
      for (const a of c.attributes) {
        const p = json.$defs[c.name].properties[a.name];
        const where = `${c.name}/@${a.name}`;
        if (a.fixed === undefined) {
          expect(p?.const, where).toBeUndefined();
          continue;
        }
        fixedSeen++;
        expect(String(p.const), where).toBe(a.fixed);
        // Whatever else the attribute's type or code list allows is refused.
        const others = [...(p.enum ?? []), 'X', '0'].filter((v: unknown) => String(v) !== a.fixed);
        const ajv = new Ajv2020({ strict: false });
        const validate = ajv.compile({ ...p, $schema: undefined });
        for (const v of others) expect(validate(v), `${where} = ${v}`).toBe(false);
        expect(validate(p.const), where).toBe(true);
      }
    }
    expect(fixedSeen).toBeGreaterThan(0);
  });

  it('has the use of the XSD combined with the usage table (I = ignored, O = obligatory)', () => {
    for (const c of schema.classes) {
      for (const a of c.attributes) {
        const where = `${c.name}/@${a.name}`;
        const letter = annotations.get(`${c.name}/${a.name}`)!.values.moduleConstraint ?? '';
        const want = letter === 'I' && a.use === 'prohibited' ? 'ignored' : letter === 'O' && a.use === 'required' ? 'obligatory' : a.use;
        expect(spec.classes[c.name].attributes[a.name].use, where).toBe(want);
      }
    }
    // The usage table itself: every I and O row names an attribute with that use.
    // Published as XPR(x)_C.docx.txt or XPR(x)_C_.docx.txt.
    const usage = readdirSync(dir).find((f) => f.startsWith(`XPR(${module})_C`) && f.endsWith('.docx.txt'))!;
    const rows = readUsageRows(join(dir, usage));
    const all = Object.values(spec.classes).flatMap((k: Any) => Object.values(k.attributes ?? {}).map((a: Any) => ({ cls: k.label, ...a })));
    for (const [cls, label, , letter] of rows) {
      if (letter !== 'I' && letter !== 'O') continue;
      const want = letter === 'I' ? 'ignored' : 'obligatory';
      const hits = all.filter((a) => a.label === label.trim() && (a.cls === cls || !Object.values(spec.classes).some((k: Any) => k.label === cls)));
      expect(
        hits.map((h) => h.use),
        `${cls} / ${label} (${letter})`,
      ).toContain(want);
    }
    const count = (l: string) => rows.filter((r) => r[3] === l).length;
    expect(all.filter((a) => a.use === 'ignored').length).toBe(count('I'));
    expect(all.filter((a) => a.use === 'obligatory').length).toBe(count('O'));
  });

  it('has the labels, primary keys and quality controls of the Annotations', () => {
    for (const c of schema.classes) {
      const y = spec.classes[c.name];
      const anns = c.attributes.map((a) => annotations.get(`${c.name}/${a.name}`)!);
      expect(y.label, c.name).toBe(anns[0].values.className);
      expect(y.primaryKey ?? [], c.name).toEqual(anns.filter((a) => a.values.primaryKey === 'True').map((a) => a.values.attributeShortName));
      for (const [i, a] of c.attributes.entries()) {
        const where = `${c.name}/@${a.name}`;
        const ya = y.attributes[a.name];
        expect(ya.label, where).toBe(anns[i].values.attributeName.trim());
        expect(ya.controls ?? {}, where).toEqual(expectedControls(anns[i]));
        // A maxLength read from the receiver's check must be the check's number.
        const max = /max (\d+) tegn$/.exec(anns[i].values.datatypeNavn ?? '');
        if (ya.maxLength !== undefined && !a.type.startsWith('nprx:')) expect(ya.maxLength, where).toBe(Number(max?.[1]));
      }
    }
  });

  it('has the texts of the Annotations and the class descriptions of the XSD', () => {
    // Quotation marks: the Annotations write them as "SpesTegn"; whitespace is not content.
    const norm = (x: string | string[] | undefined) =>
      (Array.isArray(x) ? x.join(' ') : (x ?? ''))
        .replace(/SpesTegn|["'“”‘’«»]/g, '"')
        .replace(/\s+/g, ' ')
        .trim();
    const fields: [string, string][] = [
      ['description', 'attributeDoc'],
      ['usage', 'attributeUse'],
      ['comment', 'attributeComment'],
      ['examples', 'example'],
      ['origin', 'origin'],
    ];
    for (const c of schema.classes) {
      const y = spec.classes[c.name];
      for (const a of c.attributes) {
        const v = annotations.get(`${c.name}/${a.name}`)!.values;
        for (const [yk, ak] of fields) expect(norm(y.attributes[a.name][yk]), `${c.name}/@${a.name} ${yk}`).toBe(norm(v[ak]));
      }
      // The IPLOS XSD carries "ï¿½" where a letter was lost; it stands for any one character.
      if (c.documentation) {
        const pattern = c.documentation
          .trim()
          .split(/\s+/)
          .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ï¿½/g, '.'))
          .join('\\s+');
        expect(y.description ?? '', `${c.name} description`).toMatch(new RegExp(`^${pattern}$`));
      }
    }
  });

  it('publishes for each coded attribute exactly the codes and texts of its coding scheme', () => {
    for (const c of schema.classes) {
      for (const a of c.attributes) {
        if (!a.type.startsWith('npr:')) continue;
        const where = `${c.name}/@${a.name}`;
        const official = schemes.get(a.type.slice(4))!;
        const y = spec.classes[c.name].attributes[a.name];
        const local = spec.codelists?.[official.number];
        const file = join(REPO_ROOT, 'spec/codelists', `${official.number}.yaml`);
        expect(existsSync(file), `${file} exists`).toBe(true);
        const shared = loadYaml(file);
        expect(shared.number).toBe(official.number);
        expect(shared.oid).toBe(`2.16.578.1.12.4.1.1.${official.number}`);
        const list = local ?? shared;
        expect(list.name, where).toBe(official.name);
        let codes: Any[] = list.codes;
        if (y.codes) codes = codes.filter((k) => y.codes.includes(k.code));
        const norm = (k: { code: string; text: string; comment?: string }) => [k.code, k.text.trim(), (k.comment ?? '').trim()];
        const sort = (xs: string[][]) => [...xs].sort((p, q) => p[0].localeCompare(q[0]));
        expect(sort(codes.map(norm)), where).toEqual(sort(official.codes.map(norm)));
        for (const code of y.accept ?? [])
          expect(
            official.codes.map((k) => k.code),
            `${where} accept ${code}`,
          ).toContain(code);
      }
    }
  });
});

describe('the spec files follow the format', () => {
  it('validate against spec/spec.schema.json and spec/codelist.schema.json', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const specSchema = ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, 'spec/spec.schema.json'), 'utf8')));
    const listSchema = ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, 'spec/codelist.schema.json'), 'utf8')));
    for (const { message, version } of MESSAGES) {
      const file = `spec/${message}/${version}.yaml`;
      expect(specSchema(loadYaml(join(REPO_ROOT, file))) ? [] : specSchema.errors, file).toEqual([]);
    }
    for (const f of readdirSync(join(REPO_ROOT, 'spec/codelists'))) {
      expect(listSchema(loadYaml(join(REPO_ROOT, 'spec/codelists', f))) ? [] : listSchema.errors, f).toEqual([]);
    }
  });
});

describe('the chapter on identities (IPLOS)', () => {
  itOfficial('accepts every type of list 9032 for Bruker/@typeID: "Andre typer personidentifikasjon … blir ikke stoppet i skjemavalidering"', () => {
    const text = readFileSync(join(referenceDir(), 'iplos-56.0.0', 'XPR(ipl).docx.txt'), 'utf8');
    expect(text).toContain('Andre typer personidentifikasjon, som f.eks. fødselsdato, blir ikke stoppet i skjemavalidering');
    const spec = loadYaml(join(REPO_ROOT, 'spec/iplos/56.0.0.yaml'));
    expect(spec.classes.Bruker.attributes.typeID.accept).toBeUndefined();
    const json = JSON.parse(readFileSync(join(REPO_ROOT, 'generated/iplos/56.0.0/schema.json'), 'utf8'));
    expect(json.$defs.Bruker.properties.typeID.enum).toEqual(expect.arrayContaining(['1', '2', '9', '10']));
  });
});

describe('usage notes that narrow a code list', () => {
  itOfficial('HST Barn_ungdom/@typeID accepts only the first three codes and code 9', () => {
    referenceDir();
    const spec = loadYaml(join(REPO_ROOT, 'spec/hst/56.0.0.yaml'));
    expect(spec.classes.Barn_ungdom.attributes.typeID.accept).toEqual(['1', '2', '3', '9']);
    expect(spec.classes.Barn_ungdom.attributes.typeID.comment).toMatch(/^Kun de tre første kodene og kode 9 er gyldige/);
  });
});
