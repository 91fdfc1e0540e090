// Reads the usage table XPR(x)_C.docx.txt: per attribute (class label, attribute label, K)
// the letter in the module's column (O Obligatorisk, V Valgfri, I Ignorer, B Betinget bruk,
// D Normalverdi, F Fast verdi) and the comment column. The Word export separates cells with
// " | "; a row is five cells.
import { ImportError } from './errors.ts';

export interface UsageRow {
  classLabel: string;
  attributeLabel: string;
  cardinality: string;
  /** '' when the row says nothing special. */
  letter: string;
  comment: string;
}

export interface UsageTable {
  /** The column heading, e.g. `hst`, `ipl`. */
  column: string;
  rows: UsageRow[];
}

const LETTERS = new Set(['', 'O', 'V', 'I', 'B', 'D', 'F']);

export function readUsageTable(text: string, file: string): UsageTable {
  const start = text.search(/^Klassenavn\s*$/m);
  if (start < 0) throw new ImportError(`${file}: no table header "Klassenavn | Attributtnavn | K | <module> | <module>_c" found`);
  const cells = text
    .slice(start)
    .split('|')
    .map((c) => c.trim());
  const [h1, h2, h3, column, columnC] = cells;
  if (h1 !== 'Klassenavn' || h2 !== 'Attributtnavn' || h3 !== 'K' || !column || columnC !== `${column}_c`) {
    throw new ImportError(`${file}: unexpected table header: ${cells.slice(0, 5).join(' | ')}`);
  }
  const body = cells.slice(5);
  // The export ends with empty cells after the last row.
  while (body.length && body[body.length - 1] === '') body.pop();
  while (body.length % 5 !== 0) body.push('');
  const rows: UsageRow[] = [];
  for (let i = 0; i < body.length; i += 5) {
    const [classLabel, attributeLabel, cardinality, letter, comment] = body.slice(i, i + 5);
    const rowNo = i / 5 + 1;
    if (!classLabel || !attributeLabel) throw new ImportError(`${file}: row ${rowNo}: empty class or attribute name (${body.slice(i, i + 5).join(' | ')})`);
    if (!/^(0|1)(\.\.(1|\*))?$/.test(cardinality)) {
      throw new ImportError(`${file}: row ${rowNo} (${classLabel} / ${attributeLabel}): K is "${cardinality}", expected 1 or 0..1`);
    }
    if (!LETTERS.has(letter)) {
      throw new ImportError(`${file}: row ${rowNo} (${classLabel} / ${attributeLabel}): "${letter}" is not one of O, V, I, B, D, F`);
    }
    rows.push({ classLabel, attributeLabel, cardinality, letter, comment });
  }
  return { column, rows };
}
