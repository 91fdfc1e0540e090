// Finds and reads the files of one official message package (a folder as published by
// Helsedirektoratet): XPR(x).xsd, XPR(x)_CodingSchemes.xsd, XPR(x)_Annotations.xsd, NPR.xsd,
// the Word text XPR(x).docx.txt and the usage table XPR(x)_C*.docx.txt.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ImportError } from './errors.ts';

export interface PackageFiles {
  folder: string;
  /** The module short name inside the file names, e.g. `hst`, `ipl`. */
  module: string;
  xsd: string;
  codingSchemes: string;
  annotations: string;
  nprTypes: string;
  wordText: string;
  usageTable: string;
}

/** Locate the package files in `folder`; a missing file is an error that names what was expected. */
export function findPackageFiles(folder: string): PackageFiles {
  let names: string[];
  try {
    if (!statSync(folder).isDirectory()) throw new ImportError(`${folder} is not a folder`);
    names = readdirSync(folder);
  } catch (err) {
    if (err instanceof ImportError) throw err;
    throw new ImportError(`cannot read the package folder ${folder}: ${(err as Error).message}`);
  }
  const mains = names.filter((n) => /^XPR\([^)]+\)\.xsd$/.test(n));
  if (mains.length !== 1) {
    throw new ImportError(
      `${folder}: expected exactly one message schema named XPR(<module>).xsd, found ${mains.length ? mains.join(', ') : 'none'} (files: ${names.join(', ') || 'none'})`,
    );
  }
  const module = /^XPR\(([^)]+)\)/.exec(mains[0])![1];
  const stem = `XPR(${module})`;
  const need = (name: string, what: string): string => {
    if (!names.includes(name)) throw new ImportError(`${folder}: missing ${name} (${what})`);
    return join(folder, name);
  };
  // The usage table's Word file is published as XPR(x)_C.docx or XPR(x)_C_.docx; its text beside it.
  const usage = names.filter((n) => n.startsWith(`${stem}_C`) && n.endsWith('.docx.txt')).sort();
  if (usage.length === 0) {
    throw new ImportError(`${folder}: missing ${stem}_C.docx.txt (the usage table as text: per attribute I/O/F and comment)`);
  }
  return {
    folder,
    module,
    xsd: join(folder, mains[0]),
    codingSchemes: need(`${stem}_CodingSchemes.xsd`, 'the code lists with their codes in appinfo'),
    annotations: need(`${stem}_Annotations.xsd`, 'per-attribute metadata and quality controls'),
    nprTypes: need('NPR.xsd', 'the shared datatypes the schema imports'),
    wordText: need(`${stem}.docx.txt`, 'the text of the Word specification'),
    usageTable: join(folder, usage[0]),
  };
}

// Windows-1252 characters in 0x80–0x9F (undefined positions left as they are).
const CP1252 = new Map<number, string>([
  [0x80, '€'],
  [0x82, '‚'],
  [0x83, 'ƒ'],
  [0x84, '„'],
  [0x85, '…'],
  [0x86, '†'],
  [0x87, '‡'],
  [0x88, 'ˆ'],
  [0x89, '‰'],
  [0x8a, 'Š'],
  [0x8b, '‹'],
  [0x8c, 'Œ'],
  [0x8e, 'Ž'],
  [0x91, '‘'],
  [0x92, '’'],
  [0x93, '“'],
  [0x94, '”'],
  [0x95, '•'],
  [0x96, '–'],
  [0x97, '—'],
  [0x98, '˜'],
  [0x99, '™'],
  [0x9a, 'š'],
  [0x9b, '›'],
  [0x9c, 'œ'],
  [0x9e, 'ž'],
  [0x9f, 'Ÿ'],
]);

/**
 * Read an XML file, decoding by its declared encoding. The publications declare ISO-8859-1
 * but contain Windows-1252 punctuation (0x96 en dash). TextDecoder('latin1') is Windows-1252
 * by the WHATWG Encoding standard, but Node 20 decodes 0x80–0x9F as C1 controls, so those
 * are mapped here.
 */
export function readXmlFile(path: string): string {
  const bytes = readBytes(path);
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const declared = /encoding\s*=\s*["']([^"']+)["']/.exec(head)?.[1]?.toLowerCase();
  const label = !declared || declared === 'utf-8' || declared === 'utf8' ? 'utf-8' : 'latin1';
  if (declared && label === 'latin1' && !['iso-8859-1', 'latin1', 'windows-1252', 'cp1252'].includes(declared)) {
    throw new ImportError(`${path}: unsupported encoding ${declared} (expected ISO-8859-1 or UTF-8)`);
  }
  const text = new TextDecoder(label).decode(bytes);
  return label === 'latin1' ? text.replace(/[\u0080-\u009f]/g, (c) => CP1252.get(c.charCodeAt(0)) ?? c) : text;
}

/** Read a text file exported from Word (UTF-8, CRLF or LF) with line endings normalised. */
export function readTextFile(path: string): string {
  const text = new TextDecoder('utf-8').decode(readBytes(path));
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ImportError(`cannot read ${path}: ${(err as Error).message}`);
  }
}
