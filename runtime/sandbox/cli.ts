// `kpr sandbox`: runs the HelseID and KPR API stand-ins until interrupted. The first line of
// stdout is the base URL (scripts read it); the lines after it say how to use it.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.ts';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { UserError, type Registrar } from '../cli/program.ts';
import type { MessageCodec } from './codec.ts';
import type { FaultSettings } from './faults.ts';
import { generatedCodec } from './generated-codec.ts';
import { startSandbox } from './server.ts';
import { SlashFaults } from './slash/faults.ts';
import { generatedMessageTypes } from './slash/generated-types.ts';
import type { MessageTypes } from './slash/validate.ts';

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function port(value: string): number {
  const n = int(value);
  if (n > 65535) throw new InvalidArgumentError('expected a port number 0 to 65535');
  return n;
}

/**
 * Settings a data folder carries for itself (`kpr init --profile sandbox` writes them), so that
 * `kpr sandbox --data D/sandbox` with no other flag serves the address the configuration names.
 * Flags given on the command line win.
 */
export const SANDBOX_SETTINGS_FILE = 'sandbox.json';
export interface SandboxSettings {
  host?: string;
  port?: number;
  receiverHerId?: string;
  senderHerId?: string;
}

function readSettings(dataDir: string): SandboxSettings {
  const file = join(dataDir, SANDBOX_SETTINGS_FILE);
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SandboxSettings;
  } catch (err) {
    throw new UserError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Makes the registrar; `loadCodec` supplies the validating message codec when there is one. */
export function registerSandbox(loadCodec?: () => Promise<MessageCodec>, loadSlashTypes?: () => Promise<MessageTypes>): Registrar {
  return (program: Command) => {
    program
      .command('sandbox')
      .description("Run a local stand-in for HelseID, the 2021 KPR API and FHI's SLASH receiver (loopback, test keys, fault injection)")
      .option('--port <n>', 'port to listen on (0 = any free port)', port, 0)
      .option('--host <host>', 'address to listen on', '127.0.0.1')
      .option('--data <dir>', 'data directory: keys, certificates, registrations, sandbox.db with what was accepted (and sandbox.json defaults)', '.kpr/sandbox')
      .option('--pki <dir>', 'test PKI folder to use or create (default: <data>/pki)')
      .option('--token-lifetime <sec>', 'lifetime of issued access tokens', int, 300)
      .option('--receiver-her-id <id>', 'the HER-id messages must be addressed to', '8139520')
      .option('--sender-her-id <id>', 'the HER-id the test signing certificate is registered for', '8139519')
      .option('--fail-500 <n>', 'answer the next N API requests with 500', int)
      .option('--drop <n>', 'drop the connection of the next N API requests', int)
      .option('--delay-ms <ms>', 'delay API requests by this long (with --delay-count)', int)
      .option('--delay-count <n>', 'how many API requests to delay', int, 1)
      .option('--rate-limit <n>', 'answer the next N API requests with 429', int)
      .option('--retry-after <sec>', 'Retry-After of the 429 answers', int, 1)
      .option('--api-nonce', 'make the API demand a DPoP nonce')
      .option('--slash-faults <json>', 'faults of the SLASH receiver, as POST /sandbox/faults takes them under "slash" (e.g. \'{"answerCode":{"code":2008,"count":1}}\')')
      .option('--pid-file <file>', 'where to write the process id, removed on exit (default: <data>/sandbox.pid); stop with kill $(cat FILE)')
      .action(async (o, cmd: Command) => {
        const saved = readSettings(o.data);
        const fromFile = (key: keyof SandboxSettings, value: unknown) => (cmd.getOptionValueSource(key) === 'default' && saved[key] !== undefined ? saved[key] : value);
        o.host = fromFile('host', o.host);
        o.port = fromFile('port', o.port);
        o.receiverHerId = String(fromFile('receiverHerId', o.receiverHerId));
        o.senderHerId = String(fromFile('senderHerId', o.senderHerId));
        const loopback = ['127.0.0.1', '::1', 'localhost'].includes(o.host);
        if (!loopback) process.stderr.write(`kpr sandbox: warning: listening on ${o.host}, not loopback; the admin endpoints have no authentication\n`);
        const faults: FaultSettings = {};
        if (o.fail500) faults.fail500 = o.fail500;
        if (o.drop) faults.drop = o.drop;
        if (o.delayMs) faults.delay = { count: o.delayCount, ms: o.delayMs };
        if (o.rateLimit) faults.rateLimit = { count: o.rateLimit, retryAfterSec: o.retryAfter };
        if (o.apiNonce) faults.requireApiNonce = true;
        if (o.slashFaults) {
          try {
            faults.slash = JSON.parse(o.slashFaults);
            new SlashFaults().add(faults.slash!); // judged before the server listens
          } catch (err) {
            throw new UserError(`--slash-faults: ${(err as Error).message}`);
          }
        }
        let sandbox: Awaited<ReturnType<typeof startSandbox>>;
        try {
          sandbox = await startSandbox({
            dataDir: o.data,
            pkiDir: o.pki,
            port: o.port,
            host: o.host,
            tokenLifetimeSec: o.tokenLifetime,
            receiverHerId: o.receiverHerId,
            senderHerId: o.senderHerId,
            faults,
            codec: loadCodec ? await loadCodec() : undefined,
            slash: loadSlashTypes ? { messageTypes: await loadSlashTypes() } : undefined,
          });
        } catch (err) {
          const e = err as NodeJS.ErrnoException;
          if (e.code === 'EADDRINUSE')
            throw new UserError(`sandbox could not start: ${o.host}:${o.port} is in use (another sandbox?); stop that one, or choose another port with --port (0 = any free one)`);
          throw new UserError(`sandbox could not start: ${e.message}`);
        }
        const s = sandbox;
        const pidFile = o.pidFile ?? join(s.dataDir, 'sandbox.pid');
        // Listen for the stop signals before saying where we are: a script that reads the URL
        // and stops us at once must find the handlers in place.
        const stopped = new Promise<void>((done) => {
          const stop = () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            rmSync(pidFile, { force: true });
            void s.close().then(done);
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        // Before the address: whoever reads the URL can stop us by this file at once.
        writeFileAtomic(pidFile, `${process.pid}\n`);
        process.stdout.write(
          [
            s.url,
            `HelseID authority: ${s.url}   KPR API base: ${s.url}`,
            `client id: ${s.clientId}   client key: ${s.files.clientJwkFile}   scopes: ${s.scopes.join(' ')}`,
            `sender HER-id: ${s.senderHerId} (signing certificate in ${s.pki.dir})   receiver HER-id: ${s.receiverHerId}`,
            `state: GET ${s.url}/sandbox/state   faults: POST ${s.url}/sandbox/faults   data: ${s.dataDir}`,
            `SLASH (FHI): GET ${s.url}/keys, POST ${s.url}/message   scope: ${s.connection.slashScope}   state: GET ${s.url}/sandbox/slash/state`,
            `connection settings: ${join(s.dataDir, 'connection.json')}`,
            `pid ${process.pid} (in ${pidFile}); stop with Ctrl-C or kill $(cat ${pidFile})`,
            '',
          ].join('\n'),
        );
        await stopped;
      });
  };
}

/** `kpr sandbox` validates with the generated codecs and JSON validators (every message version in generated/). */
export const register: Registrar = registerSandbox(
  async () => generatedCodec((await import('../../generated/index.ts')).MESSAGES),
  async () => generatedMessageTypes((await import('../../generated/index.ts')).JSON_MESSAGES),
);
