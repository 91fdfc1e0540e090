// Hand-written, realistic JSON-form Meldinger for HST and IPLOS 56.0.0 (synthetic people only:
// fødselsnumre use the Tenor convention, month + 80, so they never name a real person), and a
// builder of an HST Melding with many consultations for the serialiser benchmark.

import { fodselsnummerCheckDigits } from '../../runtime/rules/identifiers.ts';

/** A synthetic fødselsnummer (Tenor: month + 80) born on the given date; `n` picks the individual number. */
export function syntheticFnr(date: string, n: number): string {
  const [y, m, d] = date.split('-');
  for (let i = n % 500; ; i = (i + 1) % 500) {
    const first9 = `${d}${String(Number(m) + 80)}${y.slice(2)}${String(i).padStart(3, '0')}`;
    const check = fodselsnummerCheckDigits(first9);
    if (check) return first9 + check;
  }
}

/** A deterministic GUID from a number (not random: samples and golden outputs stay stable). */
export function guid(n: number, tag = 0xa1): string {
  const h = (n >>> 0).toString(16).padStart(8, '0');
  return `${h}-${tag.toString(16).padStart(4, '0')}-4${h.slice(0, 3)}-8${h.slice(5, 8)}-${h}${h.slice(0, 4)}`;
}

function hstHeader(): Record<string, unknown> {
  return {
    versjon: '56.0.0',
    meldingstype: 'E',
    fraDatoPeriode: '2026-02-01',
    uttakDato: '2026-02-03',
    leverandor: 'Eksempel Journal AS',
    navnEPJ: 'HelseJournal',
    versjonEPJ: '24.3.1',
    versjonUt: '56.0.0',
    lopenr: 34,
    tilDatoPeriode: '2026-02-02',
  };
}

const KONTAKT = [
  { kontPerson: 'Kari Nordmann', meldTelefon: '+47 22 00 00 00', meldEpost1: 'kari.nordmann@kommune.example', typeKontaktperson: '1' },
  { kontPerson: 'Ola «Teknisk» Hansen & co', meldEpost1: 'drift@leverandor.example', meldEpost2: 'vakt@leverandor.example', typeKontaktperson: '19' },
];

