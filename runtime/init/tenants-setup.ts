// `kpr init --profile sandbox --tenants N --store sqlite|postgres --dir D`: a vendor's setup for
// the local sandbox. One tenants file (docs/tenants.md) with N tenants, each a municipality of
// its own (its organisation number, units, contact persons, and with the 2021 channel its
// HER-id), each with a demo EPJ extract of its own seed; the vendor's multi-tenant HelseID client
// in `defaults`, each tenant naming its organisation; the mapping and the sandbox's data folder
// shared. Written the way the single setup is (sandbox-setup.ts): in a staging folder, moved
// into place when complete. `kpr tenants check` passes on it.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { OBLIGATION_START } from '../cli/dates.ts';
import { UserError } from '../cli/program.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { makePrivateDir } from '../io/private.ts';
import { generateAppointments } from '../demo-data/appointments.ts';
import { demoMunicipalities, generateRecords } from '../demo-data/generate.ts';
import { MAX_MUNICIPALITIES, type Municipality } from '../demo-data/population.ts';
import { organisasjonsnummerCheckDigit } from '../rules/identifiers.ts';
import { readSenders, saveSenders } from '../sandbox/setup.ts';
import { kommuneYaml, prepareSandbox, type SandboxSetupOptions, staged, writeDemoMapping, writeRecords } from './sandbox-setup.ts';

export const MAX_TENANTS = MAX_MUNICIPALITIES;

export interface TenantsSetupOptions extends Omit<SandboxSetupOptions, 'extract'> {
  tenants: number;
  store: 'sqlite' | 'postgres';
}

export interface TenantPlan {
  id: string;
  /** The tenant's seed, derived from the setup's. */
  seed: string;
  municipality: Municipality;
  /** The municipality's organisation number: the tokens' orgnr_parent. */
  orgNr: string;
  /** The 2021 channel's sender. */
  herId: number;
  records: number;
}

export interface TenantsSetup {
  dir: string;
  tenantsFile: string;
  sandboxDir: string;
  url: string;
  port: number;
  tenants: TenantPlan[];
}

/** A tenant id from a municipality's name: Tromsø → tromso, Bærum → baerum. */
export function tenantId(name: string): string {
  return name
    .toLowerCase()
    .replaceAll('æ', 'ae')
    .replaceAll('ø', 'o')
    .replaceAll('å', 'a')
    .normalize('NFD')
    .replace(/[^a-z0-9]/g, '');
}

/** A synthetic organisation number (starting with 3, valid mod 11) fixed by `seed` and `salt`. */
function syntheticOrgNr(seed: string, salt: string, taken: Set<string>): string {
  for (let n = 0; ; n++) {
    const h = createHash('sha256').update(`${seed}\0${salt}\0${n}`).digest().readUInt32BE(0);
    const first8 = `3${String(h % 10_000_000).padStart(7, '0')}`;
    const k = organisasjonsnummerCheckDigit(first8);
    if (k !== null && !taken.has(first8 + k)) {
      taken.add(first8 + k);
      return first8 + k;
    }
  }
}

/** Who the tenants are: a function of the seed and N alone. */
export function planTenants(seed: string, n: number): Omit<TenantPlan, 'records'>[] {
  const taken = new Set<string>();
  return Array.from({ length: n }, (_, i) => {
    const tenantSeed = `${seed}.${i + 1}`;
    const municipality = demoMunicipalities({ seed: tenantSeed, municipalities: 1, firstMunicipality: i })[0]!;
    return { id: tenantId(municipality.name), seed: tenantSeed, municipality, orgNr: syntheticOrgNr(seed, municipality.number, taken), herId: 8_300_001 + i };
  });
}

export async function initTenantsSetup(opts: TenantsSetupOptions): Promise<TenantsSetup> {
  if (!Number.isInteger(opts.tenants) || opts.tenants < 1 || opts.tenants > MAX_TENANTS)
    throw new UserError(`--tenants must be from 1 to ${MAX_TENANTS} (one demo municipality each), got ${opts.tenants}`);
  const built = await staged(opts.dir, 'tenants.yaml', opts.force, (staging) => writeTenantsSetup(staging, opts));
  return { dir: opts.dir, tenantsFile: join(opts.dir, 'tenants.yaml'), sandboxDir: join(opts.dir, 'sandbox'), ...built };
}

