// The golden cases' source: one base message and, per change kind, the edit that produces it.
// make-cases.ts writes them out as files; property.test.ts combines random edits.
import { stringify } from 'yaml';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- plain YAML data
export type S = any;
/** The tiny message every case starts from (a realistic HST-like skeleton with inline code lists). */
export const base = (): S => ({
  message: 'mini',
  version: '1.0.0',
  schemaVersion: '1.0.0.1',
  standard: 'TEST 0001:2026',
  title: 'Liten testmelding',
  status: 'Test',
  published: '2026-01-15',
  validFrom: '2026-02-01',
  namespace: 'http://example.invalid/mini/1_0_0',
  root: 'Melding',
  classes: {
    Melding: {
      label: 'Melding',
      description: 'Rotelementet.',
      children: [{ Konsultasjon: '0..*' }, { Kontakt: '1' }],
      unique: { KonsultasjonP_ID: { selector: 'Konsultasjon', fields: ['konsultasjonID'] } },
      attributes: {
        versjon: { label: 'Versjon', type: 'string', use: 'required', fixed: '1.0.0' },
        kilde: { label: 'Kilde', type: 'string', use: 'required', fixed: 'EPJ' },
        fraDato: { label: 'Fra dato', type: 'date', use: 'required' },
        uttakDato: { label: 'Uttaksdato', type: 'date', use: 'required' },
      },
    },
    Kontakt: { label: 'Kontaktperson', attributes: { navn: { label: 'Navn', type: 'string', use: 'required', maxLength: 50 } } },
    Konsultasjon: {
      label: 'Konsultasjon',
      primaryKey: ['konsultasjonID'],
      children: [{ Barn: '1' }, { Maling: '0..*' }],
      attributes: {
        konsultasjonID: { label: 'EpisodeID', type: 'string', use: 'required', minLength: 1, maxLength: 20 },
        datoTidStart: {
          label: 'Dato og klokkeslett',
          type: 'dateTime',
          use: 'required',
          description: 'Start av konsultasjonen.',
          controls: { required: 'discard-row', datatype: { check: 'Dato og Tid', consequence: 'none' }, range: { to: '/Melding/@uttakDato', consequence: 'discard-row' } },
        },
        amming: { label: 'Amming', type: 'coded', codelist: '8524', use: 'optional', controls: { code: { validOn: './@datoTidStart', consequence: 'set-null' } } },
        merknad: { label: 'Merknad', type: 'string', use: 'optional', pattern: '^[A-Z]+$' },
        gammel: { label: 'Gammel', type: 'string', use: 'ignored' },
      },
    },
    Barn: { label: 'Barn/ungdom', attributes: { typeID: { label: 'Type ID', type: 'coded', codelist: '9032', use: 'required', accept: ['1', '9'] } } },
    Maling: { label: 'Måling', attributes: { verdi: { label: 'Verdi', type: 'string', use: 'required' } } },
    // Last, so that the lines of the classes above (the sites of most goldens) stay where they were.
    Resultat: {
      label: 'Resultat',
      exactlyOne: ['Tall', 'Tekst'],
      children: [{ Tall: '0..1' }, { Tekst: '0..1' }, { Merknad: '0..1' }],
    },
    Tall: { label: 'Tall', attributes: { tall: { label: 'Tall', type: 'integer', use: 'required' } } },
    Tekst: { label: 'Tekst', attributes: { tekst: { label: 'Tekst', type: 'string', use: 'required' } } },
    Merknad: { label: 'Merknad', attributes: { tekst: { label: 'Tekst', type: 'string', use: 'required' } } },
  },
  codelists: {
    '8524': {
      name: 'Status amming mor',
      oid: '2.16.578.1.12.4.1.1.8524',
      codes: [
        { code: '1', text: 'Fullamming' },
        { code: '2', text: 'Delvis amming', validFrom: '2020-01-01' },
        { code: '3', text: 'Ikke amming' },
      ],
    },
    '9032': {
      name: 'Type personidentifikasjon',
      oid: '2.16.578.1.12.4.1.1.9032',
      codes: [
        { code: '1', text: 'Norsk fødselsnummer' },
        { code: '2', text: 'D-nummer' },
        { code: '9', text: 'Annet' },
      ],
    },
  },
  rules: [{ id: 'MINI-2.1', chapter: '2. Om melding', title: 'Én enhet', text: 'En melding skal inneholde data fra kun én enhet.', notEnforced: 'A test rule.' }],
});

