// startSandbox: the HelseID and KPR API stand-ins on one loopback HTTP server, with the admin
// endpoints (/sandbox/...) for state, statistics, fault injection and registrations.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { genericXmlCodec, type MessageCodec } from './codec.ts';
import { Faults, type FaultSettings } from './faults.ts';
import { HelseIdStandIn, type Answer, type RegisteredClient } from './helseid-stand-in.ts';
import { certFingerprint, parseBody, processMessage, type KprApiDeps, type PayloadOpener } from './kpr-api.ts';
import { ensureSandboxPki, payloadOpener, type SandboxPki } from './pki.ts';
import { dataDirFiles, DEFAULT_CLIENT_ID, prepareDataDir, readSenders, saveClients, saveSenders, type DataDirFiles } from './setup.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { SandboxStore, type PublicState } from './store.ts';
import { SLASH_SCOPE, SlashReceiver, type SlashReceiverOptions } from './slash/index.ts';

/** Scopes the API stand-in accepts. `hdir:kneik/iplos/submit` is Hdir's; the HST one is a guess. */
export const DEFAULT_SCOPES = ['hdir:kneik/hst/submit', 'hdir:kneik/iplos/submit'];
export const DEFAULT_RECEIVER_HER_ID = '8139520';
export const DEFAULT_SENDER_HER_ID = '8139519';

export interface SandboxOptions {
  dataDir: string;
  port?: number;
  /** Loopback only unless you mean it. */
  host?: string;
  /** Turns the decrypted XML into the JSON form and validates it; default: well-formedness only. */
  codec?: MessageCodec;
  tokenLifetimeSec?: number;
  acceptedScopes?: string[];
  receiverHerId?: string;
  /** The sender HER-id the test PKI's signing certificate is registered for. */
  senderHerId?: string;
  faults?: FaultSettings;
  /** Where the test PKI lives; default `<dataDir>/pki`. Tests share one to save key generation. */
  pkiDir?: string;
  /** Replaces the CMS opener (tests of the HTTP layer only). */
  open?: PayloadOpener;
  /** FHI's SLASH receiver (`/keys`, `/message`): its validators, scopes and first key. */
  slash?: SlashReceiverOptions;
}

/** Everything a sender needs to talk to this sandbox; also written to `<data>/connection.json`. */
export interface SandboxConnection {
  /** HelseID authority and KPR API base. */
  url: string;
  clientId: string;
  /** The client's private JWK file. */
  jwkFile: string;
  scopes: string[];
  fromHerId: number;
  toHerId: number;
  /** The sender's signing certificate and key (PEM files) registered for fromHerId. */
  signerCertFile: string;
  signerKeyFile: string;
  /** The receiver's encryption certificate (PEM file) to seal for. */
  recipientCertFile: string;
  /** The scope to ask for when sending to SLASH at `url` (`/keys`, `/message`). */
  slashScope: string;
}

export interface Sandbox {
  /** Base URL: the HelseID authority and the KPR API base at once. */
  url: string;
  connection: SandboxConnection;
  dataDir: string;
  files: DataDirFiles;
  clientId: string;
  scopes: string[];
  receiverHerId: string;
  senderHerId: string;
  pki: SandboxPki;
  helseid: HelseIdStandIn;
  store: SandboxStore;
  slash: SlashReceiver;
  applyFaults(f: FaultSettings): void;
  stats(): Record<string, unknown>;
  state(): PublicState;
  registerSender(herId: string, certPem: string): void;
  registerClient(client: RegisteredClient): void;
  close(): Promise<void>;
}

const MAX_BODY = 32 * 1024 * 1024;

/**
 * A body over MAX_BODY: answered 413, as a receiver does, rather than by resetting the
 * connection (which a client can only take for a network fault and retry). The rest of the
 * body is read and dropped, so the client finishes sending and reads the answer; a client that
 * sends on without end is cut off at four times the limit.
 */
class BodyTooLarge extends Error {
  constructor(readonly bytes: number) {
    super(`the body has ${bytes > MAX_BODY ? `more than ${MAX_BODY}` : bytes} bytes; at most ${MAX_BODY} (32 MiB) are accepted`);
  }
}

