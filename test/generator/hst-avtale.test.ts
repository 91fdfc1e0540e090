// HST_Avtale 1, the first JSON message type (FHI SLASH), transcribed from FHI's one public
// sample: golden files for everything it generates, FHI's sample accepted by the generated schema
// (judged by @cfworker/json-schema, not Ajv) and by the generated standalone validator, mutants of
// it refused by both, and the warnings a vendor must not miss.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Validator } from '@cfworker/json-schema';
import { afterAll, describe, expect, it } from 'vitest';
import { buildArtefacts } from '../../generator/build.ts';
import { expectGolden } from '../helpers/golden.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { fhiSlashSample, itFhiSlash } from '../helpers/reference.ts';

const goldenDir = join(REPO_ROOT, 'test/generator/golden/hst-avtale');

// Built from a root named spec/ holding only this file, so the banners match generated/.
const tmp = mkdtempSync(join(tmpdir(), 'kpr-avtale-'));
mkdirSync(join(tmp, 'spec/hst-avtale'), { recursive: true });
copyFileSync(join(REPO_ROOT, 'spec/hst-avtale/1.yaml'), join(tmp, 'spec/hst-avtale/1.yaml'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };

describe('hst-avtale@1 (JSON message type)', async () => {
  const built = await buildArtefacts(join(tmp, 'spec'));
  const files = [...built.files].filter(([p]) => p.startsWith('hst-avtale/'));
  const schema = JSON.parse(built.files.get('hst-avtale/1/schema.json')!);
  const judge = new Validator(schema, '2020-12', false);
  // FHI's sample lives beside the repository; the tests that read it skip without it (outside CI).
  const sample = () => JSON.parse(readFileSync(fhiSlashSample(), 'utf8'));
  const validators = await import(pathToFileURL(join(REPO_ROOT, 'generated/hst-avtale/1/validator.js')).href);
  const validateMessage = validators.validateMessage as Validate;

  it('loads clean and generates no XML codec', () => {
    expect(built.diagnostics).toEqual([]);
    expect(files.map(([p]) => p).sort()).toEqual([
      'hst-avtale/1/README.md',
      'hst-avtale/1/mapping-template.yaml',
      'hst-avtale/1/schema.json',
      'hst-avtale/1/types.ts',
      'hst-avtale/1/validator.d.ts',
      'hst-avtale/1/validator.js',
      'hst-avtale/CHANGELOG.md',
    ]);
  });

  it('matches the golden files, and generated/ holds the same bytes', () => {
    for (const [path, content] of files) {
      expectGolden(join(goldenDir, `${path.slice('hst-avtale/'.length)}.golden`), content);
      expect(readFileSync(join(REPO_ROOT, 'generated', path), 'utf8'), path).toBe(content);
    }
  });

  itFhiSlash("accepts FHI's public sample, by the independent judge and by the generated validator", () => {
    expect(judge.validate(sample()).errors).toEqual([]);
    expect(validateMessage(sample()), JSON.stringify(validateMessage.errors)).toBe(true);
  });

  // Each returns the mutated body; all are refused by both.
  const mutants: [string, (m: any) => unknown][] = [
    ['orgNr missing (the receiver says it is required)', (m) => (delete m[0].orgNr, m)],
    ['fodselsNr sent as text', (m) => ((m[0].avtale[0].person.fodselsNr = '28387638365'), m)],
    ['a member the sample does not have', (m) => ((m[0].avtale[0].ukjent = 1), m)],
    ['datoTid without an offset', (m) => ((m[0].avtale[0].datoTid = '2024-05-10T17:08:31'), m)],
    ['erSlettet as a string', (m) => ((m[0].slettAvtale[0].erSlettet = 'false'), m)],
    ['oppmoteStatus as a fraction', (m) => ((m[0].avtale[0].oppmoteStatus = 1.5), m)],
    ['avtale as one object, not a list', (m) => ((m[0].avtale = m[0].avtale[0]), m)],
    ['the body as one object, not an array', (m) => m[0]],
  ];
  itFhiSlash.each(mutants)('refuses a mutant of the sample: %s', (_name, mutate) => {
    const m = mutate(sample());
    expect(judge.validate(m).valid).toBe(false);
    expect(validateMessage(m)).toBe(false);
  });

  itFhiSlash('refuses a day that does not exist (the pattern alone cannot), and takes a leap day', () => {
    const at = (datoTid: string) => {
      const m = sample() as any;
      m[0].avtale[0].datoTid = datoTid;
      return m;
    };
    expect(validateMessage(at('2023-02-29T10:00:00+01:00'))).toBe(false);
    expect(validateMessage.errors).toEqual([expect.objectContaining({ instancePath: '/0/avtale/0/datoTid', keyword: 'date' })]);
    expect(validateMessage(at('2024-04-31T10:00:00+02:00'))).toBe(false);
    expect(validateMessage(at('2024-02-29T10:00:00+01:00')), JSON.stringify(validateMessage.errors)).toBe(true);
    // No year range for SLASH: FHI has published none (the 2021 specs' 1900-2999 is theirs only).
    expect(validateMessage(at('1850-03-01T10:00:00+01:00')), JSON.stringify(validateMessage.errors)).toBe(true);
  });

  it('marks every member inferred, in the schema, the types and the field reference', () => {
    const defs = Object.values(schema.$defs) as { properties: Record<string, { 'x-kpr-provenance'?: { status: string }; $ref?: string; type?: string }> }[];
    const scalars = defs.flatMap((d) => Object.values(d.properties)).filter((p) => !p.$ref && p.type !== 'array');
    expect(scalars.length).toBe(17);
    for (const p of scalars) expect(p['x-kpr-provenance']?.status).toBe('inferred');
    expect(built.files.get('hst-avtale/1/README.md')).toContain('| Members | 0 published, 22 inferred |');
    expect(built.files.get('hst-avtale/1/types.ts')).toContain('Inferred from sample, not published. A JSON number in the sample: a fødselsnummer');
  });

  it('warns in the field reference that fodselsNr, dNr and dufNr lose leading zeros as JSON numbers', () => {
    const md = built.files.get('hst-avtale/1/README.md')!;
    for (const [name, digits] of [
      ['fodselsNr', 11],
      ['dNr', 11],
      ['dufNr', 12],
    ] as const) {
      const section = md.slice(md.indexOf(`### $[*].avtale[*].person.${name} `));
      const own = section.slice(0, section.indexOf('<a id=', 1) === -1 ? undefined : section.indexOf('<a id=', 1));
      expect(own, name).toContain('**Warning: leading zeros are lost.**');
      expect(own, name).toContain(`left-padded with zeros to ${digits} digits`);
    }
    expect(md).toContain('`person.fodselsNr`, `person.dNr`, `person.dufNr` lose theirs');
  });

  it('is known to the registry by id and by type@version', async () => {
    const reg = await import(pathToFileURL(join(REPO_ROOT, 'generated/index.ts')).href);
    expect(reg.getJsonMessage('hst-avtale@1').messageType).toBe('HST_Avtale');
    expect(reg.getJsonMessage('HST_Avtale@1').id).toBe('hst-avtale@1');
    expect(reg.getJsonMessage('hst-avtale@1').inferredMembers).toBe(22);
    expect(() => reg.getJsonMessage('HST_Konsultasjon@1')).toThrow(/unknown JSON message type HST_Konsultasjon@1; known: hst-avtale@1/);
    expect(reg.MESSAGES['hst-avtale@1']).toBeUndefined();
    expect(() => reg.getMessage('hst-avtale@1')).toThrow(/hst-avtale@1 is a JSON message type, sent as JSON: use getJsonMessage\("hst-avtale@1"\)/);
  });
});
