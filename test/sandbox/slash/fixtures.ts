// Shared by the SLASH stand-in tests: a sandbox, a SLASH client for one of its tenants, and raw
// requests built step by step so that one binding at a time can be tampered with.
import { createHash } from 'node:crypto';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../runtime/sandbox/index.ts';
import { httpRequest } from '../../../runtime/transport/http.ts';
import { loadSigningKey } from '../../../runtime/transport/helseid/index.ts';
import {
  bindingsOf,
  createSlashProof,
  parseAnswer,
  protect,
  slashHeaders,
  SlashClient,
  SlashKeys,
  type SlashClientOptions,
  type SlashAnswer,
  type MessageBindings,
} from '../../../runtime/transport/slash/index.ts';
import { clientFor, tmpDir } from '../fixtures.ts';

export const VENDOR = { vendorName: 'Acme EPJ AS', softwareName: 'Acme Journal', softwareVersion: '4.2.0', exportSoftwareVersion: 'kpr-kit 0.1.0' };
export const PARENT = '999999905';
export const OTHER_PARENT = '999999913';

export const unitMessage = (orgNr: string | number = PARENT, extra: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify([{ orgNr, kommuneNr: 3253, avtale: [{ avtaleId: 'A1', ...extra }] }]), 'utf8');

export function startSlashSandbox(pkiDir: string, extra: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  return startSandbox({ dataDir: tmpDir(), pkiDir, ...extra });
}

export async function slashClientFor(sb: Sandbox, extra: Partial<SlashClientOptions> = {}): Promise<SlashClient> {
  return new SlashClient({
    baseUrl: sb.url,
    helseid: await clientFor(sb, true),
    scopes: [sb.connection.slashScope],
    vendor: VENDOR,
    sleep: async () => {},
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5, budgetMs: 60_000 },
    ...extra,
  });
}

export interface RawParts {
  headers: Record<string, string>;
  body: Buffer | string;
}

/**
 * A correct request for `json`, then `tamper` changes what it likes before the proof is signed
 * (bindings, the token the proof hashes) or after (headers, body).
 */
export async function rawSend(
  sb: Sandbox,
  json: Buffer,
  tamper: {
    bindings?: (b: MessageBindings) => MessageBindings;
    proofToken?: (token: string) => string;
    after?: (r: RawParts) => RawParts;
    parent?: string | null;
    msgType?: string;
    wrapKey?: { id: string; publicKey: string };
  } = {},
): Promise<SlashAnswer> {
  const helseid = await clientFor(sb, true);
  const keys = new SlashKeys({ baseUrl: sb.url });
  const key = tamper.wrapKey ?? { id: (await keys.current()).id, publicKey: (await keys.current()).publicKeyPem };
  const p = protect(json, key);
  const parent = tamper.parent === null ? undefined : (tamper.parent ?? PARENT);
  const token = await helseid.getToken({ scopes: [sb.connection.slashScope], org: parent ? { parent } : undefined });
  const dpopKey = await loadSigningKey(sb.files.clientJwkFile);
  let bindings = bindingsOf(p, tamper.msgType ?? 'HST_Avtale', '1');
  if (tamper.bindings) bindings = tamper.bindings(bindings);
  const proof = await createSlashProof({
    key: dpopKey,
    url: `${sb.url}/message`,
    accessToken: tamper.proofToken ? tamper.proofToken(token.accessToken) : token.accessToken,
    bindings,
  });
  let raw: RawParts = {
    headers: { 'content-type': 'text/plain', authorization: `DPoP ${token.accessToken}`, dpop: proof, ...slashHeaders(VENDOR) },
    body: p.body,
  };
  if (tamper.after) raw = tamper.after(raw);
  const res = await httpRequest(`${sb.url}/message`, { method: 'POST', headers: raw.headers, body: raw.body, timeoutMs: 30_000 });
  return parseAnswer(res.status, res.headers, res.body);
}

export const sha256url = (b: Buffer) => createHash('sha256').update(b).digest('base64url');
