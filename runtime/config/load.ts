// Loads kpr.yaml: parse with positions, check against kpr.schema.json (Ajv), then resolve the
// profile, defaults and paths (relative to the file). Every problem is reported at once as
// `file:line:col: message`, so an operator fixes the file in one go.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { EXIT, UserError } from '../cli/program.ts';
import { loadTarget, parseSpecRef, specDir } from '../spec/target.ts';
import { checkVendorHeaders, type VendorHeaders } from './vendor-headers.ts';
import { builtInProfiles, resolveProfile, type Channel, type Profile } from './profiles.ts';
import type { SecretRef } from './secrets.ts';
import { pointerPath, PositionedYaml, type Path, type Position } from '../yaml/positions.ts';

// biome-ignore lint/suspicious/noExplicitAny: kpr.yaml after its JSON Schema check; the schema types it, not the compiler
type ConfigData = Record<string, any>;

export interface ConfigIssue {
  at: Position;
  message: string;
}

/** kpr.yaml is wrong: every issue with its position. Exit code 2 (nothing was done). */
export class ConfigError extends UserError {
  constructor(readonly issues: ConfigIssue[]) {
    super(`invalid configuration:\n${issues.map((i) => `  ${i.at.file}:${i.at.line}:${i.at.col}: ${i.message}`).join('\n')}`, EXIT.failed);
    this.name = 'ConfigError';
  }
}

export type SigningConfig = { certFile: string; keyFile: string } | { p12File: string; passphrase?: SecretRef };

/** The SLASH channel's settings (channel: slash); docs/slash.md, "Delivery rules". */
export interface SlashConfig {
  /** msg_type and msg_version, from the generated JSON message type (e.g. HST_Avtale, 1). */
  msgType: string;
  msgVersion: string;
  vendor: VendorHeaders;
  /** Largest JSON body of one request (FHI asks for at most 2 MB; 2009 over 15 MB). */
  maxRequestBytes: number;
  /** First day of the initial load (2017-01-01). */
  backfillFrom: string;
  /** Source fields naming the reporting unit. */
  unit: { orgNr: string; kommuneNr: string; bydelNr: string };
  deletedField: string;
}

/** The 2021 channel's sender: the Melding header's Kommune and Kontaktperson. */
export interface SenderConfig {
  herId: number;
  orgNr: string;
  Kommune: Record<string, unknown>[];
  Kontaktperson: Record<string, unknown>[];
}

export interface KprConfig {
  file: string;
  dir: string;
  /** Where the messages go: the 2021 KNEIK API (default) or FHI's SLASH. */
  channel: Channel;
  slash?: SlashConfig;
  profileName: string;
  /** The resolved profile; baseUrl/receiverHerId may be missing (prod): see requireTransport. */
  profile: Profile;
  helseid?: {
    authority?: string;
    clientId: string;
    jwkFile: string;
    scopes: string[];
    dpop: boolean;
    orgNumbers?: { parent: string; child?: string };
    timeoutMs?: number;
  };
  certificates?: {
    signing: SigningConfig;
    receiverEncryptionCertFile: string;
    cipher: 'aes-256-cbc' | 'aes-192-cbc' | 'aes-128-cbc' | 'des-ede3-cbc';
    warnDays: number;
    /** CA certificates (PEM or DER) both certificates must chain to; no CA check when absent. */
    caCertFile?: string;
  };
  /** The Melding header's parts: the 2021 channel only (see requireKneik). */
  sender?: SenderConfig;
  epj?: { leverandor: string; navnEPJ: string; versjonEPJ: string; versjonUt: string };
  /** `meldingstypeFixed`: the XSD fixes it (IPLOS: K), so a backfill sends it too instead of B. */
  message: { spec: string; messageType: string; meldingstype: 'E' | 'B' | 'K'; meldingstypeFixed?: boolean; generatedDir: string };
  mapping?: string;
  /** The consequence policy (docs/consequences.md): the receiver's published consequences, or strict. */
  rules: { consequences: 'receiver' | 'strict' };
  batch: { maxConsultations: number; maxBytes: number; recordsPerTransaction: number };
  source: { type: 'file' | 'folder' | 'command'; path?: string; command?: string[]; env: Record<string, SecretRef>; timeoutSec: number; changedAtField: string };
  /** The SQLite file (`database`, or `store.path`); the store is in `store` (PostgreSQL or this file). */
  database: string;
  /** Where the transfer's state is kept (`store:`; default the SQLite file `database`). */
  store: ConfigStore;
  log: { level: string };
  /** Position of a key in kpr.yaml, for errors found later (e.g. a profile without baseUrl). */
  positionOf(path: Path): Position;
}

