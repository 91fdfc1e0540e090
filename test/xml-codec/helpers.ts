// Shared by the XML codec tests: load a spec, emit its codec (and the types it imports) into a
// throw-away tree laid out like the repository (generated/<m>/<v>/, runtime/ linked), import it,
// and validate documents with xmllint against the official XSD.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { emitTypes } from '../../generator/emit/types.ts';
import { classShape, emitXmlCodec } from '../../generator/emit/xml-codec.ts';
import { loadCodeLists, loadSpecFile } from '../../generator/load/index.ts';
import type { MessageSpec } from '../../generator/model/types.ts';
import type { MessageShape } from '../../runtime/xml/read.ts';

export const REPO = resolve(import.meta.dirname, '../..');

export function loadSpec(specDir: string, file: string): MessageSpec {
  const lists = loadCodeLists(join(specDir, 'codelists'));
  const r = loadSpecFile(file, lists.value!);
  if (!r.value) throw new Error(`spec ${file} did not load:\n${r.diagnostics.map((d) => JSON.stringify(d)).join('\n')}`);
  return r.value;
}

/** The shape tables the emitter writes into xml.ts (its SHAPE), from the spec model. */
export function shapeOf(spec: MessageSpec): MessageShape {
  return { namespace: spec.namespace, root: spec.root, classes: Object.fromEntries(spec.classes.map((c) => [c.name, classShape(c)])) };
}

export interface Codec<T = any> {
  toXml(m: T, opts?: { declaration?: boolean }): string;
  fromXml(xml: string | Uint8Array): T;
  elementToXml(element: string, value: unknown): unknown;
  ELEMENT_ORDER: Readonly<Record<string, readonly string[]>>;
  ATTRIBUTE_ORDER: Readonly<Record<string, readonly string[]>>;
  NAMESPACE: string;
  XmlCodecError: new (...args: any[]) => Error;
}

/** Emit codec and types into a fresh tree; returns the tree's root and the codec's folder. */
export async function emitTree(spec: MessageSpec): Promise<{ root: string; dir: string }> {
  const root = mkdtempSync(join(tmpdir(), 'kpr-xml-codec-'));
  const dir = join(root, 'generated', spec.message, spec.version);
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(REPO, 'runtime'), join(root, 'runtime'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'package.json'), '{"type":"module"}\n');
  writeFileSync(join(dir, 'xml.ts'), emitXmlCodec(spec, spec.file));
  writeFileSync(join(dir, 'types.ts'), await emitTypes(spec, spec.file));
  return { root, dir };
}

export async function importCodec(dir: string): Promise<Codec> {
  return (await import(pathToFileURL(join(dir, 'xml.ts')).href)) as Codec;
}

/** Type-check the emitted tree with the repository's compiler; returns its output ('' when clean). */
export function typecheck(root: string): string {
  writeFileSync(
    join(root, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        noEmit: true,
        types: ['node'],
      },
      include: ['generated/**/*.ts'],
    }),
  );
  const r = spawnSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', join(root, 'tsconfig.json')], { encoding: 'utf8' });
  return (r.stdout + r.stderr).trim() + (r.status === 0 ? '' : `\n(exit ${r.status})`);
}

/** xmllint, or a clear failure: the tests judge our XML by the official XSD, not by our own parser. */
export function requireXmllint(): void {
  const r = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error('xmllint is not installed: the XML codec tests validate against the official XSD with it (Debian/Ubuntu: apt-get install libxml2-utils)');
  }
}

/** Validate files with xmllint against an XSD; returns xmllint's complaints ('' when all valid). */
export function xmllint(xsd: string, files: string[]): string {
  const r = spawnSync('xmllint', ['--noout', '--schema', xsd, ...files], { encoding: 'utf8' });
  if (r.status === 0) return '';
  return (r.stderr || r.stdout || `xmllint exit ${r.status}`).trim();
}
