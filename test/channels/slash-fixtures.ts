// A SLASH setup against the sandbox for the channel's tests: kpr.yaml (channel: slash, the
// sandbox's URL and client), an export folder of appointment lines (passthrough: each line
// carries its unit and the `avtale` as HST_Avtale 1 has it), and the sandbox's ledger read as
// the EPJ's truth per unit.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, type KprConfig } from '../../runtime/config/load.ts';
import type { Sandbox } from '../../runtime/sandbox/index.ts';
import type { ContentOf } from '../../runtime/sandbox/slash/index.ts';
import { startSlashSandbox } from '../sandbox/slash/fixtures.ts';
import { tmpDir } from '../sandbox/fixtures.ts';

export const UNITS = ['999999905', '999999913', '999999921'];

/** The ledger's reading of HST_Avtale 1's lists (the sandbox itself knows no message type). */
export const avtaleContent: ContentOf = (_type, _version, unit) => [
  ...((unit.slettAvtale ?? []) as Array<{ avtaleId: string; erSlettet: boolean }>).filter((d) => d.erSlettet).map((d) => ({ id: d.avtaleId, deleted: true })),
  ...((unit.avtale ?? []) as Array<{ avtaleId: string }>).map((a) => ({ id: a.avtaleId, deleted: false, content: a })),
];

export function startAvtaleSandbox(): Promise<Sandbox> {
  return startSlashSandbox(tmpDir('kpr-pki-'), { slash: { contentOf: avtaleContent } });
}

export interface Line {
  orgNr?: string | number;
  kommuneNr?: number;
  id: string;
  /** YYYY-MM-DD */
  day: string;
  changedAt: string;
  deleted?: boolean;
  status?: number;
}

export function lineText(l: Line): string {
  const rec: Record<string, unknown> = { changedAt: l.changedAt };
  if (l.orgNr !== undefined) rec.orgNr = l.orgNr;
  if (l.kommuneNr !== undefined) rec.kommuneNr = l.kommuneNr;
  if (l.deleted) {
    rec.deleted = true;
    rec.avtaleId = l.id;
  } else {
    rec.avtale = { avtaleId: l.id, datoTid: `${l.day}T10:00:00+01:00`, konsultasjonType: 'PQ', oppmoteStatus: l.status ?? 1, avdeling: { lokalenhetId: 'HS1' } };
  }
  return JSON.stringify(rec);
}

export function slashSetup(sb: Sandbox, files: Record<string, Line[] | string>, slashExtra = '', extra = ''): { dir: string; config: () => KprConfig } {
  const dir = tmpDir('kpr-slash-');
  mkdirSync(join(dir, 'exports'));
  for (const [name, lines] of Object.entries(files)) writeFileSync(join(dir, 'exports', name), typeof lines === 'string' ? lines : `${lines.map(lineText).join('\n')}\n`);
  writeFileSync(
    join(dir, 'kpr.yaml'),
    `channel: slash
profile: sandbox
api: { baseUrl: ${sb.url}, helseidAuthority: ${sb.url} }
helseid:
  clientId: ${sb.clientId}
  jwkFile: ${sb.files.clientJwkFile}
  scopes: ["${sb.connection.slashScope}"]
message: { spec: hst-avtale@1 }
slash:
  vendor: { vendorName: Acme EPJ AS, softwareName: Acme Journal, softwareVersion: "4.2.0", exportSoftwareVersion: kpr-kit 0.1.0 }
${slashExtra}source: { type: folder, path: exports }
batch: { recordsPerTransaction: 7 }
${extra}`,
  );
  return { dir, config: () => loadConfig(join(dir, 'kpr.yaml')) };
}

/** Per unit the deliveries' first item months in arrival order, and the current content per id. */
export function ledgerView(sb: Sandbox) {
  const st = sb.slash.state();
  const content: Record<string, Record<string, unknown>> = {};
  for (const [org, types] of Object.entries(st.content)) {
    content[org] = Object.fromEntries(Object.entries(types.HST_Avtale ?? {}).map(([id, s]) => [id, s.deleted ? 'deleted' : s.content]));
  }
  const hashes: Record<string, string[]> = {};
  for (const [org, ds] of Object.entries(st.units)) hashes[org] = ds.map((d) => d.msgHash);
  return { content, hashes, deliveries: st.deliveries };
}

/** The EPJ's truth: the latest version per (unit, id) of the lines, deletions marked. */
export function truth(lines: Line[]): Record<string, Record<string, unknown>> {
  const latest = new Map<string, Line>();
  for (const l of lines) {
    if (l.orgNr === undefined) continue;
    const k = `${l.orgNr}|${l.id}`;
    const was = latest.get(k);
    if (!was || was.changedAt <= l.changedAt) latest.set(k, l);
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const l of [...latest.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const org = String(l.orgNr);
    if (l.deleted) {
      // A deletion of an item never delivered is nothing to the receiver.
      if (!lines.some((x) => x !== l && x.orgNr === l.orgNr && x.id === l.id && !x.deleted && x.changedAt < l.changedAt)) continue;
      (out[org] ??= {})[l.id] = 'deleted';
    } else (out[org] ??= {})[l.id] = (JSON.parse(lineText(l)) as { avtale: unknown }).avtale;
  }
  return out;
}