/** One HST consultation, varied by `i` so the whole code space of the common attributes is used. */
export function hstKonsultasjon(i: number): Record<string, unknown> {
  const day = String(1 + (i % 2)).padStart(2, '0');
  const hh = String(8 + (i % 8)).padStart(2, '0');
  const mm = String((i * 7) % 60).padStart(2, '0');
  const born = `20${String(20 + (i % 6)).padStart(2, '0')}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
  const k: Record<string, unknown> = {
    konsultasjonID: `HS-${100000 + i}`,
    datoTidStart: `2026-02-${day}T${hh}:${mm}:00`,
    formKonsultasjon: ['I', 'H', 'G'][i % 3],
    anbefaltTypeKonsultasjon: ['3D', '10D', '4U', '6U', '3M', '5M', '6M', '10M', '12M', '15M', '2A', '4A', '6A', '10A', 'E'][i % 15],
    konsultasjonRegistrertTidspunkt: `2026-02-${day}T${String(Number(hh) + 1).padStart(2, '0')}:${mm}:12`,
    amming: ['1', '2', '3'][i % 3],
    Barn_ungdom: {
      pasientGUID: guid(i, 0xb0),
      barn_ungdomNr: `P${200000 + (i % 700)}`,
      kjonn: ['1', '2'][i % 2],
      fodselsar: Number(born.slice(0, 4)),
      fid: syntheticFnr(born, i),
      typeID: '1',
    },
    Deltaker: [{ deltakerType: '2' }],
    Helseperson: [{ polUtforende: i % 4 === 0 ? '1' : '2', spesialist: '2', rolle: '1', helsepersonHPR: String(9100000 + (i % 500)) }],
    RefEnhet: [{ enhetID: i % 2 ? 'HS-SENTRUM' : 'HS-NORD', typeEnhet: '3' }],
  };
  if (i % 5 === 0) k.episodeGUID = guid(i, 0xe0);
  if (i % 3 !== 2) {
    k.Maling = [
      {
        typeMaling: 'Lengde',
        malingKodeverk: 'cm',
        malingDatoTid: k.datoTidStart,
        Maleresultat: [{ maleresultatNr: 1, verdi: String(50 + (i % 100)), enhet: 'cm' }],
      },
      {
        typeMaling: 'Vekt',
        malingKodeverk: 'g',
        malingDatoTid: k.datoTidStart,
        Maleresultat: [{ maleresultatNr: 1, verdi: String(3200 + ((i * 37) % 20000)), enhet: 'g' }],
      },
    ];
  }
  if (i % 7 === 0) k.Deltaker = [{ deltakerType: '2' }, { deltakerType: '3' }];
  return k;
}

/** An HST Melding with `n` consultations spread over notifications of at most 50 each. */
export function hstMelding(n: number): any {
  const notifikasjoner: Record<string, unknown>[] = [];
  for (let start = 0, seq = 0; start < n || seq === 0; start += 50, seq++) {
    const ks = [];
    for (let i = start; i < Math.min(n, start + 50); i++) ks.push(hstKonsultasjon(i));
    notifikasjoner.push({
      statusNotifikasjon: 'N',
      notifikasjonTid: '2026-02-03T02:00:00',
      notifikasjonGUID: guid(seq, 0x11),
      notifikasjonForrigeGUID: seq === 0 ? guid(999999, 0x11) : guid(seq - 1, 0x11),
      notifikasjonLopeNr: String(1200 + seq),
      ...(ks.length ? { Konsultasjon: ks } : {}),
    });
  }
  return {
    ...hstHeader(),
    Notifikasjon: notifikasjoner,
    Kontaktperson: KONTAKT,
    Kommune: [
      {
        kommuneNr: '4601',
        kommuneOrgNr: '964338531',
        Enhet: [
          { enhetID: 'HS-SENTRUM', orgNr: '974600951', reshID: '108123', enhetLokal: 'Sentrum helsestasjon', enhetNavn: 'Helsestasjon for barn & unge, «Sentrum»' },
          { enhetID: 'HS-NORD', enhetNavn: 'Nord helsestasjon' },
        ],
      },
    ],
  };
}

/** Several HST Meldinger that together use every class and optional attribute. */
export function hstSamples(): [string, any][] {
  const correction = hstMelding(2);
  correction.meldingstype = 'E';
  correction.Notifikasjon[0].statusNotifikasjon = 'M';
  correction.Notifikasjon[0].notifikasjonRef = guid(41, 0x11);
  correction.lokalident = 'Bydel <Øst> "2"';
  const annul = hstMelding(0);
  annul.Notifikasjon = [
    {
      statusNotifikasjon: 'C',
      notifikasjonTid: '2026-02-03T02:00:00',
      notifikasjonGUID: '{6F9619FF-8B86-D011-B42D-00C04FC964FF}',
      notifikasjonForrigeGUID: guid(7, 0x11),
      notifikasjonLopeNr: '1300',
      notifikasjonRef: guid(5, 0x11),
    },
  ];
  const empty = hstMelding(0);
  delete empty.Notifikasjon;
  const awkward = hstMelding(3);
  awkward.leverandor = 'A&B <Journal> "Ærlig" \'Ålreit\'';
  awkward.Notifikasjon[0].Konsultasjon[1].konsultasjonID = 'tab\there\nline\r\nend 𝄞';
  awkward.Kontaktperson[0].kontPerson = '  Kari   Nordmann  ';
  return [
    ['three consultations', hstMelding(3)],
    ['sixty consultations in two notifications', hstMelding(60)],
    ['a replacement with notifikasjonRef and lokalident', correction],
    ['an annulment with a braced GUID', annul],
    ['no notifications', empty],
    ['awkward characters', awkward],
  ];
}

function bruker(i: number): Record<string, unknown> {
  const born = `19${40 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`;
  const b: Record<string, unknown> = { pasientGUID: guid(i, 0xb1), brukerNr: `B-${7000 + i}`, fid: syntheticFnr(born, i), typeID: '1' };
  if (i % 2) b.bydel = '030101';
  return b;
}

function hendelse(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tjenesteType: ['1', '15', '29', '8', '6'][i % 5],
    hendelseRegTid: `2026-01-${String(10 + (i % 9)).padStart(2, '0')}T09:15:00`,
    hendelseDato: `2026-01-${String(10 + (i % 9)).padStart(2, '0')}`,
    tjenesteID: `T-${500 + i}`,
    hendelseGUID: guid(i, 0x4e),
    ...extra,
    Bruker: bruker(i),
  };
}

/** IPLOS Meldinger: each kind of hendelse, alone and together. */
export function iplosSamples(): [string, any][] {
  const header = {
    versjon: '56.0.0',
    meldingstype: 'K',
    leverandor: 'Eksempel Omsorg AS',
    navnEPJ: 'OmsorgPluss',
    versjonEPJ: '11.0',
    versjonUt: '56.0.0',
    Kontaktperson: [{ kontPerson: 'Per Pleie', meldEpost1: 'per@kommune.example', typeKontaktperson: '1' }],
    Kommune: [{ kommuneNr: '0301' }, { kommuneNr: '4601' }],
  };
  const n = (i: number, children: Record<string, unknown>, status = 'N'): Record<string, unknown> => ({
    statusNotifikasjon: status,
    notifikasjonTid: '2026-01-20T03:00:00',
    notifikasjonGUID: guid(i, 0x12),
    notifikasjonForrigeGUID: guid(i - 1, 0x12),
    notifikasjonLopeNr: String(i),
    ...(status === 'N' ? {} : { notifikasjonRef: guid(i - 10, 0x12) }),
    ...children,
  });
  return [
    ['a start of service', { ...header, Notifikasjon: [n(1, { TjenesteStart: hendelse(1, { tjenesteOrgNr: '974600951' }) })] }],
    [
      'every kind of hendelse',
      {
        ...header,
        lokalident: 'Oslo & omegn',
        Notifikasjon: [
          n(2, { TjenesteStart: hendelse(2) }),
          n(3, { MidlertidigStoppFra: hendelse(3, { midlertidigStoppID: 'S-1' }) }),
          n(4, { MidlertidigStoppTil: hendelse(4, { midlertidigStoppID: 'S-1' }) }),
          n(5, { TjenesteutforerEndret: hendelse(5, { tjenesteOrgNr: '983971636' }) }, 'M'),
          n(6, { TjenesteSlutt: hendelse(6) }),
          n(7, {}, 'C'),
        ],
      },
    ],
  ];
}
