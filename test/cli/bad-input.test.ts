// Every command given a user's mistake: one paragraph on stderr saying what is wrong (and where
// or what to do), never a stack trace or "internal error", and exit code 2 (1 where the command
// did its work and rejected some input). One table, so new commands and cases join it.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runKpr } from '../helpers/cli.ts';

interface Want {
  /** Exit code; 2 unless said. */
  code?: number;
  /** What the message must say. */
  says?: RegExp;
  /** Checked after the command, in its folder: nothing lost, nothing half-written. */
  after?: (dir: string) => void;
}
type Setup = (dir: string) => void;
type Case = [name: string, argv: string[], setup: Setup | undefined, want: Want];

const file =
  (name: string, text: string): Setup =>
  (dir) =>
    writeFileSync(join(dir, name), text);
let busyPort = 0;

const CASES: Case[] = [
  ['unknown command', ['nope'], undefined, { says: /unknown command 'nope'/ }],
  ['unknown option', ['status', '--colour'], undefined, { says: /unknown option '--colour'/ }],
  ['status without a configuration', ['status', '--config', 'missing.yaml'], undefined, { says: /missing\.yaml: no such file.*npx kpr init/ }],
  ['status with a folder for a configuration', ['status', '--config', 'folder'], (d) => mkdirSync(join(d, 'folder')), { says: /a folder, not a file/ }],
  ['errors without a configuration', ['errors', '--config', 'missing.yaml'], undefined, { says: /npx kpr init/ }],
  ['errors in a format that does not exist', ['errors', '--config', 'missing.yaml', '--format', 'xml'], undefined, { says: /--format/ }],
  ['run with broken YAML', ['run', '--config', 'kpr.yaml'], file('kpr.yaml', 'profile: [\n'), { says: /kpr\.yaml:\d+:\d+/ }],
  ['backfill with an impossible date', ['backfill', '--config', 'kpr.yaml', '--from', '2017-13-01'], undefined, { says: /--from/ }],
  // The message id is optional since SLASH (which resumes units): without one, the configuration decides.
  ['resend without a message id or a configuration', ['resend'], undefined, { says: /kpr\.yaml: no such file.*npx kpr init/ }],
  [
    'report without a configuration',
    ['report', '--config', 'missing.yaml', '--html', 'r.html'],
    undefined,
    { says: /npx kpr init/, after: (d) => expect(readdirSync(d)).not.toContain('r.html') },
  ],
  [
    'token with a missing key file',
    ['token', '--authority', 'http://127.0.0.1:9', '--client-id', 'c', '--jwk', 'missing.json', '--scope', 's'],
    undefined,
    { says: /missing\.json/ },
  ],
  ['token without configuration or options', ['token'], undefined, { says: /--config|--authority/ }],
  [
    'seal a missing file',
    ['seal', '--in', 'missing.xml', '--recipient-cert', 'r.pem', '--sign-cert', 's.pem', '--sign-key', 's.key', '--out', 'o.p7m'],
    undefined,
    { says: /missing\.xml|r\.pem|s\.pem/ },
  ],
  [
    'cert test-pki into a file',
    ['cert', 'test-pki', '--dir', 'f'],
    file('f', 'mine\n'),
    { says: /f: a file is where a folder is needed/, after: (d) => expect(readFileSync(join(d, 'f'), 'utf8')).toBe('mine\n') },
  ],
  ['spec new without its required options', ['spec', 'new', 'hst', '57.0.0'], undefined, { says: /required options not specified: --from <version>, --valid-from <date>/ }],
  ['unseal without our certificate', ['unseal', '--in', 'x.p7m', '--any-signer'], undefined, { says: /--recipient-cert/ }],
  ['xml of a file that is not JSON', ['xml', '--spec', 'hst@56.0.0', '--in', 'k.yaml'], file('k.yaml', '# not json\n'), { code: 1, says: /k\.yaml: not valid JSON/ }],
  ['cert inspect a missing file', ['cert', 'inspect', 'missing.pem'], undefined, { says: /missing\.pem/ }],
  ['cert inspect a file that is not a certificate', ['cert', 'inspect', 'junk.pem'], file('junk.pem', 'hello\n'), { says: /junk\.pem/ }],
  [
    'spec build from a folder without specs',
    ['spec', 'build', '--spec-dir', 'missing'],
    undefined,
    { says: /no spec files/, after: () => expect(readdirSync(join(REPO_ROOT, 'generated/hst/56.0.0'))).toContain('xml.ts') },
  ],
  ['spec diff of things that are not specs', ['spec', 'diff', 'a', 'b'], undefined, { says: /a: neither/ }],
  ['spec import from a missing folder', ['spec', 'import', '--from', 'missing', '--message', 'hst'], undefined, { says: /missing/ }],
  ['xml with an unknown spec', ['xml', '--spec', 'nope@1.0.0'], undefined, { says: /nope@1\.0\.0/ }],
  ['xml from a missing file', ['xml', '--spec', 'hst@56.0.0', '--in', 'missing.json'], undefined, { says: /missing\.json/ }],
  [
    'map with a missing mapping',
    ['map', '--mapping', 'missing.yaml', '--in', 'in.ndjson', '--out', 'out.ndjson', '--rejects', 'rejects.ndjson'],
    undefined,
    { says: /in\.ndjson|missing\.yaml/, after: (d) => expect(readdirSync(d)).not.toContain('out.ndjson') },
  ],
  ['mapping template of a malformed reference', ['mapping', 'template', 'nope'], undefined, { says: /message@version/ }],
  ['demo-data with a word for a number', ['demo-data', '--children', 'many'], undefined, { says: /--children/ }],
  ['sandbox on a port that cannot exist', ['sandbox', '--port', '99999999'], undefined, { says: /--port/ }],
  ['sandbox on a port in use', ['sandbox', '--data', 'sbx'], (d) => file('p', '')(d), { says: /in use.*--port/ }],
  ['init with an unknown profile', ['init', '--profile', 'nope', '--dir', 'x'], undefined, { says: /--profile nope/, after: (d) => expect(readdirSync(d)).not.toContain('x') }],
  [
    'init into a file',
    ['init', '--profile', 'sandbox', '--dir', 'f'],
    file('f', 'mine\n'),
    { says: /is a file/, after: (d) => expect(readFileSync(join(d, 'f'), 'utf8')).toBe('mine\n') },
  ],
  [
    'init over an existing setup',
    ['init', '--dir', 'mine'],
    (d) => {
      mkdirSync(join(d, 'mine'));
      writeFileSync(join(d, 'mine/kpr.yaml'), 'mine\n');
    },
    { says: /exists.*--force/, after: (d) => expect(readFileSync(join(d, 'mine/kpr.yaml'), 'utf8')).toBe('mine\n') },
  ],
  [
    'demo into a folder of other files',
    ['demo', '--dir', 'work'],
    (d) => {
      mkdirSync(join(d, 'work'));
      writeFileSync(join(d, 'work/notes.txt'), 'mine\n');
    },
    { says: /did not make/, after: (d) => expect(readFileSync(join(d, 'work/notes.txt'), 'utf8')).toBe('mine\n') },
  ],
];

describe('a user mistake gets one paragraph and an exit code, never a stack trace', () => {
  let server: Server;
  beforeAll(async () => {
    server = createServer().listen(0, '127.0.0.1');
    await new Promise((ok) => server.once('listening', ok));
    busyPort = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it.each(CASES)('%s', (_name, argv, setup, want) => {
    const dir = mkdtempSync(join(tmpdir(), 'kpr-bad-'));
    setup?.(dir);
    const args = argv[0] === 'sandbox' && argv[1] === '--data' ? [...argv, '--port', String(busyPort)] : argv;
    const r = runKpr(args, { cwd: dir });
    const err = r.stderr.trim();
    expect(r.code, err).toBe(want.code ?? 2);
    expect(err).not.toBe('');
    expect(err).not.toMatch(/internal error/);
    expect(err, 'a stack frame').not.toMatch(/^\s+at .*(:\d+:\d+\)?|native\)?)$/m);
    expect(err, 'one paragraph').not.toMatch(/\n\s*\n/);
    if (want.says) expect(err).toMatch(want.says);
    want.after?.(dir);
  });
});
