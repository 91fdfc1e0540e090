// Where the official specifications are, and xmllint as the independent judge of our XML.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from './cli.ts';

export function referenceDir(): string {
  const dir = process.env.KPR_REFERENCE_DIR ?? resolve(REPO_ROOT, '../shared/reference/dhhr-api/message-spesifications');
  if (!existsSync(dir)) {
    throw new Error(`official specifications not found at ${dir}; set KPR_REFERENCE_DIR to the folder holding hst-56.0.0/ and iplos-56.0.0/`);
  }
  return dir;
}

export function officialXsd(message: 'hst' | 'iplos'): string {
  return message === 'hst' ? join(referenceDir(), 'hst-56.0.0', 'XPR(hst).xsd') : join(referenceDir(), 'iplos-56.0.0', 'XPR(ipl).xsd');
}

/** Validate an XML file against the official XSD with xmllint; returns '' when valid, else xmllint's complaint. */
export function xmllint(file: string, message: 'hst' | 'iplos'): string {
  const r = spawnSync('xmllint', ['--noout', '--schema', officialXsd(message), file], { encoding: 'utf8' });
  if (r.error) throw new Error(`xmllint is needed to validate XML (Debian: apt-get install libxml2-utils): ${r.error.message}`);
  return r.status === 0 ? '' : r.stderr.trim();
}

/** FHI's one public SLASH message body (HST_Avtale 1, random test values), from ../shared/reference/fhi-slash/. */
export function fhiSlashSample(): string {
  const file = resolve(process.env.KPR_FHI_SLASH_DIR ?? resolve(REPO_ROOT, '../shared/reference/fhi-slash'), 'hst_avtale_test_message.json');
  if (!existsSync(file)) throw new Error(`FHI's SLASH sample not found at ${file}; set KPR_FHI_SLASH_DIR to the folder holding hst_avtale_test_message.json`);
  return file;
}