/**
 * Where a configuration's state is: an embedded SQLite file, or a schema on a PostgreSQL server.
 * The URL may be a secret reference (read when the store is opened: storeLocation in
 * store/location.ts). A tenants file sets each tenant's (runtime/tenants/load.ts).
 */
export type ConfigStore = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string | SecretRef; schema: string };

export const DEFAULTS = {
  maxConsultations: 1000,
  /** Sealed, base64'd and wrapped in JSON a message grows by about 40 %: stay well below common 10 MB limits. */
  maxBytes: 4_000_000,
  /**
   * About one message per transaction. A larger commit holds the sender's thread still for
   * longer, while the mapping worker and the answer of the message in flight wait (figures:
   * docs/operations.md, "Measured").
   */
  recordsPerTransaction: 1000,
  sourceTimeoutSec: 3600,
  warnDays: 30,
  versjonUt: 'kpr-kit 0.1.0',
  /** FHI's sender README: at most 2 MB per HTTP request. */
  slashMaxRequestBytes: 2_000_000,
  /** The receiver refuses a payload over 15 MB (2009 PayloadSizeLimitExceeded). */
  slashLimitBytes: 15_000_000,
  /** KPR's health-station data from 2017 (the initial load's first month). */
  slashBackfillFrom: '2017-01-01',
} as const;

/**
 * Rule ids of the channel's settings in kpr.yaml, stable like the REC and KPR ids: an operator
 * (or a support page) can search for them.
 */
export const CONFIG_RULES = {
  channelMessage: 'CFG001',
  vendorHeaders: 'CFG002',
  requestSize: 'CFG003',
  channelSection: 'CFG004',
  store: 'CFG005',
} as const;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
let validator: ValidateFunction | undefined;

function compiled(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    validator = ajv.compile(JSON.parse(readFileSync(new URL('./kpr.schema.json', import.meta.url), 'utf8')));
  }
  return validator;
}

export function loadConfig(file: string): KprConfig {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : (code ?? (err as Error).message);
    throw new UserError(
      `cannot read configuration ${abs}: ${why}. ` +
        'Give the file with --config FILE, or write one: npx kpr init --dir DIR (commented example) or npx kpr init --profile sandbox --dir DIR (a setup for the local sandbox).',
    );
  }
  return parseConfig(abs, text);
}

/** Where each setting was written: a kpr.yaml, or (runtime/tenants/) a tenant merged with defaults. */
export interface Positions {
  pos(path: Path, opts?: { key?: boolean }): Position;
}

/** Parses and checks the text of a kpr.yaml located at `file` (paths resolve against its folder). */
export function parseConfig(file: string, text: string): KprConfig {
  const { yaml, errors } = PositionedYaml.parse(file, text);
  if (errors.length) throw new ConfigError(errors);
  return configFromData(file, yaml.toJS(), yaml);
}

