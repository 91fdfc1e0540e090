// Reads the text of the Word specification (XPR(x).docx.txt): the title page (standard,
// title, published date, version, status, valid-from), and per class the Beskrivelse, Bruk,
// Kommentar, Eksempler, associations and "Har primærnøkkel", plus per attribute what the
// document prints (label, K, texts, quality controls) so the importer can cross-check the
// Annotations against it.
import { ImportError } from './errors.ts';

export interface TitlePage {
  title: string;
  standard: string;
  /** ISO date. */
  published: string;
  version: string;
  status: string;
  /** ISO date of "Gjelder fra og med", when the Frist line gives one. */
  validFrom?: string;
  /** The Frist line as printed, e.g. "Gjelder fra og med 01.01.2021", "Besluttes senere". */
  frist: string;
}

export interface WordAttribute {
  label: string;
  name: string;
  cardinality: string;
  type: string;
  description: string;
  blocks: Map<string, string>;
  /** Quality-control lines as printed. */
  controls: string[];
}

export interface WordClass {
  label: string;
  name: string;
  blocks: Map<string, string>;
  /** Labels of the primary key attributes ("Har primærnøkkel: 'X'"). */
  primaryKey: string[];
  /** "Inneholder 0..* 'Notifikasjon'": child cardinality by class label. */
  contains: { cardinality: string; label: string }[];
  /** Association lines with constraints, e.g. "{XOR Notifikasjon}", as printed without page references. */
  constrained: string[];
  attributes: WordAttribute[];
}

export interface WordText {
  titlePage: TitlePage;
  classes: WordClass[];
}

const CLASS_LABELS = /^(Beskrivelse|Bruk|Kommentar|Eksempler|Assosierte klasser|Opprinnelse|Spesielle forhold[^:]*):\s*$/;
const ATTR_LABELS = /^(Opprinnelse|Bruk|Eksempler|Kommentar|Spesielle forhold[^:]*|Kvalitetskontroller):\s*$/;

function isoDate(ddmmyyyy: string): string | undefined {
  const m = /^(\d{2})\.(\d{2})\.(\d{4})$/.exec(ddmmyyyy.trim());
  return m ? `${m[3]}-${m[2]}-${m[1]}` : undefined;
}

function field(text: string, label: string, file: string): string {
  const m = new RegExp(`^${label}:[ \\t]*(.+?)\\s*$`, 'm').exec(text);
  if (!m) throw new ImportError(`${file}: title page has no "${label}:" line`);
  return m[1];
}

export function readWordText(text: string, file: string): WordText {
  const published = field(text, 'Utgitt dato', file);
  const frist = field(text, 'Frist', file);
  const titlePage: TitlePage = {
    title: field(text, 'Publikasjonens tittel', file),
    standard: field(text, 'Teknisk standard nr\\.', file),
    published: isoDate(published) ?? '',
    version: field(text, 'Versjon', file),
    status: field(text, 'Status', file),
    frist,
  };
  if (!titlePage.published) throw new ImportError(`${file}: "Utgitt dato:${published}" is not a date dd.mm.yyyy`);
  const from = /Gjelder fra og med\s+(\d{2}\.\d{2}\.\d{4})/.exec(frist);
  if (from) titlePage.validFrom = isoDate(from[1]);

  const lines = text.split('\n');
  const headings: { index: number; label: string; name: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^(?:\s*\|\s*)?(.+?) \(([A-Za-z_][A-Za-z0-9_]*)\)\s*$/.exec(lines[i]);
    if (!m) continue;
    const next = lines.slice(i + 1, i + 4).find((l) => l.trim() !== '');
    if (next && /^Figure .*Hierarki ved klassen/.test(next.trim())) headings.push({ index: i, label: m[1].trim(), name: m[2] });
  }
  if (headings.length === 0) throw new ImportError(`${file}: no class headings "Label (Name)" followed by "Figure … Hierarki ved klassen" found`);
  const classes = headings.map((h, k) => readClass(lines.slice(h.index + 1, headings[k + 1]?.index ?? lines.length), h.label, h.name));
  return { titlePage, classes };
}