const C = (s: S) => s.classes;
const A = (s: S, c: string) => s.classes[c].attributes;
/** [kind, the edit that produces it, the inverse kind a swapped case shows]. */
export const MUTATIONS: [string, (s: S) => void, string?][] = [
  [
    'namespace-changed',
    (s) => {
      s.namespace = 'http://example.invalid/mini/other';
    },
  ],
  [
    'root-changed',
    (s) => {
      s.root = 'Konsultasjon';
    },
  ],
  [
    'message-version-changed',
    (s) => {
      s.version = '1.1.0';
      s.schemaVersion = '1.1.0.1';
      A(s, 'Melding').versjon.fixed = '1.1.0';
    },
  ],
  [
    'validity-changed',
    (s) => {
      s.validFrom = '2026-03-01';
    },
  ],
  [
    'metadata-changed',
    (s) => {
      s.title = 'Liten testmelding, utvidet';
    },
  ],
  [
    'class-added',
    (s) => {
      C(s).Svangerskap = { label: 'Svangerskapskonsultasjon', attributes: { uke: { label: 'Svangerskapsuke', type: 'integer', use: 'required' } } };
      C(s).Konsultasjon.children.push({ Svangerskap: '0..1' });
    },
    'class-removed',
  ],
  [
    'child-added',
    (s) => {
      C(s).Barn.children = [{ Maling: '0..*' }];
    },
    'child-removed',
  ],
  [
    'required-child-added',
    (s) => {
      C(s).Barn.children = [{ Maling: '1..*' }];
    },
    'required-child-removed',
  ],
  [
    'child-min-raised',
    (s) => {
      C(s).Konsultasjon.children[1] = { Maling: '1..*' };
    },
    'child-min-lowered',
  ],
  [
    'child-max-lowered',
    (s) => {
      C(s).Konsultasjon.children[1] = { Maling: '0..5' };
    },
    'child-max-raised',
  ],
  [
    'child-order-changed',
    (s) => {
      C(s).Konsultasjon.children.reverse();
    },
  ],
  [
    'unique-added',
    (s) => {
      C(s).Konsultasjon.unique = { MalingU: { selector: 'Maling', fields: ['verdi'] } };
    },
    'unique-removed',
  ],
  [
    'keyref-added',
    (s) => {
      C(s).Melding.keyrefs = { KontaktRef: { refer: 'KonsultasjonP_ID', selector: 'Kontakt', fields: ['navn'] } };
    },
    'keyref-removed',
  ],
  [
    'key-changed',
    (s) => {
      C(s).Melding.unique.KonsultasjonP_ID.fields = ['datoTidStart'];
    },
  ],
  [
    'exactly-one-removed',
    (s) => {
      delete C(s).Resultat.exactlyOne;
    },
    'exactly-one-added',
  ],
  [
    'exactly-one-changed',
    (s) => {
      C(s).Resultat.exactlyOne = ['Tall', 'Tekst', 'Merknad'];
    },
  ],
  [
    'message-rule-added',
    (s) => {
      s.rules.push({ id: 'MINI-2.2', chapter: '2. Om melding', title: 'Validert', text: 'Meldingen skal validere.', enforcedBy: ['REC2009'] });
    },
    'message-rule-removed',
  ],
  [
    'message-rule-changed',
    (s) => {
      s.rules[0].text = 'En melding skal inneholde data fra kun én rapporterende enhet.';
    },
  ],
  [
    'primary-key-changed',
    (s) => {
      C(s).Konsultasjon.primaryKey = ['konsultasjonID', 'datoTidStart'];
    },
  ],
  [
    'attribute-added',
    (s) => {
      A(s, 'Konsultasjon').sted = { label: 'Sted', type: 'string', use: 'optional' };
    },
    'attribute-removed',
  ],
  [
    'required-attribute-added',
    (s) => {
      A(s, 'Konsultasjon').foresattTilstede = { label: 'Foresatt til stede', type: 'string', use: 'obligatory' };
    },
    'required-attribute-removed',
  ],
  [
    'unused-attribute-added',
    (s) => {
      A(s, 'Konsultasjon').utgatt = { label: 'Utgått', type: 'string', use: 'prohibited' };
    },
    'unused-attribute-removed',
  ],
  [
    'attribute-became-required',
    (s) => {
      A(s, 'Konsultasjon').merknad.use = 'required';
    },
    'attribute-became-optional',
  ],
  [
    'attribute-became-prohibited',
    (s) => {
      A(s, 'Konsultasjon').merknad.use = 'prohibited';
    },
    'attribute-became-allowed',
  ],
  [
    'attribute-use-changed',
    (s) => {
      A(s, 'Konsultasjon').konsultasjonID.use = 'obligatory';
    },
  ],
  [
    'attribute-type-changed',
    (s) => {
      A(s, 'Maling').verdi.type = 'integer';
    },
  ],
  [
    'attribute-codelist-changed',
    (s) => {
      A(s, 'Konsultasjon').amming.codelist = '9032';
    },
  ],
  [
    'max-length-lowered',
    (s) => {
      A(s, 'Konsultasjon').konsultasjonID.maxLength = 10;
    },
    'max-length-raised',
  ],
  [
    'min-length-raised',
    (s) => {
      A(s, 'Konsultasjon').konsultasjonID.minLength = 2;
    },
    'min-length-lowered',
  ],
  [
    'pattern-added',
    (s) => {
      A(s, 'Kontakt').navn.pattern = '^[^0-9]+$';
    },
    'pattern-removed',
  ],
  [
    'pattern-changed',
    (s) => {
      A(s, 'Konsultasjon').merknad.pattern = '^[A-Z0-9]+$';
    },
  ],
  [
    'fixed-value-changed',
    (s) => {
      A(s, 'Melding').kilde.fixed = 'EPJ2';
    },
  ],
  [
    'fixed-value-added',
    (s) => {
      A(s, 'Konsultasjon').merknad.fixed = 'ABC';
    },
    'fixed-value-removed',
  ],
  [
    'accepted-codes-restricted',
    (s) => {
      A(s, 'Barn').typeID.accept = ['1'];
    },
    'accepted-codes-widened',
  ],
  [
    'control-added',
    (s) => {
      A(s, 'Maling').verdi.controls = { datatype: { check: 'Streng', consequence: 'set-null' } };
    },
    'control-removed',
  ],
  [
    'control-changed',
    (s) => {
      A(s, 'Konsultasjon').datoTidStart.controls.datatype.check = 'Dato og tid med sekunder';
    },
  ],
  [
    'consequence-harsher',
    (s) => {
      A(s, 'Konsultasjon').datoTidStart.controls.required = 'discard-message';
    },
    'consequence-milder',
  ],
  [
    'consequence-changed',
    (s) => {
      A(s, 'Konsultasjon').amming.controls.code.consequence = 'set-minus-one';
    },
  ],
  [
    'range-rule-added',
    (s) => {
      A(s, 'Konsultasjon').datoTidStart.controls.range.from = '/Melding/@fraDato';
    },
    'range-rule-removed',
  ],
  [
    'range-rule-changed',
    (s) => {
      A(s, 'Konsultasjon').datoTidStart.controls.range.to = '/Melding/@fraDato';
    },
  ],
  [
    'codelist-added',
    (s) => {
      A(s, 'Barn').kjonn = { label: 'Kjønn', type: 'coded', codelist: '3101', use: 'optional' };
      s.codelists['3101'] = {
        name: 'Kjønn',
        oid: '2.16.578.1.12.4.1.1.3101',
        codes: [
          { code: '1', text: 'Mann' },
          { code: '2', text: 'Kvinne' },
        ],
      };
    },
    'codelist-removed',
  ],
  [
    'codelist-metadata-changed',
    (s) => {
      s.codelists['8524'].name = 'Amming';
    },
  ],
  [
    'code-added',
    (s) => {
      s.codelists['8524'].codes.push({ code: '4', text: 'Ukjent' });
    },
    'code-removed',
  ],
  [
    'code-text-changed',
    (s) => {
      s.codelists['8524'].codes[2].text = 'Ammer ikke';
    },
  ],
  [
    'code-validity-narrowed',
    (s) => {
      s.codelists['8524'].codes[1].validFrom = '2021-01-01';
    },
    'code-validity-widened',
  ],
  [
    'class-label-changed',
    (s) => {
      C(s).Barn.label = 'Barn eller ungdom';
    },
  ],
  [
    'attribute-label-changed',
    (s) => {
      A(s, 'Konsultasjon').amming.label = 'Ammestatus';
    },
  ],
  [
    'documentation-changed',
    (s) => {
      A(s, 'Konsultasjon').datoTidStart.description = 'Dato og klokkeslett for start av konsultasjonen.';
      s.codelists['8524'].codes[0].comment = 'Bare morsmelk';
    },
  ],
];

