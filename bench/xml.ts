// Benchmark: the generated HST 56.0.0 XML codec on a Melding with 1,000 realistic
// consultations. Serialisation is measured against a hand-written string-building serialiser of
// the same message over the same data in the same run (target: generated within 2× of it); both
// must give byte-identical XML. Parsing (fromXml, which scans the document and leaves only what
// it does not read to saxes) is measured against saxes's path alone over the same document in
// the same run (target: at least 3× faster), and on small Meldinger of one consultation each.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fromXml, toXml } from '../generated/hst/56.0.0/xml.ts';
import { compileReaderPaths } from '../runtime/xml/read.ts';
import { loadSpec, REPO, shapeOf } from '../test/xml-codec/helpers.ts';
import { hstMelding } from '../test/xml-codec/samples.ts';

const CONSULTATIONS = 1000;
const WARMUP = 20;
const ROUNDS = 40;
const PARSE_WARMUP = 25;
const PARSE_ROUNDS = 16;
/** Small Meldinger (one consultation) parsed per timed call. */
const SMALL_BATCH = 200;

// ---- the hand-written baseline: what a careful person writes without a generator ----------
const SPECIAL = /[&<>"\t\n\r]/;
const SPECIAL_G = /[&<>"\t\n\r]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };
const esc = (s: string): string => (SPECIAL.test(s) ? s.replace(SPECIAL_G, (c) => ENTITY[c]) : s);
const opt = (name: string, v: string | undefined): string => (v === undefined ? '' : ` ${name}="${esc(v)}"`);

// Plain loops and +=, no closures or joins: the fastest straightforward way to build the string.
function konsultasjon(k: any): string {
  const b = k.Barn_ungdom;
  let s = `<Konsultasjon${opt('episodeGUID', k.episodeGUID)} konsultasjonID="${esc(k.konsultasjonID)}" datoTidStart="${esc(k.datoTidStart)}" formKonsultasjon="${esc(k.formKonsultasjon)}" anbefaltTypeKonsultasjon="${esc(k.anbefaltTypeKonsultasjon)}" konsultasjonRegistrertTidspunkt="${esc(k.konsultasjonRegistrertTidspunkt)}" amming="${esc(k.amming)}">`;
  s += `<Barn_ungdom pasientGUID="${esc(b.pasientGUID)}" barn_ungdomNr="${esc(b.barn_ungdomNr)}" kjonn="${esc(b.kjonn)}" fodselsar="${b.fodselsar}" fid="${esc(b.fid)}" typeID="${esc(b.typeID)}"/>`;
  if (k.Deltaker) for (const d of k.Deltaker) s += `<Deltaker deltakerType="${esc(d.deltakerType)}"/>`;
  if (k.Helseperson) {
    for (const h of k.Helseperson) {
      s += `<Helseperson polUtforende="${esc(h.polUtforende)}"${opt('spesialist', h.spesialist)}${opt('rolle', h.rolle)}${opt('helsepersonHPR', h.helsepersonHPR)}/>`;
    }
  }
  if (k.Maling) {
    for (const g of k.Maling) {
      s += `<Maling typeMaling="${esc(g.typeMaling)}"${opt('malingKodeverk', g.malingKodeverk)} malingDatoTid="${esc(g.malingDatoTid)}"${opt('typeMalingKodet', g.typeMalingKodet)}`;
      if (g.Maleresultat?.length) {
        s += '>';
        for (const r of g.Maleresultat) s += `<Maleresultat maleresultatNr="${r.maleresultatNr}" verdi="${esc(r.verdi)}"${opt('enhet', r.enhet)}/>`;
        s += '</Maling>';
      } else s += '/>';
    }
  }
  if (k.RefEnhet) for (const r of k.RefEnhet) s += `<RefEnhet enhetID="${esc(r.enhetID)}" typeEnhet="${esc(r.typeEnhet)}"/>`;
  return `${s}</Konsultasjon>`;
}

function baseline(m: any): string {
  let s =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Melding xmlns="http://www.npr.no/xmlstds/56_0_0_hst" versjon="${esc(m.versjon)}" meldingstype="${esc(m.meldingstype)}" fraDatoPeriode="${esc(m.fraDatoPeriode)}" uttakDato="${esc(m.uttakDato)}" leverandor="${esc(m.leverandor)}" navnEPJ="${esc(m.navnEPJ)}" versjonEPJ="${esc(m.versjonEPJ)}" versjonUt="${esc(m.versjonUt)}" lopenr="${m.lopenr}" tilDatoPeriode="${esc(m.tilDatoPeriode)}"${opt('lokalident', m.lokalident)}>`;
  if (m.Notifikasjon) {
    for (const n of m.Notifikasjon) {
      s += `<Notifikasjon statusNotifikasjon="${esc(n.statusNotifikasjon)}" notifikasjonTid="${esc(n.notifikasjonTid)}" notifikasjonGUID="${esc(n.notifikasjonGUID)}" notifikasjonForrigeGUID="${esc(n.notifikasjonForrigeGUID)}" notifikasjonLopeNr="${esc(n.notifikasjonLopeNr)}"${opt('notifikasjonRef', n.notifikasjonRef)}`;
      if (n.Konsultasjon?.length) {
        s += '>';
        for (const k of n.Konsultasjon) s += konsultasjon(k);
        s += '</Notifikasjon>';
      } else s += '/>';
    }
  }
  for (const p of m.Kontaktperson) {
    s += `<Kontaktperson kontPerson="${esc(p.kontPerson)}"${opt('meldTelefon', p.meldTelefon)} meldEpost1="${esc(p.meldEpost1)}"${opt('meldEpost2', p.meldEpost2)} typeKontaktperson="${esc(p.typeKontaktperson)}"/>`;
  }
  for (const k of m.Kommune) {
    s += `<Kommune kommuneNr="${esc(k.kommuneNr)}"${opt('kommuneOrgNr', k.kommuneOrgNr)}`;
    if (k.Enhet?.length) {
      s += '>';
      for (const e of k.Enhet) {
        s += `<Enhet enhetID="${esc(e.enhetID)}"${opt('orgNr', e.orgNr)}${opt('reshID', e.reshID)}${opt('enhetLokal', e.enhetLokal)}${opt('enhetNavn', e.enhetNavn)}/>`;
      }
      s += '</Kommune>';
    } else s += '/>';
  }
  return `${s}</Melding>`;
}

// ---- measurement ----------------------------------------------------------------------------
// Wall time and process CPU time are both taken: on a shared machine the wall clock mostly
// measures waiting for a core, so the ratio and MB/s figures use CPU time; wall is reported too.
interface Times {
  wall: number;
  cpu: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median milliseconds of `rounds` calls; the string is read at its end so lazy concatenation is paid for. */
function time(rounds: number, f: () => unknown): Times {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    const u = process.cpuUsage();
    const s = f();
    if (typeof s === 'string' && s.charCodeAt(s.length - 1) !== 62) throw new Error('output does not end with >');
    const du = process.cpuUsage(u);
    wall.push(performance.now() - t);
    cpu.push((du.user + du.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const mbps = (mb: number, ms: number): number => +(mb / (ms / 1000)).toFixed(1);

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
  const gen: Times[] = [];
  const base: Times[] = [];
  for (let i = 0; i < 4; i++) {
    gen.push(time(ROUNDS / 4, () => toXml(m)));
    base.push(time(ROUNDS / 4, () => baseline(m)));
  }
  const g = { wall: median(gen.map((x) => x.wall)), cpu: median(gen.map((x) => x.cpu)) };
  const b = { wall: median(base.map((x) => x.wall)), cpu: median(base.map((x) => x.cpu)) };

  // saxes's path alone, over the same shape tables the generated codec has.
  const { sax } = compileReaderPaths(shapeOf(loadSpec(join(REPO, 'spec'), join(REPO, 'spec/hst/56.0.0.yaml'))));
  if (JSON.stringify(fromXml(xml)) !== JSON.stringify(sax(xml))) throw new Error('fromXml and saxes read the document differently');
  const small = toXml(hstMelding(1));
  const smallMb = (Buffer.byteLength(small) * SMALL_BATCH) / 1e6;

  // The parser's handlers need more calls than the serialiser before V8 optimises them.
  for (let i = 0; i < PARSE_WARMUP; i++) {
    fromXml(xml);
    sax(xml);
    for (let k = 0; k < SMALL_BATCH / 10; k++) fromXml(small);
  }
  const parse: Times[] = [];
  const saxes: Times[] = [];
  const smalls: Times[] = [];
  for (let i = 0; i < 4; i++) {
    parse.push(time(PARSE_ROUNDS / 4, () => fromXml(xml)));
    saxes.push(time(PARSE_ROUNDS / 4, () => sax(xml)));
    smalls.push(
      time(PARSE_ROUNDS / 4, () => {
        for (let k = 0; k < SMALL_BATCH; k++) fromXml(small);
      }),
    );
  }
  const p = { wall: median(parse.map((x) => x.wall)), cpu: median(parse.map((x) => x.cpu)) };
  const x = { wall: median(saxes.map((t) => t.wall)), cpu: median(saxes.map((t) => t.cpu)) };
  const sm = { wall: median(smalls.map((t) => t.wall)), cpu: median(smalls.map((t) => t.cpu)) };

  const ratio = g.cpu / b.cpu;
  const speedup = x.cpu / p.cpu;
  return {
    consultations: CONSULTATIONS,
    xmlBytes: Buffer.byteLength(xml),
    toXmlCpuMs: +g.cpu.toFixed(2),
    toXmlMBps: mbps(mb, g.cpu),
    baselineCpuMs: +b.cpu.toFixed(2),
    baselineMBps: mbps(mb, b.cpu),
    ratioToBaseline: +ratio.toFixed(2),
    targetRatio: 2,
    withinTarget: ratio <= 2,
    fromXmlCpuMs: +p.cpu.toFixed(2),
    fromXmlMBps: mbps(mb, p.cpu),
    saxesCpuMs: +x.cpu.toFixed(2),
    saxesMBps: mbps(mb, x.cpu),
    parseSpeedup: +speedup.toFixed(2),
    parseTargetSpeedup: 3,
    parseWithinTarget: speedup >= 3,
    smallXmlBytes: Buffer.byteLength(small),
    smallFromXmlUs: +((sm.cpu * 1000) / SMALL_BATCH).toFixed(1),
    smallFromXmlMBps: mbps(smallMb, sm.cpu),
    wallMs: { toXml: +g.wall.toFixed(2), baseline: +b.wall.toFixed(2), fromXml: +p.wall.toFixed(2), saxes: +x.wall.toFixed(2) },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log(JSON.stringify(await run(), null, 2));
}
