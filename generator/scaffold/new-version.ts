// `kpr spec new`: the next version of a message, scaffolded from the previous one so that a spec
// maintainer starts from a file that already loads and only edits what the new publication
// changes. Edits are spliced into the original text at the YAML nodes' positions, so comments,
// quoting and layout stay exactly as the maintainer left them.

import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isMap, isPair, isScalar, parseDocument, type Scalar, visit } from 'yaml';

export interface NewVersionOptions {
  /** The spec root holding `<message>/<version>.yaml` and `codelists/`. */
  specDir: string;
  message: string;
  version: string;
  from: string;
  validFrom: string;
  /** Utgitt dato; the caller decides (normally today). */
  published: string;
  status: string;
}

export interface Scaffold {
  file: string;
  text: string;
  /** What was changed, for the command's report. */
  edits: { key: string; from: string; to: string }[];
}

const VERSION = /^\d+\.\d+\.\d+$/;
/** A JSON message type's msg_version: as published (1, 2, or 1.1). */
const JSON_VERSION = /^\d+(\.\d+)*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class ScaffoldError extends Error {}

/** The new file's text; nothing is written. */
export function scaffoldVersion(o: NewVersionOptions): Scaffold {
  const json = isJsonMessage(join(o.specDir, o.message, `${o.from}.yaml`));
  const form = json ? JSON_VERSION : VERSION;
  if (!form.test(o.version)) throw new ScaffoldError(`version ${o.version} is not of the form ${json ? '2' : '57.0.0'}`);
  if (!form.test(o.from)) throw new ScaffoldError(`--from ${o.from} is not of the form ${json ? '1' : '56.0.0'}`);
  for (const [name, d] of [
    ['--valid-from', o.validFrom],
    ['--published', o.published],
  ] as const) {
    if (!DATE.test(d)) throw new ScaffoldError(`${name} ${d} is not a date of the form YYYY-MM-DD`);
  }
  const source = join(o.specDir, o.message, `${o.from}.yaml`);
  const file = join(o.specDir, o.message, `${o.version}.yaml`);
  if (!existsSync(source)) throw new ScaffoldError(`no ${source} to start from`);
  if (existsSync(file)) throw new ScaffoldError(`${file} already exists; not overwriting it`);

  const original = readFileSync(source, 'utf8');
  const doc = parseDocument(original);
  if (doc.errors.length) throw new ScaffoldError(`${source} is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
  const get = (path: (string | number)[]) => {
    const node = doc.getIn(path, true);
    return isScalar(node) ? node : undefined;
  };

  const edits: Scaffold['edits'] = [];
  const splices: { start: number; end: number; text: string }[] = [];
  const set = (key: string, node: Scalar | undefined, value: string) => {
    if (!node?.range) throw new ScaffoldError(`${source} has no ${key} to update`);
    const old = String(node.value);
    if (old === value) return;
    edits.push({ key, from: old, to: value });
    splices.push({ start: node.range[0], end: node.range[1], text: scalarText(value, node.type) });
  };

  if (json) {
    jsonEdits(doc, original, o, set, splices, edits);
    return finish(original, splices, o, file, edits, doc);
  }
  const oldToken = o.from.replace(/\./g, '_'),
    newToken = o.version.replace(/\./g, '_');
  const ns = get(['namespace']);
  set('version', get(['version']), o.version);
  // The XSD's build number starts again at 1 for a new version.
  set('schemaVersion', get(['schemaVersion']), `${o.version}.1`);
  if (ns && String(ns.value).includes(oldToken)) set('namespace', ns, String(ns.value).split(oldToken).join(newToken));
  set('validFrom', get(['validFrom']), o.validFrom);
  set('published', get(['published']), o.published);
  set('status', get(['status']), o.status);
  // Melding/@versjon carries the version as a fixed value.
  const root = String(get(['root'])?.value ?? 'Melding');
  const versjon = get(['classes', root, 'attributes', 'versjon', 'fixed']);
  if (versjon && String(versjon.value) === o.from) set(`${root}/@versjon fixed`, versjon, o.version);

  return finish(original, splices, o, file, edits, doc);
}

type Splice = { start: number; end: number; text: string };

function finish(original: string, splices: Splice[], o: NewVersionOptions, file: string, edits: Scaffold['edits'], doc: ReturnType<typeof parseDocument>): Scaffold {
  let text = original;
  for (const s of splices.sort((x, y) => y.start - x.start)) text = text.slice(0, s.start) + s.text + text.slice(s.end);
  text = addNote(
    text,
    `# Scaffolded by \`kpr spec new\` from ${o.from}: edit what the new publication changes, then \`kpr spec diff ${o.message}@${o.from} ${o.message}@${o.version}\`.`,
  );
  if (!isMap(doc.contents)) throw new ScaffoldError(`${file} is not a mapping`);
  return { file, text, edits };
}