/** Checks and resolves settings already parsed; `file`'s folder is where relative paths start. */
export function configFromData(file: string, parsed: unknown, yaml: Positions): KprConfig {
  const data = parsed as ConfigData;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError([{ at: yaml.pos([]), message: 'kpr.yaml must be a mapping of settings' }]);
  }
  const validate = compiled();
  if (!validate(data)) throw new ConfigError(schemaIssues(validate.errors ?? [], yaml));

  const dir = dirname(file);
  const issues: ConfigIssue[] = [];
  const path = (p: string, at: Path, mustExist = true): string => {
    const r = resolve(dir, p);
    if (mustExist && !existsSync(r)) issues.push({ at: yaml.pos(at), message: `${at.join('.')}: no such file or folder: ${r}` });
    return r;
  };
  const secret = (s: { file?: string; env?: string }, at: Path): SecretRef =>
    s.file !== undefined ? { file: path(s.file, [...at, 'file']), where: at.join('.') } : { env: s.env, where: at.join('.') };

  const channel: Channel = data.channel ?? 'kneik';
  const profile = resolveProfile(data.profile, data.profiles, data.api, channel);
  if (!profile) {
    const known = [...Object.keys(builtInProfiles(channel)), ...Object.keys(data.profiles ?? {})];
    issues.push({ at: yaml.pos(['profile']), message: `unknown profile "${data.profile}"; known: ${[...new Set(known)].join(', ')}` });
  }

  const h = data.helseid;
  const c = data.certificates;
  const spec: string = data.message.spec;
  const signing: SigningConfig | undefined = !c
    ? undefined
    : c.signing.p12File !== undefined
      ? {
          p12File: path(c.signing.p12File, ['certificates', 'signing', 'p12File']),
          passphrase: c.signing.passphrase && secret(c.signing.passphrase, ['certificates', 'signing', 'passphrase']),
        }
      : { certFile: path(c.signing.certFile, ['certificates', 'signing', 'certFile']), keyFile: path(c.signing.keyFile, ['certificates', 'signing', 'keyFile']) };
  const src = data.source;
  const config: KprConfig = {
    file,
    dir,
    channel,
    profileName: data.profile,
    profile: profile ?? {},
    helseid: h && {
      authority: h.authority,
      clientId: h.clientId,
      jwkFile: path(h.jwkFile, ['helseid', 'jwkFile']),
      scopes: h.scopes,
      dpop: h.dpop ?? true,
      orgNumbers: h.orgNumbers,
      timeoutMs: h.timeoutMs,
    },
    certificates: c && {
      signing: signing!,
      receiverEncryptionCertFile: path(c.receiverEncryptionCertFile, ['certificates', 'receiverEncryptionCertFile']),
      cipher: c.cipher ?? 'aes-256-cbc',
      warnDays: c.warnDays ?? DEFAULTS.warnDays,
      caCertFile: c.caCertFile === undefined ? undefined : path(c.caCertFile, ['certificates', 'caCertFile']),
    },
    sender: data.sender,
    epj: data.epj && { ...data.epj, versjonUt: data.epj.versjonUt ?? DEFAULTS.versjonUt },
    message: {
      spec,
      messageType: data.message.messageType ?? spec.split('@')[0]!.toUpperCase(),
      meldingstype: data.message.meldingstype ?? 'B',
      generatedDir: data.message.generatedDir !== undefined ? path(data.message.generatedDir, ['message', 'generatedDir']) : resolve(repoRoot, 'generated'),
    },
    mapping: data.mapping !== undefined ? path(data.mapping, ['mapping']) : undefined,
    rules: { consequences: data.rules?.consequences ?? 'receiver' },
    batch: {
      maxConsultations: data.batch?.maxConsultations ?? DEFAULTS.maxConsultations,
      maxBytes: data.batch?.maxBytes ?? DEFAULTS.maxBytes,
      recordsPerTransaction: data.batch?.recordsPerTransaction ?? DEFAULTS.recordsPerTransaction,
    },
    source: {
      type: src.type,
      // A folder or file that is not there yet is the source's business at run time.
      path: src.path !== undefined ? path(src.path, ['source', 'path'], false) : undefined,
      command: src.command,
      env: Object.fromEntries(Object.entries(src.env ?? {}).map(([k, v]) => [k, secret(v as { file?: string; env?: string }, ['source', 'env', k])])),
      timeoutSec: src.timeoutSec ?? DEFAULTS.sourceTimeoutSec,
      changedAtField: src.changedAtField ?? 'changedAt',
    },
    database: path(
      data.store?.kind === 'sqlite' && data.store.path !== undefined ? data.store.path : (data.database ?? 'kpr.db'),
      data.database === undefined ? ['store', 'path'] : ['database'],
      false,
    ),
    store: { kind: 'sqlite', path: '' },
    log: { level: data.log?.level ?? 'info' },
    positionOf: (p) => yaml.pos(p),
  };
  config.store = storeSettings(config, data, yaml, issues, secret);
  if (channel === 'slash') config.slash = slashSettings(config, data, yaml, issues);
  else {
    checkChannelMessage(config, yaml, issues);
    checkMeldingstype(config, data.message.meldingstype, yaml, issues);
    checkSender(config, yaml, issues);
  }
  if (issues.length) throw new ConfigError(issues.sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col));
  return config;
}

