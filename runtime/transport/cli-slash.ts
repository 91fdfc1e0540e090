// `kpr slash …`: look inside SLASH messages, so an operator can show FHI exactly what was sent.
// `encrypt` protects a JSON file for a key (a PEM public key, or a `/keys` answer saved to a
// file), `decrypt` opens one with the receiver's private key (the sandbox's, or FHI's in a joint
// investigation) and checks it against msg_hash, `proof` prints a proof's header and claims, and
// `keys` shows which key a receiver's `/keys` would have us use. Nothing here prints a token.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT, UserError, type Registrar } from '../cli/program.ts';
import { writeAtomic } from './cli-cms.ts';
import { chooseKey, describeProof, msgHashOf, protect, SlashKeyError, SlashKeys, unprotect, UnprotectError, type WrappingKey } from './slash/index.ts';

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The exact bytes: SLASH hashes what is sent, so nothing is decoded and encoded again. */
async function readInput(path: string | undefined, what: string): Promise<Buffer> {
  if (path && path !== '-') {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new UserError(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function write(path: string | undefined, data: Buffer | string): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (path && path !== '-')
    writeAtomic(path, buf); // owner-only: messages hold personal data
  else process.stdout.write(buf);
}

/** A PEM public key (needs --key-id) or a saved `/keys` answer (the latest-expiring key). */
function wrappingKey(file: string, keyId: string | undefined): WrappingKey & { expirationDate?: string } {
  const text = readText(file, 'the key file');
  if (text.trimStart().startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch (err) {
      throw new UserError(`${file} is not JSON: ${(err as Error).message}`);
    }
    try {
      const k = chooseKey(list, file, keyId ? 0 : Date.now()); // with --key-id an expired key may be shown again
      if (keyId) {
        const entry = (list as Array<{ id?: string; publicKey?: string }>).find((e) => e?.id === keyId);
        if (!entry?.publicKey) throw new UserError(`${file} holds no key with id ${keyId}`);
        return { id: keyId, publicKey: entry.publicKey };
      }
      return { id: k.id, publicKey: k.publicKey, expirationDate: k.expirationDate };
    } catch (err) {
      if (err instanceof SlashKeyError) throw new UserError(err.message);
      throw err;
    }
  }
  if (!keyId) throw new UserError(`${file} is a PEM key: give its id with --key-id (the id /keys lists it under)`);
  return { id: keyId, publicKey: text };
}

const JSON_OUT = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

export const register: Registrar = (program: Command) => {
  const slash = program.command('slash').description("Look inside FHI's SLASH messages: encrypt, decrypt, show a proof, show the receiver's key");

  slash
    .command('encrypt')
    .description('Protect a JSON message as SLASH sends it: prints msg_hash, enc_sym_key, enc_key_id and the base64 body')
    .requiredOption('--key <file>', "the receiver's public key: a PEM file (with --key-id) or a saved /keys answer")
    .option('--key-id <id>', 'the id of the key (required with a PEM file; picks one key out of a /keys answer)')
    .option('--in <file>', 'the JSON message, sent byte for byte (default: stdin)')
    .option('--out <file>', 'where to write the result as JSON (default: stdout)')
    .action(async (o) => {
      const key = wrappingKey(o.key, o.keyId);
      const json = await readInput(o.in, 'the message');
      try {
        JSON.parse(json.toString('utf8'));
      } catch (err) {
        throw new UserError(`${o.in ?? 'stdin'} is not JSON (SLASH sends a JSON array): ${(err as Error).message}`, EXIT.partial);
      }
      let p: ReturnType<typeof protect>;
      try {
        p = protect(json, key);
      } catch (err) {
        throw new UserError(`cannot encrypt for the key in ${o.key}: ${(err as Error).message}`);
      }
      write(o.out, JSON_OUT({ msg_hash: p.msgHash, enc_sym_key: p.encSymKey, enc_key_id: p.encKeyId, bytes: json.length, body: p.body }));
    });

  slash
    .command('decrypt')
    .description('Open a SLASH message with the private key: writes the exact JSON; exit 1 if it does not match msg_hash')
    .requiredOption('--private-key <file>', "the receiver's private key, PEM")
    .option('--message <file>', 'the JSON `kpr slash encrypt` writes (body, enc_sym_key, msg_hash)')
    .option('--enc-sym-key <text>', 'enc_sym_key from the proof (base64url or base64), instead of --message')
    .option('--in <file>', 'the request body (base64), with --enc-sym-key (default: stdin)')
    .option('--msg-hash <text>', 'msg_hash from the proof, to check the JSON against')
    .option('--out <file>', 'where to write the JSON (owner-only; default: stdout)')
    .action(async (o) => {
      const privateKey = readText(o.privateKey, 'the private key');
      let body: string;
      let encSymKey: string | undefined = o.encSymKey;
      let msgHash: string | undefined = o.msgHash;
      if (o.message) {
        let m: Record<string, unknown>;
        try {
          m = JSON.parse(readText(o.message, 'the message'));
        } catch (err) {
          throw new UserError(`${o.message} is not JSON: ${(err as Error).message}`);
        }
        if (typeof m.body !== 'string' || typeof m.enc_sym_key !== 'string')
          throw new UserError(`${o.message} must hold "body" and "enc_sym_key" (as \`kpr slash encrypt\` writes them)`);
        body = m.body;
        encSymKey ??= m.enc_sym_key;
        msgHash ??= typeof m.msg_hash === 'string' ? m.msg_hash : undefined;
      } else {
        if (!encSymKey) throw new UserError('give --message, or --enc-sym-key with the body on --in or stdin');
        body = (await readInput(o.in, 'the body')).toString('ascii');
      }
      let json: Buffer;
      try {
        json = unprotect(body, encSymKey!, privateKey);
      } catch (err) {
        if (err instanceof UnprotectError)
          throw new UserError(`${err.stage === 'asymmetric' ? 'the wrapped key (FHI code 1008)' : 'the body (FHI code 1009)'}: ${err.message}`, EXIT.partial);
        throw new UserError(`cannot use the private key in ${o.privateKey}: ${(err as Error).message}`);
      }
      write(o.out, json);
      if (msgHash !== undefined) {
        const actual = msgHashOf(json);
        if (actual !== msgHash) {
          process.stderr.write(`kpr: msg_hash does not match (FHI code 1006): the JSON hashes to ${actual}, the proof says ${msgHash}\n`);
          process.exitCode = EXIT.partial;
        } else process.stderr.write('kpr: msg_hash matches\n');
      }
    });

  slash
    .command('proof')
    .description("Print a SLASH DPoP proof's header and claims (not verified); exit 1 if a binding is missing")
    .argument('[jwt]', 'the proof (default: read from --in or stdin)')
    .option('--in <file>', 'a file holding the proof')
    .action(async (jwt: string | undefined, o) => {
      const text = (jwt ?? (await readInput(o.in, 'the proof')).toString('utf8')).trim();
      let d: ReturnType<typeof describeProof>;
      try {
        d = describeProof(text);
      } catch (err) {
        throw new UserError(`the proof is ${(err as Error).message}`, EXIT.partial);
      }
      process.stdout.write(JSON_OUT(d));
      if (d.missing.length) {
        process.stderr.write(`kpr: the proof lacks ${d.missing.join(', ')}\n`);
        process.exitCode = EXIT.partial;
      }
    });

  slash
    .command('keys')
    .description("Fetch a SLASH receiver's /keys and show the key a sender would use (the latest expiry)")
    .requiredOption('--base-url <url>', 'the receiver, e.g. https://app-mottak-api-et.azurewebsites.net/')
    .option('--timeout <ms>', 'HTTP timeout in milliseconds', '10000')
    .action(async (o) => {
      const timeoutMs = Number(o.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new UserError(`--timeout must be a positive number of milliseconds, got ${o.timeout}`);
      try {
        const k = await new SlashKeys({ baseUrl: o.baseUrl, timeoutMs }).current();
        process.stdout.write(JSON_OUT({ id: k.id, expirationDate: k.expirationDate, publicKey: k.publicKeyPem }));
      } catch (err) {
        throw new UserError((err as Error).message);
      }
    });
};