async function writeTenantsSetup(dir: string, opts: TenantsSetupOptions) {
  const channel = opts.channel ?? 'slash';
  const sandboxDir = join(dir, 'sandbox');
  makePrivateDir(sandboxDir);
  const { url, port, prepared, c } = await prepareSandbox(sandboxDir, opts.port);
  writeDemoMapping(dir, channel);

  const plans = planTenants(opts.seed, opts.tenants);
  if (channel === 'kneik') {
    // The sandbox's 2021 API takes a Melding from a HER-id whose signing certificate it knows:
    // every tenant signs with the test certificate.
    const senders = readSenders(prepared.files);
    for (const p of plans) senders[String(p.herId)] = [prepared.pki.sender.certPem];
    saveSenders(prepared.files, senders);
  }
  const tenants: TenantPlan[] = [];
  for (const p of plans) {
    const epj = join(dir, 'epj', p.id);
    makePrivateDir(epj);
    const gen = {
      children: opts.children,
      from: opts.from ?? OBLIGATION_START,
      to: opts.today,
      seed: p.seed,
      badRate: opts.badRate ?? 0,
      municipalities: 1,
      firstMunicipality: plans.indexOf(p),
      idOffset: plans.indexOf(p) * opts.children,
    };
    const records = await writeRecords(join(epj, 'extract.ndjson'), channel === 'slash' ? generateAppointments(gen) : generateRecords(gen));
    tenants.push({ ...p, records });
  }
  const rel = (p: string) => relative(dir, p);
  writeFileAtomic(
    join(dir, 'tenants.yaml'),
    tenantsText({
      channel,
      store: opts.store,
      sandboxRel: rel(sandboxDir),
      url,
      receiverHerId: String(c.toHerId),
      clientId: c.clientId,
      scope: channel === 'slash' ? c.slashScope : c.scopes[0]!,
      jwk: rel(c.jwkFile),
      signerCert: rel(c.signerCertFile),
      signerKey: rel(c.signerKeyFile),
      recipientCert: rel(c.recipientCertFile),
      seed: opts.seed,
      today: opts.today,
      tenants,
    }),
  );
  writeFileSync(join(dir, '.gitignore'), '# test keys, the databases and the sandbox state are local\n*\n');
  return { url, port, tenants };
}

function tenantsText(s: {
  channel: 'kneik' | 'slash';
  store: 'sqlite' | 'postgres';
  sandboxRel: string;
  url: string;
  receiverHerId: string;
  clientId: string;
  scope: string;
  jwk: string;
  signerCert: string;
  signerKey: string;
  recipientCert: string;
  seed: string;
  today: string;
  tenants: TenantPlan[];
}): string {
  const store =
    s.store === 'sqlite'
      ? 'store:\n  kind: sqlite                                # one file per tenant: state/<id>.db\n  dir: state\n'
      : 'store:\n  kind: postgres                              # one schema per tenant: kpr_<id>\n  url: { env: KPR_PG_URL }                    # e.g. postgresql://kpr@localhost/kpr; the password in PGPASSWORD or ~/.pgpass, never here\n';
  const shared =
    s.channel === 'slash'
      ? `  channel: slash
  message: { spec: hst-avtale@1 }             # msg_type HST_Avtale, msg_version 1
  slash:
    vendor: { vendorName: Demo EPJ AS, softwareName: DemoJournal, softwareVersion: "1.0", exportSoftwareVersion: kpr-kit 0.1.0 }
    maxRequestBytes: 2000000
`
      : `  certificates:                               # TEST certificates, generated for this setup
    signing: { certFile: ${s.signerCert}, keyFile: ${s.signerKey} }
    receiverEncryptionCertFile: ${s.recipientCert}
  epj: { leverandor: Demo EPJ AS, navnEPJ: DemoJournal, versjonEPJ: "1.0" }
  message: { spec: hst@56.0.0 }
  batch: { maxConsultations: 500 }
`;
  const tenant = (t: TenantPlan) => {
    const lines = [
      `${`  - id: ${t.id}`.padEnd(46)}# ${t.municipality.name} (kommune ${t.municipality.number}), seed ${t.seed}`,
      `    helseid: { orgNumbers: { parent: "${t.orgNr}" } }   # the municipality, delegated to the vendor's client`,
      `    source: { type: folder, path: epj/${t.id} }`,
    ];
    if (s.channel === 'kneik')
      lines.push(
        '    sender:',
        `      herId: ${t.herId}`,
        `      orgNr: "${t.orgNr}"`,
        '      Kommune:',
        kommuneYaml([t.municipality], '        '),
        '      Kontaktperson:',
        `        - { kontPerson: ${t.municipality.name} Teknisk, meldEpost1: teknisk@${t.id}.example.invalid, typeKontaktperson: "1" }`,
        `        - { kontPerson: ${t.municipality.name} Fag, meldEpost1: fag@${t.id}.example.invalid, typeKontaktperson: "15" }`,
      );
    return lines.join('\n');
  };
  return `# A vendor's tenants file for the local sandbox, written by
# \`kpr init --profile sandbox --tenants ${s.tenants.length} --store ${s.store} --channel ${s.channel}\` (seed ${s.seed}, today ${s.today}).
# Paths are relative to this file. In this folder:
#   npx kpr tenants check --config tenants.yaml   # the tenants, or what is wrong
#   npx kpr sandbox --data ${s.sandboxRel}             # serves ${s.url}
# docs/tenants.md says what each setting means.
${store}
defaults:                                     # every tenant's settings unless it sets its own
  profile: sandbox
  api: { baseUrl: ${s.url}, helseidAuthority: ${s.url}${s.channel === 'kneik' ? `, receiverHerId: ${s.receiverHerId}` : ''} }
  helseid:                                    # the vendor's multi-tenant client (TEST key, generated by the sandbox)
    clientId: ${s.clientId}
    jwkFile: ${s.jwk}
    scopes: ["${s.scope}"]
  mapping: mapping.yaml
${shared}
tenants:
${s.tenants.map(tenant).join('\n')}
`;
}
