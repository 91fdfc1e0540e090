// No stack trace for any input: every kind of bad input of issue 18 (and the spec, mapping and
// configuration inputs of issue 16 in this one's reach), fed to the real `kpr` command, gives
// one paragraph that names what and where, and the documented exit code: 1 done but input
// rejected (records, lint errors), 2 failed. Log lines (JSON) are not the error and are left out.
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initSandboxSetup, type SandboxSetup } from '../../runtime/init/sandbox-setup.ts';
import { issueCertificate } from '../../runtime/transport/pki/index.ts';
import type { CliResult } from '../helpers/cli.ts';
import { tmp } from '../runtime/helpers.ts';
import { runKprAsync } from './helpers.ts';

/** What a person reads: stdout and stderr without the JSON log lines. */
function said(r: CliResult): string {
  // The words a person reads: stdout and stderr, without JSON log lines and the plain progress
  // lines a run writes when stderr is not a terminal.
  return [r.stdout.trim(), r.stderr.trim()]
    .filter(Boolean)
    .join('\n')
    .split('\n')
    .filter((l) => !l.startsWith('{"level"') && !l.startsWith('progress: '))
    .join('\n')
    .trim();
}

function expectOneParagraph(r: CliResult): void {
  const text = said(r);
  expect(text.length, 'says something').toBeGreaterThan(0);
  expect(text).not.toMatch(/internal error/);
  expect(text, 'no stack trace').not.toMatch(/^\s+at .+(:\d+:\d+\)?|native)$/m);
  expect(text, 'one paragraph').not.toMatch(/\n\s*\n/);
}

const BOMB = `${['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefgh'.split('').map((n, i) => `${n}: &${n} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n')}\n`;

let dir: string;
let setup: SandboxSetup;
let records: Record<string, any>[];
let fake: Server;
let fakeUrl: string;

