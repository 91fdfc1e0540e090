// `kpr spec import --json-schema FILE --message NAME --version V`: drafts
// spec/<id>/<version>.yaml (kind: json) from a JSON Schema as FHI's Swagger page publishes one
// per message type and version. Nothing is written unless the whole schema can be expressed and
// the draft passes the same loader and linter as a hand-written spec.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { hasErrors, type Diagnostic } from '../../diagnostics.ts';
import { loadSpecFile } from '../../load/index.ts';
import { ImportError, type Note } from '../errors.ts';
import { writeFileAtomic } from '../../../runtime/io/atomic.ts';
import { toYaml } from '../yaml-out.ts';
import { readSchemaFile } from './read.ts';
import { translate } from './translate.ts';

export interface JsonSchemaImportOptions {
  /** The schema file. */
  schema: string;
  /** The official type name (HST_Konsultasjon), sent as msg_type. */
  messageType: string;
  /** msg_version as published (1). */
  version: string;
  /** Short id for paths; default: the type name in lower case with - for _ (hst-konsultasjon). */
  id?: string;
  /** Root class name when the schema does not name it. */
  rootName?: string;
  /** The spec folder. */
  out: string;
  force?: boolean;
  /** How the spec names its source; default: the schema's file name. */
  sourceRef?: string;
}

export interface JsonSchemaImportResult {
  specFile?: string;
  written: string[];
  notes: Note[];
  /** Errors: what the schema holds that the spec cannot express (nothing was written). */
  diagnostics: Diagnostic[];
}

export function defaultId(messageType: string): string {
  return messageType.toLowerCase().replace(/_/g, '-');
}

/** Draft the YAML text without writing it. */
export function draftFromJsonSchema(opts: JsonSchemaImportOptions, text?: string): { yaml?: string; notes: Note[]; diagnostics: Diagnostic[] } {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(opts.messageType)) throw new ImportError(`--message "${opts.messageType}" must be the official type name, such as HST_Konsultasjon`);
  if (!/^\d+(\.\d+)*$/.test(opts.version)) throw new ImportError(`--version "${opts.version}" must be the version as published, such as 1`);
  const id = opts.id ?? defaultId(opts.messageType);
  if (!/^[a-z][a-z0-9-]*$/.test(id)) throw new ImportError(`the message id "${id}" must be lower case letters, digits and -; pass --id`);
  const read = readSchemaFile(opts.schema, text);
  if (!read.schema) return { notes: [], diagnostics: read.diagnostics };
  const t = translate(read.schema, {
    id,
    messageType: opts.messageType,
    version: opts.version,
    rootName: opts.rootName,
    sourceRef: opts.sourceRef ?? basename(opts.schema),
  });
  if (!t.draft) return { notes: [], diagnostics: t.diagnostics };
  const yaml = toYaml(t.draft.data, '../spec.schema.json', [
    `Drafted by \`kpr spec import --json-schema\` from ${opts.sourceRef ?? basename(opts.schema)}; every member published there. Review as in docs/spec-import.md.`,
  ]);
  return { yaml, notes: t.draft.notes, diagnostics: [] };
}

export function importJsonSchema(opts: JsonSchemaImportOptions): JsonSchemaImportResult {
  const d = draftFromJsonSchema(opts);
  if (!d.yaml) return { written: [], notes: d.notes, diagnostics: d.diagnostics };
  const id = opts.id ?? defaultId(opts.messageType);
  const specFile = join(opts.out, id, `${opts.version}.yaml`);
  if (existsSync(specFile) && !opts.force) {
    throw new ImportError(`${specFile} exists; it may hold reviewed edits. Run again with --force to overwrite it`);
  }
  // The draft must load as cleanly as a hand-written spec; an error here is the importer's bug.
  const tmp = mkdtempSync(join(tmpdir(), 'kpr-import-'));
  try {
    mkdirSync(join(tmp, id));
    const probe = join(tmp, id, `${opts.version}.yaml`);
    writeFileSync(probe, d.yaml);
    const loaded = loadSpecFile(probe, new Map());
    if (hasErrors(loaded.diagnostics)) {
      throw new ImportError(`the draft does not load (an importer bug; please report it): ${loaded.diagnostics.map((x) => `${x.line}:${x.col} ${x.id} ${x.message}`).join('; ')}`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  writeFileAtomic(specFile, d.yaml, { mkdir: true });
  return { specFile, written: [specFile], notes: d.notes, diagnostics: [] };
}