function isJsonMessage(source: string): boolean {
  if (!existsSync(source)) return false;
  const kind = parseDocument(readFileSync(source, 'utf8')).get('kind');
  return kind === 'json';
}

/**
 * A JSON message type: version, status and dates (added after `status` when the file has none),
 * and every member's provenance turned from published to inferred. What version 1's schema
 * published is only a guess about version 2 until version 2's schema says so; `kpr spec diff`
 * then shows which guesses a re-import confirms.
 */
function jsonEdits(
  doc: ReturnType<typeof parseDocument>,
  original: string,
  o: NewVersionOptions,
  set: (key: string, node: Scalar | undefined, value: string) => void,
  splices: Splice[],
  edits: Scaffold['edits'],
) {
  const scalar = (path: string[]) => {
    const node = doc.getIn(path, true);
    return isScalar(node) ? node : undefined;
  };
  set('version', scalar(['version']), o.version);
  set('status', scalar(['status']), o.status);
  const status = scalar(['status'])!;
  // Inserted at one place, the later splice lands first: published then validFrom, as in XML specs.
  for (const key of ['validFrom', 'published'] as const) {
    const value = key === 'published' ? o.published : o.validFrom;
    const node = scalar([key]);
    if (node) set(key, node, value);
    else {
      edits.push({ key, from: '(none)', to: value });
      const eol = original.indexOf('\n', status.range![1]);
      const at = eol === -1 ? original.length : eol;
      splices.push({ start: at, end: at, text: `\n${key}: ${value}` });
    }
  }
  let carried = 0;
  visit(doc, {
    Pair(_, pair, path) {
      if (!isScalar(pair.key) || pair.key.value !== 'status' || !isScalar(pair.value) || pair.value.value !== 'published') return;
      const parent = path[path.length - 2];
      if (!isPair(parent) || !isScalar(parent.key) || parent.key.value !== 'provenance') return;
      const r = pair.value.range!;
      splices.push({ start: r[0], end: r[1], text: 'inferred' });
      carried++;
    },
  });
  if (carried) edits.push({ key: 'provenance', from: `${carried} published`, to: `${carried} inferred until the ${o.version} publication confirms them` });
}

/** Write the scaffold without ever replacing an existing file (link fails if it appeared meanwhile). */
export function writeScaffold(s: Scaffold): void {
  mkdirSync(dirname(s.file), { recursive: true });
  const tmp = `${s.file}.${process.pid}.tmp`;
  writeFileSync(tmp, s.text);
  try {
    linkSync(tmp, s.file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ScaffoldError(`${s.file} already exists; not overwriting it`);
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** Keep the scalar's quoting where the new value allows it. */
function scalarText(value: string, type: Scalar['type']): string {
  const plainSafe = /^[A-Za-z0-9][A-Za-z0-9 _.,:/()-]*$/.test(value) && !/: | #|\s$/.test(value) && !/^(true|false|null|~|[-+]?\d+(\.\d+)?)$/i.test(value);
  if (type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (type === 'QUOTE_DOUBLE' || !plainSafe) return JSON.stringify(value);
  return value;
}

/** Put a note after the leading comment lines (the yaml-language-server line stays first). */
function addNote(text: string, note: string): string {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && lines[i].startsWith('#')) i++;
  lines.splice(i, 0, note);
  return lines.join('\n');
}