/**
 * `store:`: SQLite (the default, the file `database` names) or a PostgreSQL schema. The URL holds
 * no password (a kpr.yaml is read by many; PGPASSWORD, ~/.pgpass or a secret file take it), and
 * each kind's settings only with that kind.
 */
function storeSettings(
  config: KprConfig,
  data: ConfigData,
  yaml: Positions,
  issues: ConfigIssue[],
  secret: (s: { file?: string; env?: string }, at: Path) => SecretRef,
): ConfigStore {
  const st = data.store as { kind: 'sqlite' | 'postgres'; path?: string; url?: string | { file?: string; env?: string }; schema?: string } | undefined;
  const rule = CONFIG_RULES.store;
  if (!st || st.kind === 'sqlite') {
    if (st && data.database !== undefined && st.path !== undefined)
      issues.push({ at: yaml.pos(['store', 'path']), message: `store.path and database both name the SQLite file: keep one (${rule})` });
    for (const key of ['url', 'schema'] as const)
      if (st?.[key] !== undefined) issues.push({ at: yaml.pos(['store', key], { key: true }), message: `store.${key} is a setting of kind postgres, not sqlite (${rule})` });
    return { kind: 'sqlite', path: config.database };
  }
  if (st.path !== undefined) issues.push({ at: yaml.pos(['store', 'path'], { key: true }), message: `store.path is a setting of kind sqlite, not postgres (${rule})` });
  if (data.database !== undefined)
    issues.push({ at: yaml.pos(['database'], { key: true }), message: `database names a SQLite file, but store.kind is postgres: leave it out (${rule})` });
  if (typeof st.url === 'string' && /^postgres(ql)?:\/\/[^/@?]*:[^/@?]*@/.test(st.url))
    issues.push({ at: yaml.pos(['store', 'url']), message: `store.url holds a password: name a secret ({ env: … } or { file: … }) or use PGPASSWORD or ~/.pgpass (${rule})` });
  const url = typeof st.url === 'string' ? st.url : secret(st.url ?? {}, ['store', 'url']);
  return { kind: 'postgres', url, schema: st.schema ?? 'kpr' };
}

/** The JSON message type's official name (`x-kpr-message-type`), or undefined for an XML one. */
function jsonMessageType(spec: string, generated: string): string | undefined {
  const dir = specDir(spec, generated);
  if (!dir) return undefined;
  const schema = JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8')) as Record<string, unknown>;
  return typeof schema['x-kpr-message-type'] === 'string' ? schema['x-kpr-message-type'] : undefined;
}

/** The 2021 channel sends XPR XML: a JSON message type (SLASH's) cannot go there. */
function checkChannelMessage(config: KprConfig, yaml: Positions, issues: ConfigIssue[]): void {
  if (jsonMessageType(config.message.spec, config.message.generatedDir) === undefined) return;
  issues.push({
    at: yaml.pos(['message', 'spec']),
    message: `message.spec: ${config.message.spec} is a JSON message type, which only SLASH receives; set channel: slash, or a 2021 message version such as hst@56.0.0 (${CONFIG_RULES.channelMessage})`,
  });
}