/** Split lines into labelled blocks; text before the first label goes under ''. */
function blocks(lines: string[], labels: RegExp, extra?: (line: string) => string | undefined): Map<string, string> {
  const out = new Map<string, string[]>();
  let current = '';
  for (const raw of lines) {
    const line = raw.trimEnd();
    const m = labels.exec(line.trim());
    if (m) {
      current = m[1];
      if (!out.has(current)) out.set(current, []);
      continue;
    }
    const special = extra?.(line.trim());
    if (special) {
      current = special;
      if (!out.has(current)) out.set(current, []);
    }
    if (!out.has(current)) out.set(current, []);
    if (line.trim() !== '') out.get(current)!.push(line.trim());
  }
  return new Map([...out].map(([k, v]) => [k, v.join('\n')]));
}

function readClass(lines: string[], label: string, name: string): WordClass {
  const attrStart = lines.findIndex((l) => l.trim() === 'Attributter');
  const head = attrStart < 0 ? lines : lines.slice(0, attrStart);
  const primaryKey: string[] = [];
  const contains: { cardinality: string; label: string }[] = [];
  const constrained: string[] = [];
  const headLines: string[] = [];
  for (const l of head) {
    const t = l.trim();
    if (/^Figure /.test(t)) continue;
    const pk = /^Har primærnøkkel:\s*(.*)$/.exec(t);
    if (pk) {
      for (const m of pk[1].matchAll(/'([^']+)'/g)) primaryKey.push(m[1].trim());
      continue;
    }
    const inn = /^Inneholder (\S+) '([^']+)'/.exec(t);
    if (inn) contains.push({ cardinality: inn[1], label: inn[2] });
    if (/'constraints'/.test(t)) constrained.push(t.replace(/\s*\(Side:[^)]*\)\s*/, ' ').replace(/\s+/g, ' '));
    headLines.push(l);
  }
  const attributes = attrStart < 0 ? [] : readAttributes(lines.slice(attrStart + 1));
  return { label, name, blocks: blocks(headLines, CLASS_LABELS), primaryKey, contains, constrained, attributes };
}

function readAttributes(lines: string[]): WordAttribute[] {
  // Cells start at lines beginning with " | "; a cell runs until the next one.
  const cells: string[][] = [];
  for (const l of lines) {
    const m = /^\s*\|\s?(.*)$/.exec(l);
    if (m) cells.push([m[1]]);
    else if (cells.length) cells[cells.length - 1].push(l);
  }
  const texts = cells.map((c) => c.join('\n').trim()).filter((c) => c !== '' && !/^Nivå: \d+$/.test(c));
  // Header cells K, Type, Beskrivelse.
  let i = texts[0] === 'K' && texts[1] === 'Type' && texts[2] === 'Beskrivelse' ? 3 : 0;
  const out: WordAttribute[] = [];
  for (; i + 3 < texts.length + 1 && i < texts.length; i += 4) {
    const m = /^(.+?)\s*\(([A-Za-z_][A-Za-z0-9_]*)\)$/.exec(texts[i]);
    if (!m) break;
    const descLines = (texts[i + 3] ?? '').split('\n');
    const b = blocks(descLines, ATTR_LABELS, (line) => {
      if (/^Kodeverk:\s*\d+/.test(line)) return 'Kodeverk';
      if (/^Verdi er satt til:/.test(line)) return 'Verdi';
      return undefined;
    });
    const controls = (b.get('Kvalitetskontroller') ?? '').split('\n').filter(Boolean);
    b.delete('Kvalitetskontroller');
    out.push({
      label: m[1].trim(),
      name: m[2],
      cardinality: (texts[i + 1] ?? '').trim(),
      type: (texts[i + 2] ?? '').trim(),
      description: b.get('') ?? '',
      blocks: b,
      controls,
    });
  }
  return out;
}