/** The YAML text of a case file. */
export function caseYaml(s: S, what: string): string {
  return (
    `# yaml-language-server: $schema=../../../../../../../spec/spec.schema.json\n# Golden diff case ${what}: a tiny test message, not an official specification.\n` +
    stringify(s, { lineWidth: 0, flowCollectionPadding: true })
  );
}

/** The tiny JSON message type the JSON-only kinds start from (kind: json; not an FHI type). */
export const jsonBase = (): S => ({
  kind: 'json',
  message: 'ekko',
  messageType: 'EKKO_Test',
  version: '1',
  title: 'Ekko',
  status: 'Test',
  body: 'array',
  root: 'Enhet',
  sources: { skjema: { kind: 'schema', ref: 'ekko.schema.json' }, eksempel: { kind: 'sample', ref: 'ekko.sample.json' } },
  classes: {
    Enhet: {
      label: 'Enhet',
      provenance: { status: 'published', source: 'skjema' },
      children: [{ hendelse: '0..*' }],
      attributes: {
        orgNr: { label: 'Organisasjonsnummer', type: 'integer', use: 'required', minimum: 0, provenance: { status: 'inferred', source: 'eksempel' } },
        navn: { label: 'Navn', type: 'string', use: 'optional', provenance: { status: 'published', source: 'skjema' } },
      },
    },
    hendelse: {
      label: 'Hendelse',
      provenance: { status: 'published', source: 'skjema' },
      attributes: {
        status: { label: 'Status', type: 'integer', use: 'optional', enum: [1, 2], provenance: { status: 'published', source: 'skjema' } },
      },
    },
  },
});

