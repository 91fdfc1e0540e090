// `kpr token`: fetches a HelseID access token with the same code the transfer uses, to check a
// client's settings. It prints the token's decoded header and claims, never the token itself
// unless --raw is given (for piping into another tool).
import { Command } from 'commander';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { EXIT, UserError, type Registrar } from '../cli/program.ts';
import { HelseIdClient, HelseIdError, loadSigningKey } from './helseid/index.ts';

const ORGNR = /^\d{9}$/;

export const register: Registrar = (program: Command) => {
  program
    .command('token')
    .description('Fetch an access token from HelseID (client credentials, private_key_jwt) and show its claims')
    .requiredOption('--authority <url>', 'HelseID authority, e.g. https://helseid-sts.test.nhn.no')
    .requiredOption('--client-id <id>', 'client id registered in HelseID')
    .requiredOption('--jwk <file>', 'private JWK file of the client (with alg and kid)')
    .requiredOption('--scope <scopes>', 'space-separated scopes')
    .option('--dpop', 'ask for a DPoP-bound token (proofs signed with the same key)')
    .option('--org-parent <orgnr>', 'parent organisation number (multi-tenant clients)')
    .option('--org-child <orgnr>', 'child organisation number (with --org-parent)')
    .option('--timeout <ms>', 'HTTP timeout in milliseconds', '10000')
    .option('--raw', 'print the access token itself instead of its claims')
    .action(async (o) => {
      if (o.orgChild && !o.orgParent) throw new UserError('--org-child needs --org-parent');
      for (const n of [o.orgParent, o.orgChild]) if (n && !ORGNR.test(n)) throw new UserError(`not an organisation number (9 digits): ${n}`);
      const timeoutMs = Number(o.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new UserError(`--timeout must be a positive number of milliseconds, got ${o.timeout}`);
      const scopes = String(o.scope).split(/\s+/).filter(Boolean);
      if (!scopes.length) throw new UserError('--scope is empty');
      let token;
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
        decoded = { header: decodeProtectedHeader(token.accessToken), claims: decodeJwt(token.accessToken) };
      } catch {
        decoded = { note: 'the access token is not a JWT (a reference token): no claims to show' };
      }
      process.stdout.write(`${JSON.stringify({ token_type: token.tokenType, expires_in: token.expiresInSec, scope: token.scope, ...decoded }, null, 2)}\n`);
    });
};