function dropRest(req: IncomingMessage): void {
  let dropped = 0;
  req.removeAllListeners('data');
  req.on('data', (c: Buffer) => {
    dropped += c.length;
    if (dropped > 4 * MAX_BODY) req.destroy();
  });
  req.resume();
}

/** The body as text (the small admin and token requests). */
async function readBody(req: IncomingMessage): Promise<string> {
  return (await readBodyBytes(req)).toString('utf8');
}

function readBodyBytes(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_BODY) {
      dropRest(req);
      reject(new BodyTooLarge(declared));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        dropRest(req);
        reject(new BodyTooLarge(size));
      } else chunks.push(c);
    });
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed) return;
  res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
  res.end(JSON.stringify(answer.body));
}

type DataDirOptions = Pick<SandboxOptions, 'dataDir' | 'pkiDir' | 'acceptedScopes' | 'receiverHerId' | 'senderHerId' | 'slash'>;

/**
 * The data folder made ready (keys, test PKI, registered client and sender) without listening
 * anywhere: `kpr init` prepares a sandbox this way, so it needs no free port.
 */
export async function prepareSandboxData(opts: DataDirOptions) {
  const dataDir = resolve(opts.dataDir);
  const files = dataDirFiles(dataDir);
  const scopes = opts.acceptedScopes ?? DEFAULT_SCOPES;
  const receiverHerId = opts.receiverHerId ?? DEFAULT_RECEIVER_HER_ID;
  const senderHerId = opts.senderHerId ?? DEFAULT_SENDER_HER_ID;
  const slash = new SlashReceiver(opts.slash);
  const { signingJwk, clients } = await prepareDataDir(files, [...scopes, ...slash.acceptedScopes]);
  const pki = await ensureSandboxPki(opts.pkiDir ? resolve(opts.pkiDir) : files.pkiDir);
  const senders = readSenders(files);
  if (!senders[senderHerId]?.includes(pki.sender.certPem)) {
    senders[senderHerId] = [...(senders[senderHerId] ?? []), pki.sender.certPem];
    saveSenders(files, senders);
  }
  const connection = (url: string): SandboxConnection => ({
    url,
    clientId: clients[0]?.client_id ?? DEFAULT_CLIENT_ID,
    jwkFile: files.clientJwkFile,
    scopes,
    fromHerId: Number(senderHerId),
    toHerId: Number(receiverHerId),
    signerCertFile: pki.test.senderSigning.certPath,
    signerKeyFile: pki.test.senderSigning.keyPath,
    recipientCertFile: pki.test.receiverEncryption.certPath,
    slashScope: SLASH_SCOPE,
  });
  return { dataDir, files, scopes, receiverHerId, senderHerId, signingJwk, clients, pki, senders, slash, connection };
}