/**
 * channel: slash. The message type must be a generated JSON message type (its msg_type and
 * msg_version come from there); the vendor headers must all be there, since FHI answers 1001
 * (HttpHeaderMissing) without them; the request size stays under the receiver's 15 MB.
 */
function slashSettings(config: KprConfig, data: ConfigData, yaml: Positions, issues: ConfigIssue[]): SlashConfig {
  const s = data.slash as ConfigData;
  const spec = config.message.spec;
  let msgType: string | undefined;
  try {
    msgType = jsonMessageType(spec, config.message.generatedDir);
  } catch {
    msgType = undefined;
  }
  if (msgType === undefined) {
    issues.push({
      at: yaml.pos(['message', 'spec']),
      message: `message.spec: ${spec} is not a generated JSON message type; SLASH sends JSON message types such as hst-avtale@1 (npx kpr spec build makes them from spec/) (${CONFIG_RULES.channelMessage})`,
    });
  }
  for (const key of ['sender', 'certificates'] as const) {
    if (data[key] !== undefined)
      issues.push({
        at: yaml.pos([key], { key: true }),
        message: `${key}: a setting of the 2021 channel; SLASH does not use it (channel: slash), so leave it out (${CONFIG_RULES.channelSection})`,
      });
  }
  for (const problem of checkVendorHeaders(s.vendor, 'slash.vendor')) {
    const key = /^slash\.vendor\.(\w+)/.exec(problem)?.[1];
    const at = key && s.vendor?.[key] !== undefined ? ['slash', 'vendor', key] : ['slash', 'vendor'];
    issues.push({ at: yaml.pos(at, { key: at.length === 2 }), message: `${problem} (${CONFIG_RULES.vendorHeaders})` });
  }
  const maxRequestBytes = s.maxRequestBytes ?? DEFAULTS.slashMaxRequestBytes;
  if (maxRequestBytes > DEFAULTS.slashLimitBytes) {
    issues.push({
      at: yaml.pos(['slash', 'maxRequestBytes']),
      message: `slash.maxRequestBytes ${maxRequestBytes} is over the receiver's limit of 15 MB (FHI answers 2009 PayloadSizeLimitExceeded) (${CONFIG_RULES.requestSize})`,
    });
  }
  const p = parseSpecRef(spec);
  return {
    msgType: msgType ?? '',
    msgVersion: p?.version ?? '',
    vendor: s.vendor as VendorHeaders,
    maxRequestBytes,
    backfillFrom: s.backfillFrom ?? DEFAULTS.slashBackfillFrom,
    unit: { orgNr: s.unit?.orgNr ?? 'orgNr', kommuneNr: s.unit?.kommuneNr ?? 'kommuneNr', bydelNr: s.unit?.bydelNr ?? 'bydelNr' },
    deletedField: s.deletedField ?? 'deleted',
  };
}

/** The 2021 channel's Melding header parts (sender, epj); a slash configuration has none. */
export function requireKneik(config: KprConfig): { sender: NonNullable<KprConfig['sender']>; epj: NonNullable<KprConfig['epj']> } {
  if (config.sender && config.epj) return { sender: config.sender, epj: config.epj };
  throw new ConfigError([
    { at: config.positionOf([]), message: `channel ${config.channel}: this needs the 2021 channel's sender and epj sections (${CONFIG_RULES.channelSection})` },
  ]);
}

/**
 * The meldingstype the message version allows. HST: B unless set; the usage note says "Kode E og
 * K skal kun benyttes dersom det på forhånd er inngått avtale om overgang til endringsmelding",
 * so E and K are the operator's to choose, not a default. IPLOS: the XSD fixes it
 * (`XPR(ipl).xsd`: `fixed="K"`), so K is the default and anything else an error.
 */
