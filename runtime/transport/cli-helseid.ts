// `kpr token`: fetches a HelseID access token with the same code the transfer uses, to check a
// client's settings. It prints the token's decoded header and claims, never the token itself
// unless --raw is given (for piping into another tool).
import type { Command } from 'commander';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { EXIT, UserError, type Registrar } from '../cli/program.ts';
import { HelseIdClient, HelseIdError, loadSigningKey } from './helseid/index.ts';

const ORGNR = /^\d{9}$/;

/** Claims that are times (RFC 7519 NumericDate): shown as ISO instants, not epoch seconds. */
const TIME_CLAIMS = ['iat', 'exp', 'nbf', 'auth_time'];

function isoTimes(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, TIME_CLAIMS.includes(k) && typeof v === 'number' ? new Date(v * 1000).toISOString() : v]));
}

interface TokenOptions {
  config?: string;
  authority?: string;
  clientId?: string;
  jwk?: string;
  scope?: string;
  dpop?: boolean;
  orgParent?: string;
  orgChild?: string;
  timeout?: string;
  raw?: boolean;
}

/** The flags, filled in from kpr.yaml's helseid section where it holds the answer; flags win. */
async function settings(o: TokenOptions): Promise<Required<Pick<TokenOptions, 'authority' | 'clientId' | 'jwk' | 'scope'>> & TokenOptions> {
  const merged = { ...o };
  if (o.config) {
    const { loadConfig } = await import('../config/load.ts');
    const c = loadConfig(o.config);
    if (!c.helseid) throw new UserError(`${c.file} has no helseid section; give --authority, --client-id, --jwk and --scope`);
    merged.authority ??= c.helseid.authority ?? c.profile.helseidAuthority;
    merged.clientId ??= c.helseid.clientId;
    merged.jwk ??= c.helseid.jwkFile;
    merged.scope ??= c.helseid.scopes.join(' ');
    merged.dpop ??= c.helseid.dpop;
    merged.orgParent ??= c.helseid.orgNumbers?.parent;
    merged.orgChild ??= c.helseid.orgNumbers?.child;
    merged.timeout ??= c.helseid.timeoutMs !== undefined ? String(c.helseid.timeoutMs) : undefined;
  }
  const missing = (['authority', 'clientId', 'jwk', 'scope'] as const).filter((k) => !merged[k]).map((k) => `--${k === 'clientId' ? 'client-id' : k}`);
  if (missing.length)
    throw new UserError(`kpr token needs ${missing.join(', ')}${o.config ? ` (not in ${o.config} either)` : ', or --config kpr.yaml to take them from its helseid section'}`);
  return merged as Required<Pick<TokenOptions, 'authority' | 'clientId' | 'jwk' | 'scope'>> & TokenOptions;
}

export const register: Registrar = (program: Command) => {
  program
    .command('token')
    .description('Fetch an access token from HelseID (client credentials, private_key_jwt) and show its claims, with times as ISO instants')
    .option('-c, --config <file>', "take authority, client id, key, scopes and DPoP from this kpr.yaml's helseid section (flags win)")
    .option('--authority <url>', 'HelseID authority, e.g. https://helseid-sts.test.nhn.no (required without --config)')
    .option('--client-id <id>', 'client id registered in HelseID (required without --config)')
    .option('--jwk <file>', 'private JWK file of the client, with alg and kid (required without --config)')
    .option('--scope <scopes>', 'space-separated scopes (required without --config)')
    .option('--dpop', 'ask for a DPoP-bound token (proofs signed with the same key)')
    .option('--org-parent <orgnr>', 'parent organisation number (multi-tenant clients)')
    .option('--org-child <orgnr>', 'child organisation number (with --org-parent)')
    .option('--timeout <ms>', 'HTTP timeout in milliseconds (default: 10000)')
    .option('--raw', 'print the access token itself instead of its claims')
    .action(async (flags: TokenOptions) => {
      const o = await settings(flags);
      if (o.orgChild && !o.orgParent) throw new UserError('--org-child needs --org-parent');
      for (const n of [o.orgParent, o.orgChild]) if (n && !ORGNR.test(n)) throw new UserError(`not an organisation number (9 digits): ${n}`);
      const timeoutMs = Number(o.timeout ?? '10000');
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new UserError(`--timeout must be a positive number of milliseconds, got ${o.timeout}`);
      const scopes = String(o.scope).split(/\s+/).filter(Boolean);
      if (!scopes.length) throw new UserError('--scope is empty');
      let token: Awaited<ReturnType<HelseIdClient['getToken']>>;
      try {
        const key = await loadSigningKey(o.jwk);
        const client = new HelseIdClient({ authority: o.authority, clientId: o.clientId, key, dpop: Boolean(o.dpop), timeoutMs });
        token = await client.getToken({ scopes, org: o.orgParent ? { parent: o.orgParent, child: o.orgChild } : undefined });
      } catch (err) {
        if (err instanceof HelseIdError) throw new UserError(err.message, EXIT.failed);
        throw new UserError((err as Error).message, EXIT.failed);
      }
      if (o.raw) {
        process.stdout.write(`${token.accessToken}\n`);
        return;
      }
      let decoded: Record<string, unknown>;
      try {
        decoded = { header: decodeProtectedHeader(token.accessToken), claims: isoTimes(decodeJwt(token.accessToken)) };
      } catch {
        decoded = { note: 'the access token is not a JWT (a reference token): no claims to show' };
      }
      process.stdout.write(`${JSON.stringify({ token_type: token.tokenType, expires_in: token.expiresInSec, scope: token.scope, ...decoded }, null, 2)}\n`);
    });
};
