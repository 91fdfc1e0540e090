// Benchmark: the generated HST 56.0.0 XML codec on a Melding with 1,000 realistic
// consultations. Serialisation is measured against a hand-written string-building serialiser of
// the same message over the same data in the same run (target: generated within 2× of it), and
// parsing (fromXml) is reported on its own. Both serialisers must give byte-identical XML.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { fromXml, toXml } from '../generated/hst/56.0.0/xml.ts';
import { hstMelding } from '../test/xml-codec/samples.ts';

const CONSULTATIONS = 1000;
const WARMUP = 20;
const ROUNDS = 40;
const PARSE_WARMUP = 25;
const PARSE_ROUNDS = 15;

// ---- the hand-written baseline: what a careful person writes without a generator ----------
const SPECIAL = /[&<>"\t\n\r]/;
const SPECIAL_G = /[&<>"\t\n\r]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };
const esc = (s: string): string => (SPECIAL.test(s) ? s.replace(SPECIAL_G, (c) => ENTITY[c]) : s);
const opt = (name: string, v: string | undefined): string => (v === undefined ? '' : ` ${name}="${esc(v)}"`);
const list = <T>(xs: T[] | undefined, f: (x: T) => string): string => (xs ? xs.map(f).join('') : '');
const el = (open: string, inner: string, name: string): string => (inner ? `${open}>${inner}</${name}>` : `${open}/>`);

function baseline(m: any): string {
  const konsultasjon = (k: any): string => {
    const b = k.Barn_ungdom;
    const inner =
      `<Barn_ungdom pasientGUID="${esc(b.pasientGUID)}" barn_ungdomNr="${esc(b.barn_ungdomNr)}" kjonn="${esc(b.kjonn)}" fodselsar="${b.fodselsar}" fid="${esc(b.fid)}" typeID="${esc(b.typeID)}"/>` +
      list(k.Deltaker, (d: any) => `<Deltaker deltakerType="${esc(d.deltakerType)}"/>`) +
      list(k.Helseperson, (h: any) => `<Helseperson polUtforende="${esc(h.polUtforende)}"${opt('spesialist', h.spesialist)}${opt('rolle', h.rolle)}${opt('helsepersonHPR', h.helsepersonHPR)}/>`) +
      list(k.Maling, (g: any) =>
        el(
          `<Maling typeMaling="${esc(g.typeMaling)}"${opt('malingKodeverk', g.malingKodeverk)} malingDatoTid="${esc(g.malingDatoTid)}"${opt('typeMalingKodet', g.typeMalingKodet)}`,
          list(g.Maleresultat, (r: any) => `<Maleresultat maleresultatNr="${r.maleresultatNr}" verdi="${esc(r.verdi)}"${opt('enhet', r.enhet)}/>`),
          'Maling',
        ),
      ) +
      list(k.RefEnhet, (r: any) => `<RefEnhet enhetID="${esc(r.enhetID)}" typeEnhet="${esc(r.typeEnhet)}"/>`);
    return `<Konsultasjon${opt('episodeGUID', k.episodeGUID)} konsultasjonID="${esc(k.konsultasjonID)}" datoTidStart="${esc(k.datoTidStart)}" formKonsultasjon="${esc(k.formKonsultasjon)}" anbefaltTypeKonsultasjon="${esc(k.anbefaltTypeKonsultasjon)}" konsultasjonRegistrertTidspunkt="${esc(k.konsultasjonRegistrertTidspunkt)}" amming="${esc(k.amming)}">${inner}</Konsultasjon>`;
  };
  const body =
    list(m.Notifikasjon, (n: any) =>
      el(
        `<Notifikasjon statusNotifikasjon="${esc(n.statusNotifikasjon)}" notifikasjonTid="${esc(n.notifikasjonTid)}" notifikasjonGUID="${esc(n.notifikasjonGUID)}" notifikasjonForrigeGUID="${esc(n.notifikasjonForrigeGUID)}" notifikasjonLopeNr="${esc(n.notifikasjonLopeNr)}"${opt('notifikasjonRef', n.notifikasjonRef)}`,
        list(n.Konsultasjon, konsultasjon),
        'Notifikasjon',
      ),
    ) +
    list(m.Kontaktperson, (p: any) => `<Kontaktperson kontPerson="${esc(p.kontPerson)}"${opt('meldTelefon', p.meldTelefon)} meldEpost1="${esc(p.meldEpost1)}"${opt('meldEpost2', p.meldEpost2)} typeKontaktperson="${esc(p.typeKontaktperson)}"/>`) +
    list(m.Kommune, (k: any) =>
      el(
        `<Kommune kommuneNr="${esc(k.kommuneNr)}"${opt('kommuneOrgNr', k.kommuneOrgNr)}`,
        list(k.Enhet, (e: any) => `<Enhet enhetID="${esc(e.enhetID)}"${opt('orgNr', e.orgNr)}${opt('reshID', e.reshID)}${opt('enhetLokal', e.enhetLokal)}${opt('enhetNavn', e.enhetNavn)}/>`),
        'Kommune',
      ),
    );
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Melding xmlns="http://www.npr.no/xmlstds/56_0_0_hst" versjon="${esc(m.versjon)}" meldingstype="${esc(m.meldingstype)}" fraDatoPeriode="${esc(m.fraDatoPeriode)}" uttakDato="${esc(m.uttakDato)}" leverandor="${esc(m.leverandor)}" navnEPJ="${esc(m.navnEPJ)}" versjonEPJ="${esc(m.versjonEPJ)}" versjonUt="${esc(m.versjonUt)}" lopenr="${m.lopenr}" tilDatoPeriode="${esc(m.tilDatoPeriode)}"${opt('lokalident', m.lokalident)}>${body}</Melding>`
  );
}

// ---- measurement ----------------------------------------------------------------------------
/** Median milliseconds of `rounds` calls; the string is flattened so lazy concatenation is paid for. */
function time(rounds: number, f: () => string): number {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const s = f();
    if (s.charCodeAt(s.length - 1) !== 62) throw new Error('output does not end with >');
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return ms[Math.floor(ms.length / 2)];
}

export async function run(): Promise<Record<string, unknown>> {
  const m = hstMelding(CONSULTATIONS);
  const xml = toXml(m);
  if (baseline(m) !== xml) throw new Error('baseline and generated serialiser disagree: the comparison would be unfair');
  const mb = Buffer.byteLength(xml) / 1e6;

  for (let i = 0; i < WARMUP; i++) {
    toXml(m);
    baseline(m);
  }
  // Interleave rounds so machine load affects both sides alike.
  const gen: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < 4; i++) {
    gen.push(time(ROUNDS / 4, () => toXml(m)));
    base.push(time(ROUNDS / 4, () => baseline(m)));
  }
  const med = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const genMs = med(gen);
  const baseMs = med(base);

  // The parser's handlers need more calls than the serialiser before V8 optimises them.
  for (let i = 0; i < PARSE_WARMUP; i++) fromXml(xml);
  const parseMs: number[] = [];
  for (let i = 0; i < PARSE_ROUNDS; i++) {
    const t = performance.now();
    fromXml(xml);
    parseMs.push(performance.now() - t);
  }
  const pMs = med(parseMs);

  const ratio = genMs / baseMs;
  return {
    consultations: CONSULTATIONS,
    xmlBytes: Buffer.byteLength(xml),
    toXmlMs: +genMs.toFixed(2),
    toXmlMBps: +(mb / (genMs / 1000)).toFixed(1),
    baselineMs: +baseMs.toFixed(2),
    baselineMBps: +(mb / (baseMs / 1000)).toFixed(1),
    ratioToBaseline: +ratio.toFixed(2),
    targetRatio: 2,
    withinTarget: ratio <= 2,
    fromXmlMs: +pMs.toFixed(2),
    fromXmlMBps: +(mb / (pMs / 1000)).toFixed(1),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(JSON.stringify(await run(), null, 2));
}