export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const { dataDir, files, scopes, receiverHerId, senderHerId, signingJwk, clients, pki, senders, slash, connection: connectionAt } = await prepareSandboxData(opts);
  const store = new SandboxStore(dataDir);

  const signers = new Map<string, Set<string>>();
  const addSigner = (herId: string, pem: string) => {
    let set = signers.get(herId);
    if (!set) {
      set = new Set();
      signers.set(herId, set);
    }
    set.add(certFingerprint(pem));
  };
  for (const [herId, pems] of Object.entries(senders)) for (const pem of pems) addSigner(herId, pem);

  const faults = new Faults();
  let requireApiNonce = false;
  const counters = { apiRequests: 0, accepted: 0, rejected: 0, failed: 0, unauthorized: 0, faultsServed: 0 };
  const messageIdsSeen: string[] = [];
  const deps: KprApiDeps = { store, codec: opts.codec ?? genericXmlCodec, open: opts.open ?? payloadOpener(pki), receiverHerId, signers };

  let helseid!: HelseIdStandIn;
  const applyFaults = (f: FaultSettings) => {
    if (f.clear) faults.clear();
    faults.add(f);
    if (f.expireTokens) helseid.epoch++;
    if (f.rotateNonce) helseid.rotateNonce();
    if (f.dropOrgClaims !== undefined) {
      if (!Number.isInteger(f.dropOrgClaims) || f.dropOrgClaims < 0) throw new Error('dropOrgClaims must be a whole number');
      helseid.dropOrgClaims += f.dropOrgClaims;
    }
    if (f.tokenLifetimeSec !== undefined) {
      if (!Number.isInteger(f.tokenLifetimeSec) || f.tokenLifetimeSec < 1) throw new Error('tokenLifetimeSec must be a positive integer');
      helseid.tokenLifetimeSec = f.tokenLifetimeSec;
    }
    if (f.requireApiNonce !== undefined) requireApiNonce = f.requireApiNonce;
    if (f.slash) slash.applyFaults(f.slash);
  };

  const registerClient = (client: RegisteredClient) => {
    helseid.registerClient(client);
    saveClients(files, [...helseid.clients.values()]);
  };
  const registerSender = (herId: string, certPem: string) => {
    addSigner(String(herId), certPem); // throws on a bad certificate before anything is saved
    const all = readSenders(files);
    all[herId] = [...new Set([...(all[herId] ?? []), certPem])];
    saveSenders(files, all);
  };
  const stats = () => ({
    ...helseid.stats,
    tokensIssuedByKey: { ...helseid.stats.tokensIssuedByKey },
    ...counters,
    messageIdsSeen: [...messageIdsSeen],
    slash: { ...slash.stats },
  });

  async function slashMessage(req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
    const handling = slash.message(helseid, req.headers, await readBodyBytes(req), url, () => requireApiNonce);
    if (handling.drop) return void req.socket.destroy();
    if (handling.waitMs) await new Promise((r) => setTimeout(r, handling.waitMs));
    send(res, await handling.answer());
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
    counters.apiRequests++;
    // Parsed once: bodies carry the whole sealed message (hundreds of kB).
    const parsed = parseBody(await readBodyBytes(req));
    noteMessageId(parsed);
    const fault = faults.next();
    if (fault.kind !== 'none') counters.faultsServed++;
    switch (fault.kind) {
      case 'drop':
        req.socket.destroy();
        return;
      case 'rateLimit':
        return send(res, { status: 429, headers: { 'Retry-After': String(fault.retryAfterSec) }, body: { errorCode: 1429, errorMessage: 'For mange forespørsler' } });
      case 'fail500':
        counters.failed++;
        return send(res, { status: 500, body: { errorCode: 1002, errorMessage: 'Teknisk feil på løsning. Prøv igjen senere.', refId: crypto.randomUUID() } });
      case 'delay':
        await new Promise((r) => setTimeout(r, fault.ms));
        break;
    }
    const auth = await helseid.checkApiRequest({
      authorization: req.headers.authorization,
      dpop: header(req, 'dpop'),
      method: 'POST',
      url,
      acceptedScopes: scopes,
      requireNonce: requireApiNonce,
    });
    if (!('claims' in auth)) {
      counters.unauthorized++;
      return send(res, auth);
    }
    const answer = processMessage(deps, parsed);
    if (answer.status === 200) counters.accepted++;
    else if (answer.status === 400) counters.rejected++;
    else counters.failed++;
    send(res, answer);
  }

  /** Remembers the messageId of every API request, faulted or not, so tests can see resends. */
  function noteMessageId(parsed: unknown): void {
    const id = (parsed as { messageHeader?: { messageId?: unknown } } | null)?.messageHeader?.messageId;
    if (typeof id === 'string') {
      messageIdsSeen.push(id);
      if (messageIdsSeen.length > 1000) messageIdsSeen.shift();
    }
  }

  async function admin(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const method = req.method ?? 'GET';
    // One tenant's part: the 2021 channel's by its sender HER-id, SLASH's by its organisation.
    const query = new URL(req.url ?? '/', 'http://sandbox').searchParams;
    const only = (name: string) => query.get(name) ?? undefined;
    if (method === 'GET' && path === '/sandbox/state') return send(res, { status: 200, body: store.publicState(only('sender')) });
    if (method === 'GET' && path === '/sandbox/notifications') return send(res, { status: 200, body: store.notifications() });
    if (method === 'GET' && path === '/sandbox/stats') return send(res, { status: 200, body: stats() });
    if (method === 'GET' && path === '/sandbox/slash/state') return send(res, { status: 200, body: slash.state(only('parent')) });
    if (method === 'POST') {
      // biome-ignore lint/suspicious/noExplicitAny: an operator's fault request, checked member by member below
      let body: any;
      try {
        body = JSON.parse((await readBody(req)) || '{}');
        if (path === '/sandbox/faults') {
          applyFaults(body as FaultSettings);
          return send(res, { status: 200, body: { pending: faults.pending(), requireApiNonce, tokenLifetimeSec: helseid.tokenLifetimeSec } });
        }
        if (path === '/sandbox/clients') {
          registerClient(body as RegisteredClient);
          return send(res, { status: 200, body: { registered: body.client_id } });
        }
        if (path === '/sandbox/senders') {
          registerSender(String(body.herId), String(body.certPem));
          return send(res, { status: 200, body: { registered: String(body.herId) } });
        }
      } catch (err) {
        if (err instanceof BodyTooLarge) throw err;
        return send(res, { status: 400, body: { error: (err as Error).message } });
      }
    }
    send(res, { status: 404, body: { error: `no ${method} ${path}` } });
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const url = `http://${req.headers.host}${path}`;
    const route = async () => {
      if (req.method === 'GET' && path === '/.well-known/openid-configuration') return send(res, { status: 200, body: helseid.discovery() });
      if (req.method === 'GET' && path === '/.well-known/openid-configuration/jwks') return send(res, { status: 200, body: helseid.jwks() });
      if (req.method === 'POST' && path === '/connect/token') {
        const form = new URLSearchParams(await readBody(req));
        return send(res, await helseid.token(form, header(req, 'dpop')));
      }
      if (req.method === 'POST' && path === '/message/process') return api(req, res, url);
      if (req.method === 'GET' && path === '/keys') return send(res, slash.keys());
      if (req.method === 'POST' && path === '/message') return slashMessage(req, res, url);
      if (path.startsWith('/sandbox/')) return admin(req, res, path);
      if (path === '/') return send(res, { status: 200, body: { endpoints: ENDPOINTS } });
      send(res, { status: 404, body: { error: `no ${req.method} ${path}` } });
    };
    route().catch((err) =>
      err instanceof BodyTooLarge
        ? send(res, { status: 413, body: { errorCode: 1413, errorMessage: err.message } })
        : send(res, { status: 500, body: { errorCode: 1000, errorMessage: (err as Error).message } }),
    );
  });

  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  helseid = await HelseIdStandIn.create(url, signingJwk, opts.tokenLifetimeSec ?? 300);
  // A data directory made before the sandbox served SLASH: its default client gets SLASH's scope too.
  for (const c of clients) helseid.registerClient(c.client_id === DEFAULT_CLIENT_ID ? { ...c, scopes: [...new Set([...c.scopes, ...slash.acceptedScopes])] } : c);
  if (opts.faults) applyFaults(opts.faults);

  const connection = connectionAt(url);
  writeFileAtomic(join(dataDir, 'connection.json'), `${JSON.stringify(connection, null, 2)}\n`);

  return {
    url,
    connection,
    dataDir,
    files,
    clientId: clients[0]?.client_id ?? DEFAULT_CLIENT_ID,
    scopes,
    receiverHerId,
    senderHerId,
    pki,
    helseid,
    store,
    slash,
    applyFaults,
    stats,
    state: () => store.publicState(),
    registerSender,
    registerClient,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => {
          store.close();
          ok();
        });
        server.closeAllConnections();
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const ENDPOINTS = [
  'GET /.well-known/openid-configuration',
  'GET /.well-known/openid-configuration/jwks',
  'POST /connect/token',
  'POST /message/process',
  'GET /keys',
  'POST /message',
  'GET /sandbox/slash/state',
  'GET /sandbox/state',
  'GET /sandbox/notifications',
  'GET /sandbox/stats',
  'POST /sandbox/faults',
  'POST /sandbox/clients',
  'POST /sandbox/senders',
];
