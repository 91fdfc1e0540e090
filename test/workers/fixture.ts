// A vendor's setup for the workers' tests: one sandbox (the 2021 KPR API and HelseID), several
// tenants each with its own sender HER-id (registered with the sandbox), EPJ folder and SQLite
// store, one tenants file naming a work queue in PostgreSQL; and `kpr worker` processes.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { MESSAGES } from '../../generated/index.ts';
import { demoMunicipalities, generateRecords } from '../../runtime/demo-data/generate.ts';
import { initSandboxSetup, kommuneYaml, writeRecords } from '../../runtime/init/sandbox-setup.ts';
import { generatedCodec } from '../../runtime/sandbox/generated-codec.ts';
import { type Sandbox, startSandbox } from '../../runtime/sandbox/index.ts';
import { type Ran, spawnKpr } from '../helpers/cli.ts';

export const TODAY = '2026-11-24';
export const FROM = '2024-01-01';
/** Organisation numbers (valid check digits) the tenants act as, one each. */
export const TENANT_ORGS = ['999990002', '999990010', '999990029', '999990037'];

export interface Vendor {
  dir: string;
  /** The sandbox's files before anything was sent: each trial starts a sandbox on a copy. */
  pristineSandbox: string;
  tenants: { id: string; herId: number; seed: string }[];
  signerCertPem: string;
  baseYaml: Record<string, any>;
}

