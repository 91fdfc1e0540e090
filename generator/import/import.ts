// Imports one official message package into the spec folder: reads the five sources, merges
// its code lists with the shared ones, builds the message file, checks both against the JSON
// Schemas, and only then writes (atomically). Returns what it wrote and the review notes.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { readAnnotations } from './annotations.ts';
import { buildSpec, type Sources } from './build-spec.ts';
import { readCodingSchemes } from './coding-schemes.ts';
import { fromScheme, mergeCodeList, type CodeListFile } from './codelists.ts';
import { ImportError, Notes, type Note } from './errors.ts';
import { findPackageFiles, readTextFile, readXmlFile } from './package-files.ts';
import { readUsageTable } from './usage-table.ts';
import { readWordText } from './word-text.ts';
import { readXsdStructure } from './xsd-structure.ts';
import { writeFileAtomic } from '../../runtime/io/atomic.ts';
import { toYaml } from './yaml-out.ts';

export interface ImportOptions {
  /** Folder of one official package. */
  from: string;
  /** Short message id: hst, iplos. */
  message: string;
  /** The spec folder (holds <message>/ and codelists/). */
  out: string;
  force?: boolean;
}

export interface ImportResult {
  specFile: string;
  written: string[];
  notes: Note[];
}

const SCHEMA_DIR = fileURLToPath(new URL('../../spec/', import.meta.url));

/** Read and cross-check a package without writing anything. */
export function readSources(from: string): Sources {
  const files = findPackageFiles(from);
  return {
    files: { xsd: files.xsd, annotations: files.annotations, codingSchemes: files.codingSchemes, wordText: files.wordText, usageTable: files.usageTable },
    xsd: readXsdStructure(readXmlFile(files.xsd), files.xsd, readXmlFile(files.nprTypes), files.nprTypes),
    schemes: readCodingSchemes(readXmlFile(files.codingSchemes), files.codingSchemes),
    annotations: readAnnotations(readXmlFile(files.annotations), files.annotations),
    word: readWordText(readTextFile(files.wordText), files.wordText),
    usage: readUsageTable(readTextFile(files.usageTable), files.usageTable),
  };
}

function readExistingCodeList(path: string): CodeListFile | undefined {
  if (!existsSync(path)) return undefined;
  let data: unknown;
  try {
    data = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ImportError(`${path}: cannot merge into this code list, it is not valid YAML: ${(err as Error).message}`);
  }
  const d = data as CodeListFile;
  if (!d || typeof d !== 'object' || !Array.isArray(d.codes) || typeof d.number !== 'string') {
    throw new ImportError(`${path}: cannot merge into this code list: expected number (a string) and codes (a list)`);
  }
  return d;
}

function validator(schemaFile: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  return ajv.compile(JSON.parse(readFileSync(join(SCHEMA_DIR, schemaFile), 'utf8')));
}

export function importPackage(opts: ImportOptions): ImportResult {
  if (!/^[a-z][a-z0-9-]*$/.test(opts.message)) throw new ImportError(`--message "${opts.message}" must be a short lower-case id such as hst or iplos`);
  const src = readSources(opts.from);
  const notes = new Notes();

  // This message's code lists, merged into the shared ones.
  const published = new Map<string, CodeListFile>();
  for (const s of src.schemes.values()) {
    const list = fromScheme(s);
    const seen = published.get(list.number);
    if (seen && JSON.stringify(seen.codes) !== JSON.stringify(list.codes)) {
      throw new ImportError(`${src.files.codingSchemes}: code list ${list.number} is published twice with different codes`);
    }
    published.set(list.number, list);
  }
  const shared = new Map<string, CodeListFile>();
  const local = new Map<string, CodeListFile>();
  for (const [number, list] of [...published].sort(([a], [b]) => Number(a) - Number(b))) {
    const path = join(opts.out, 'codelists', `${number}.yaml`);
    const merged = mergeCodeList(readExistingCodeList(path), list);
    shared.set(number, merged.shared);
    if (merged.nameDiffers) notes.add(`codelist ${number}`, `name: shared list "${merged.shared.name}", this message "${list.name}"; the shared name is kept`);
    if (merged.conflicts.length) {
      local.set(number, list);
      const which = merged.conflicts.map(
        (c) => `${c.code} "${c.message.text}"${c.message.comment ? ` (${c.message.comment})` : ''} vs "${c.shared.text}"${c.shared.comment ? ` (${c.shared.comment})` : ''}`,
      );
      notes.add(`codelist ${number}`, `this message publishes other texts than the shared list (${which.join('; ')}); the message file keeps its own copy under codelists:`);
    }
  }

  let spec = buildSpec(opts.message, src, { sharedCodes: (n) => shared.get(n)?.codes.map((c) => c.code) ?? [], isLocal: (n) => local.has(n) }, notes);
  if (local.size) {
    // `codelists:` goes before `classes:` in the file.
    const { classes, ...head } = spec;
    const codelists: Record<string, unknown> = {};
    for (const [n, l] of local) codelists[n] = { name: l.name, oid: l.oid, codes: l.codes };
    spec = { ...head, codelists, classes };
  }

  const specFile = join(opts.out, opts.message, `${spec.version as string}.yaml`);
  if (existsSync(specFile) && !opts.force) {
    throw new ImportError(`${specFile} exists; it may hold reviewed edits. Run again with --force to overwrite it (code lists are always merged, never overwritten)`);
  }

  const validSpec = validator('spec.schema.json');
  if (!validSpec(spec)) {
    throw new ImportError(`the imported spec does not validate against spec/spec.schema.json: ${validSpec.errors!.map((e) => `${e.instancePath} ${e.message}`).join('; ')}`);
  }
  const validList = validator('codelist.schema.json');
  const texts = new Map<string, string>();
  for (const [n, list] of shared) {
    if (!validList(list))
      throw new ImportError(`code list ${n} does not validate against spec/codelist.schema.json: ${validList.errors!.map((e) => `${e.instancePath} ${e.message}`).join('; ')}`);
    texts.set(join(opts.out, 'codelists', `${n}.yaml`), toYaml(list, '../codelist.schema.json'));
  }
  const source = basename(src.files.xsd);
  texts.set(
    specFile,
    toYaml(spec, '../spec.schema.json', [`Drafted by \`kpr spec import\` from ${source} (schema ${src.xsd.version}) and its companion files; review as in docs/spec-import.md.`]),
  );
  const written: string[] = [];
  for (const [path, text] of texts) {
    const before = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (before === text) continue;
    writeFileAtomic(path, text, { mkdir: true });
    written.push(path);
  }
  return { specFile, written, notes: notes.list };
}