function checkMeldingstype(config: KprConfig, given: string | undefined, yaml: Positions, issues: ConfigIssue[]): void {
  let fixed: unknown;
  try {
    fixed = loadTarget(config.message.spec, config.message.generatedDir)?.classes.get('Melding')?.attributes.get('meldingstype')?.fixed;
  } catch {
    return; // no generated artefacts yet: the message kit reports that when a job starts
  }
  if (typeof fixed !== 'string') return;
  config.message.meldingstypeFixed = true;
  if (given === undefined) config.message.meldingstype = fixed as KprConfig['message']['meldingstype'];
  else if (given !== fixed) {
    issues.push({
      at: yaml.pos(['message', 'meldingstype']),
      message: `message.meldingstype: ${config.message.spec} fixes meldingstype to ${fixed} (the XSD's fixed="${fixed}"); leave it out or write ${fixed}`,
    });
  }
}

const KONTAKTPERSON_NOTE =
  'typeKontaktperson, Bruk: "Det er obligatorisk å ha en kontaktperson av type 1 og type 15. For IPLOS melding: Hver kommune skal ha minst en 16 IPLOS kontaktperson og en 17 IPLOS innsendingsansvarlig."';

/**
 * What the Melding header from `sender` must hold across its records: the Kontaktperson types
 * the specification makes obligatory, one Kommune per kommuneNr and one Enhet per enhetID (the
 * XSD's KommuneP_ID and EnhetP_ID; RefEnhet names an Enhet by enhetID alone, so across the
 * Melding), and for IPLOS one reporting unit per Melding.
 */
function checkSender(config: KprConfig, yaml: Positions, issues: ConfigIssue[]): void {
  if (!config.sender) return;
  const iplos = config.message.spec.startsWith('iplos@');
  const types = new Set(config.sender.Kontaktperson.map((k) => String(k.typeKontaktperson)));
  const missing = ['1', '15', ...(iplos ? ['16', '17'] : [])].filter((t) => !types.has(t));
  if (missing.length) issues.push({ at: yaml.pos(['sender', 'Kontaktperson']), message: `sender.Kontaktperson: no contact of type ${missing.join(', ')} (${KONTAKTPERSON_NOTE})` });
  const kommuner = new Map<string, number>();
  const enheter = new Map<string, string>();
  config.sender.Kommune.forEach((k, i) => {
    const nr = String(k.kommuneNr);
    if (kommuner.has(nr))
      issues.push({
        at: yaml.pos(['sender', 'Kommune', i, 'kommuneNr']),
        message: `sender.Kommune: kommuneNr ${nr} twice (also Kommune ${kommuner.get(nr)! + 1}); the XSD's KommuneP_ID makes it unique`,
      });
    else kommuner.set(nr, i);
    const list = Array.isArray(k.Enhet) ? (k.Enhet as Record<string, unknown>[]) : [];
    list.forEach((e, j) => {
      const id = String(e.enhetID);
      if (enheter.has(id))
        issues.push({
          at: yaml.pos(['sender', 'Kommune', i, 'Enhet', j, 'enhetID']),
          message: `sender.Kommune: enhetID ${id} twice (also in kommune ${enheter.get(id)}); RefEnhet names an Enhet by enhetID alone`,
        });
      else enheter.set(id, nr);
    });
  });
  if (iplos && config.sender.Kommune.length > 1) {
    issues.push({
      at: yaml.pos(['sender', 'Kommune', 1]),
      message: 'sender.Kommune: an IPLOS Melding reports for one kommune (one reporting unit per message); run one configuration per kommune',
    });
  }
}