export async function makeVendor(tenants: number, children: number): Promise<Vendor> {
  const dir = mkdtempSync(join(tmpdir(), 'kpr-workers-'));
  const setup = await initSandboxSetup({ dir: join(dir, 'base'), seed: 'workers', children: 0, today: TODAY, port: 0, extract: 'none' });
  const baseYaml = parse(readFileSync(setup.configFile, 'utf8')) as Record<string, any>;
  const abs = (p: string) => resolve(setup.dir, p);
  baseYaml.helseid.jwkFile = abs(baseYaml.helseid.jwkFile);
  baseYaml.helseid.timeoutMs = 5000;
  baseYaml.certificates.signing.certFile = abs(baseYaml.certificates.signing.certFile);
  baseYaml.certificates.signing.keyFile = abs(baseYaml.certificates.signing.keyFile);
  baseYaml.certificates.receiverEncryptionCertFile = abs(baseYaml.certificates.receiverEncryptionCertFile);
  baseYaml.mapping = abs(baseYaml.mapping);
  // Small messages, so a run has several points to be killed at.
  baseYaml.batch = { maxConsultations: 20, recordsPerTransaction: 50 };
  const list = Array.from({ length: tenants }, (_, i) => ({ id: `t${i}`, herId: Number(baseYaml.sender.herId) + i, seed: `vendor-${i}` }));
  for (const t of list) {
    const epj = join(dir, 'epj', t.id);
    mkdirSync(epj, { recursive: true });
    // Consultation and child ids of their own per tenant (K1…, P1… for t1), as two EPJs would have.
    const digit = String(list.indexOf(t));
    const own = function* () {
      for (const r of generateRecords({ children, from: FROM, to: TODAY, seed: t.seed, badRate: 0 })) yield JSON.parse(JSON.stringify(r).replace(/"([KP])0/g, `"$1${digit}`));
    };
    await writeRecords(join(epj, 'extract.ndjson'), own());
  }
  return {
    dir,
    pristineSandbox: setup.sandboxDir,
    tenants: list,
    signerCertPem: readFileSync(baseYaml.certificates.signing.certFile, 'utf8'),
    baseYaml,
  };
}

export interface Trial {
  dir: string;
  tenantsFile: string;
  sandbox: Sandbox;
}

/**
 * A fresh trial: the sandbox started on a copy of the pristine one (every tenant's HER-id
 * registered), empty SQLite stores, and a tenants file whose queue is `queueUrl`. With
 * `apiUrl` the tenants send the KPR API's requests there (a counting proxy), HelseID direct.
 */
export async function startTrial(v: Vendor, name: string, queueUrl: string, workers: Record<string, unknown>, apiUrl?: (sandboxUrl: string) => Promise<string>): Promise<Trial> {
  const dir = join(v.dir, name);
  mkdirSync(dir, { recursive: true });
  cpSync(v.pristineSandbox, join(dir, 'sandbox'), { recursive: true });
  const sandbox = await startSandbox({ dataDir: join(dir, 'sandbox'), port: 0, host: '127.0.0.1', codec: generatedCodec(MESSAGES), pkiDir: join(dir, 'sandbox', 'pki') });
  for (const t of v.tenants) if (String(t.herId) !== sandbox.senderHerId) sandbox.registerSender(String(t.herId), v.signerCertPem);
  const api = apiUrl ? await apiUrl(sandbox.url) : sandbox.url;
  const { sender, source: _s, database: _d, ...defaults } = v.baseYaml;
  defaults.api = { ...defaults.api, baseUrl: api, helseidAuthority: sandbox.url };
  const lines = [
    'store: { kind: sqlite, dir: state }',
    `workers: ${JSON.stringify({ queue: { url: queueUrl }, ...workers })}`,
    `defaults: ${JSON.stringify(defaults)}`,
    'tenants:',
  ];
  for (const t of v.tenants) {
    lines.push(
      `  - id: ${t.id}`,
      '    sender:',
      `      herId: ${t.herId}`,
      `      orgNr: "${sender.orgNr}"`,
      `      Kontaktperson: ${JSON.stringify(sender.Kontaktperson)}`,
      '      Kommune:',
      // A kommune belongs to one tenant (TEN2002): tenant i reports for the demo's i-th. The demo's
      // records all name the first one's units, which only warns (REC4008) for the others.
      kommuneYaml([demoMunicipalities({ seed: t.seed, municipalities: v.tenants.length })[v.tenants.indexOf(t)]!], '        '),
      `    source: { type: folder, path: ${JSON.stringify(join(v.dir, 'epj', t.id))} }`,
      // The vendor's client acting for the tenant's organisation (TEN3002 without it).
      `    helseid: { orgNumbers: { parent: "${TENANT_ORGS[v.tenants.indexOf(t)]}" } }`,
    );
  }
  const tenantsFile = join(dir, 'tenants.yaml');
  writeFileSync(tenantsFile, `${lines.join('\n')}\n`);
  return { dir, tenantsFile, sandbox };
}

export type { Ran };

/** `kpr <args>` as a child process; `onStderr` sees its progress as it comes. */
export function kpr(args: string[], onStderr?: (text: string, child: ChildProcess) => void): Promise<Ran> {
  return spawnKpr(args, { onStderr });
}

/** What the receiver holds, less what differs between two correct runs (GUIDs of chain heads). */
export function holdings(s: Sandbox): { consultations: Record<string, unknown>; notifications: Record<string, number> } {
  const state = s.state();
  return {
    consultations: state.consultations,
    notifications: Object.fromEntries(Object.entries(state.senders).map(([id, x]) => [id, x.notifications])),
  };
}

export interface Counter {
  url: string;
  max: number;
  arrivals: number[];
  pausedAt?: number;
  close(): void;
}

/**
 * A proxy to `target` that counts the requests in flight as the receiver sees them (those
 * `counts` picks), and answers the `refuseAt`-th with 429 and Retry-After.
 */
export async function countingProxy(target: string, refuseAt: number, retryAfterS: number, counts: (method: string, path: string) => boolean = () => true): Promise<Counter> {
  const to = new URL(target);
  let inFlight = 0;
  let seen = 0;
  const c: Counter = { url: '', max: 0, arrivals: [], close: () => srv.close() };
  const srv = createServer((req, res) => {
    const counted = counts(req.method ?? '', req.url ?? '');
    if (counted) {
      seen++;
      c.arrivals.push(Date.now());
      inFlight++;
      c.max = Math.max(c.max, inFlight);
    }
    let open = counted;
    const done = () => {
      if (open) inFlight--;
      open = false;
    };
    if (counted && seen === refuseAt) {
      c.pausedAt = Date.now();
      req.resume();
      req.on('end', () => {
        setTimeout(() => {
          done();
          res.writeHead(429, { 'retry-after': String(retryAfterS), 'content-type': 'application/json' });
          res.end(JSON.stringify({ errorMessage: 'too many requests' }));
        }, 20);
      });
      return;
    }
    // The Host header goes on as the client wrote it: the DPoP proof names this proxy's URL.
    const up = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
      r.on('end', done);
    });
    up.on('error', () => {
      done();
      res.destroy();
    });
    req.pipe(up);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  c.url = `http://127.0.0.1:${(srv.address() as { port: number }).port}`;
  return c;
}