beforeAll(async () => {
  dir = tmp('kpr-bad-');
  setup = await initSandboxSetup({ dir: join(dir, 'NR'), seed: 'bad', children: 2, today: '2026-11-24', port: 0 });
  records = readFileSync(join(setup.epjDir, 'extract.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  // A "receiver" that answers every request with a web page.
  fake = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Maintenance</body></html>'));
  fake.listen(0, '127.0.0.1');
  await once(fake, 'listening');
  fakeUrl = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
});
afterAll(() => {
  fake?.close();
});

/** Writes `text` to a file in the test folder; returns its path. */
function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

/** The extract of the setup replaced by these lines (a dry run: the database is not touched). */
function extract(lines: (string | Buffer)[]): string[] {
  for (const f of readdirSync(setup.epjDir)) rmSync(join(setup.epjDir, f));
  writeFileSync(join(setup.epjDir, 'extract.ndjson'), Buffer.concat(lines.map((l) => Buffer.concat([Buffer.isBuffer(l) ? l : Buffer.from(l), Buffer.from('\n')]))));
  return ['run', '--config', setup.configFile, '--dry-run', '--out', join(tmp('kpr-bad-out-'), 'out')];
}

const line = (i: number, change: (r: Record<string, any>) => void = () => {}) => {
  const r = structuredClone(records[i]!);
  change(r);
  return JSON.stringify(r);
};

type Case = [name: string, args: () => string[], code: number, says: RegExp];

const cases: Case[] = [
  // spec
  ['spec: YAML alias bomb', () => ['spec', 'lint', file('spec/hst/56.0.0.yaml', BOMB)], 1, /56\.0\.0\.yaml:2:8: error KPR1008: aliases expand too far/],
  ['spec: YAML syntax', () => ['spec', 'lint', file('spec2/hst/56.0.0.yaml', 'a: [1, 2\nb: c\n')], 1, /56\.0\.0\.yaml:2:1: error KPR1001/],
  // mapping
  ['mapping: YAML alias bomb', () => ['mapping', 'compile', file('mapping-bomb.yaml', `spec: hst@56.0.0\n${BOMB}`)], 1, /mapping-bomb\.yaml:\d+:\d+: error MAP\d{4}/],
  ['mapping: not YAML', () => ['mapping', 'compile', file('mapping-bad.yaml', 'spec: [\n')], 1, /mapping-bad\.yaml:\d+:\d+: error MAP1001/],
  // configuration
  ['config: YAML alias bomb', () => ['status', '--config', file('bomb/kpr.yaml', BOMB)], 2, /invalid configuration:\n\s+\S+kpr\.yaml:2:8: aliases expand too far/],
  ['config: missing file', () => ['status', '--config', join(dir, 'nowhere', 'kpr.yaml')], 2, /cannot read configuration .*nowhere\/kpr\.yaml: no such file\..*npx kpr init/],
  [
    'config: wrong type',
    () => ['status', '--config', file('typed/kpr.yaml', readFileSync(setup.configFile, 'utf8').replace('maxConsultations: 500', 'maxConsultations: many'))],
    2,
    /kpr\.yaml:\d+:\d+: .*maxConsultations/,
  ],
  // certificates
  ['certificate: not a certificate', () => ['cert', 'inspect', file('garbage.pem', 'garbage\n')], 2, /garbage\.pem is not PEM/],
  [
    'certificate: expired, named in kpr.yaml',
    () => {
      const ca = { certPem: readFileSync(join(setup.sandboxDir, 'pki/ca.pem'), 'utf8'), keyPem: readFileSync(join(setup.sandboxDir, 'pki/ca.key'), 'utf8') };
      const old = issueCertificate({ commonName: 'TEST old', keyUsage: ['nonRepudiation'], issuer: ca, notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') });
      const cert = file('old/sign.pem', old.certPem);
      file('old/sign.key', old.keyPem);
      const text = readFileSync(setup.configFile, 'utf8')
        .replace(/certFile: .*/, `certFile: ${cert}`)
        .replace(/keyFile: .*/, `keyFile: ${join(dir, 'old/sign.key')}`);
      writeFileSync(`${setup.configFile}.old.yaml`, text);
      return ['run', '--config', `${setup.configFile}.old.yaml`, '--dry-run', '--out', join(dir, 'old-out')];
    },
    2,
    /certificates\.signing\.certFile \(.*old\/sign\.pem\): .*expired on 2021-01-01.*Fix: /,
  ],
  // extract
  ['extract: U+0000 in a mapped string', () => extract([line(0, (r) => (r.consultation.unitId += '\u0000')), line(1)]), 1, /1 record\(s\) rejected/],
  [
    'extract: bytes that are not UTF-8',
    () =>
      extract(
        [Buffer.from(line(0)).subarray(0, 20), line(1)].map((l, i) => (i === 0 ? Buffer.concat([l as Buffer, Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"}')]) : l)),
      ),
    1,
    /1 record\(s\) rejected/,
  ],
  ['extract: a line that is not JSON', () => extract(['{"recordId": "BROKEN', line(1)]), 1, /1 record\(s\) rejected/],
  ['extract: a record without recordId', () => extract([line(0, (r) => delete r.recordId), line(1)]), 1, /1 record\(s\) rejected/],
  ['extract: a JSON array, not an object', () => extract(['[1,2,3]', line(1)]), 1, /1 record\(s\) rejected/],
  // HTTP: a receiver that answers with a web page
  [
    'HTTP: the receiver answers HTML',
    () => {
      const text = readFileSync(setup.configFile, 'utf8').replace(/http:\/\/127\.0\.0\.1:\d+/g, fakeUrl);
      // Beside the setup's kpr.yaml, so its relative paths hold.
      const cfg = join(setup.dir, 'kpr-fake.yaml');
      writeFileSync(cfg, text);
      extract([line(1)]);
      return ['run', '--config', cfg];
    },
    2,
    /HelseID/,
  ],
];

describe('bad input gives one paragraph and an exit code', () => {
  it.each(cases)('%s', async (_name, args, code, says) => {
    const r = await runKprAsync(args());
    if (process.env.SHOW) console.log(`--- ${_name}\n${said(r)}`);
    expect(r.code, said(r)).toBe(code);
    expectOneParagraph(r);
    expect(said(r)).toMatch(says);
  });
});