/** What sending needs beyond a dry run; throws a positioned ConfigError naming what is missing. */
export function requireTransport(config: KprConfig): {
  baseUrl: string;
  receiverHerId: number;
  helseid: NonNullable<KprConfig['helseid']> & { authority: string };
  certificates: NonNullable<KprConfig['certificates']>;
} {
  const issues: ConfigIssue[] = [];
  const p = config.profile;
  const at = config.positionOf(['profile']);
  if (!p.baseUrl) issues.push({ at, message: `profile ${config.profileName} has no baseUrl: set api.baseUrl` });
  if (!p.receiverHerId) issues.push({ at, message: `profile ${config.profileName} has no receiverHerId: set api.receiverHerId` });
  if (!config.helseid) issues.push({ at: config.positionOf([]), message: 'sending needs a helseid section (clientId, jwkFile, scopes)' });
  const authority = config.helseid?.authority ?? p.helseidAuthority;
  if (config.helseid && !authority) issues.push({ at: config.positionOf(['helseid']), message: 'helseid.authority is not set and the profile has none' });
  if (!config.certificates) issues.push({ at: config.positionOf([]), message: 'sending needs a certificates section (signing, receiverEncryptionCertFile)' });
  if (issues.length) throw new ConfigError(issues);
  return { baseUrl: p.baseUrl!, receiverHerId: p.receiverHerId!, helseid: { ...config.helseid!, authority: authority! }, certificates: config.certificates! };
}

const ONE_OF_HINTS: [RegExp, string][] = [
  [/\/signing\/oneOf$/, 'needs either certFile and keyFile (PEM), or p12File (with passphrase), not both'],
  [/\/secret\/oneOf$/, 'needs exactly one of file or env'],
  [/\/store\/properties\/url\/oneOf$/, 'must be a postgresql:// URL (no password) or a secret (file or env)'],
];

function schemaIssues(errors: ErrorObject[], yaml: Positions): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const seen = new Set<string>();
  const oneOfAt = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  // A value that may be a string or a secret ($defs) fails both forms: the outer oneOf says it once.
  const outerOneOfAt = new Set(errors.filter((e) => e.keyword === 'oneOf' && !e.schemaPath.startsWith('#/$defs/')).map((e) => e.instancePath));
  for (const e of errors) {
    const path = pointerPath(e.instancePath);
    const name = path.length ? path.join('.') : 'kpr.yaml';
    // Errors inside a failed oneOf's branches are noise: the oneOf's own message says it.
    if (e.keyword !== 'oneOf' && e.schemaPath.includes('/oneOf/') && oneOfAt.has(e.instancePath)) continue;
    if (e.keyword === 'if') continue;
    if (e.schemaPath.startsWith('#/$defs/') && outerOneOfAt.has(e.instancePath)) continue;
    let issue: ConfigIssue;
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        issue = { at: yaml.pos([...path, key], { key: true }), message: `unknown setting \`${key}\` in ${name}` };
        break;
      }
      case 'required': {
        const key = String((e.params as { missingProperty: string }).missingProperty);
        issue = { at: yaml.pos(path, { key: path.length > 0 }), message: `${name} needs \`${key}\`` };
        break;
      }
      case 'enum':
        issue = { at: yaml.pos(path), message: `${name} must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}` };
        break;
      case 'oneOf': {
        const hint =
          ONE_OF_HINTS.find(([re]) => re.test(e.schemaPath))?.[1] ??
          (path.at(-2) === 'env' || /passphrase$/.test(name) ? ONE_OF_HINTS[1]![1] : 'matches none or several of its allowed forms');
        issue = { at: yaml.pos(path), message: `${name} ${hint}` };
        break;
      }
      case 'pattern':
        issue = { at: yaml.pos(path), message: `${name} has the wrong form (expected ${describePattern((e.params as { pattern: string }).pattern)})` };
        break;
      default:
        issue = { at: yaml.pos(path), message: `${name} ${e.message ?? 'is not valid'}` };
    }
    const k = `${issue.at.line}:${issue.at.col}:${issue.message}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(issue);
    }
  }
  return out.sort((a, b) => a.at.line - b.at.line || a.at.col - b.at.col);
}

function describePattern(p: string): string {
  if (p === '^\\d{9}$') return 'an organisation number of 9 digits';
  if (p === '^\\d{4}$') return 'a kommunenummer of 4 digits';
  if (p.startsWith('^https?')) return 'an http(s) URL';
  if (p.includes('@\\d+')) return 'a message spec id like hst@56.0.0';
  if (p.includes('@')) return 'an e-mail address';
  return `/${p}/`;
}