const J = (s: S, c: string) => s.classes[c].attributes;
/** The JSON-only kinds: [kind, the edit on jsonBase, the inverse kind]. */
export const JSON_MUTATIONS: [string, (s: S) => void, string?][] = [
  [
    'member-provenance-published',
    (s) => {
      J(s, 'Enhet').orgNr.provenance = { status: 'published', source: 'skjema' };
    },
    'member-provenance-inferred',
  ],
  [
    'member-nullable-added',
    (s) => {
      J(s, 'Enhet').navn.nullable = true;
      s.classes.Enhet.children = [{ hendelse: { cardinality: '0..*', nullable: true } }];
    },
    'member-nullable-removed',
  ],
  [
    'enum-narrowed',
    (s) => {
      J(s, 'hendelse').status.enum = [1];
    },
    'enum-widened',
  ],
  [
    'bound-tightened',
    (s) => {
      J(s, 'Enhet').orgNr.exclusiveMinimum = 0;
      J(s, 'Enhet').orgNr.maximum = 999999999;
    },
    'bound-loosened',
  ],
  [
    'member-presence-required',
    (s) => {
      s.classes.Enhet.children = [{ hendelse: { cardinality: '0..*', required: true } }];
    },
    'member-presence-optional',
  ],
  [
    'message-body-changed',
    (s) => {
      s.body = 'object';
    },
  ],
  [
    'message-type-changed',
    (s) => {
      s.messageType = 'EKKO_Annen';
    },
  ],
];
