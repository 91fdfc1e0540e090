// Private by default, judged by the modes on disk: under umask 000 (the worst an operator's
// shell can have) and 022 (the usual one), every file kpr-kit writes with a key, a secret or
// personal data is 0600 and every folder it makes for them 0700; certificates and kpr.yaml
// may be read by others. `kpr status` names a private file that others can read.
import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config/load.ts';
import { initSandboxSetup } from '../../runtime/init/sandbox-setup.ts';
import { dryRunJob, runJob } from '../../runtime/jobs/jobs.ts';
import { formatStatus, statusReport } from '../../runtime/jobs/report.ts';
import { silentLogger } from '../../runtime/log.ts';
import { mapStream } from '../../runtime/mapping/stream.ts';
import { openStore } from '../../runtime/store/open.ts';
import { FakeReceiver, identitySealer, tmp } from '../runtime/helpers.ts';
import { SandboxStore } from '../../runtime/sandbox/store.ts';

/** Files others may read: certificates (public by nature), settings and the mapping. */
const PUBLIC = /(\.pem|pki\.json|connection\.json|sandbox\.json|kpr\.yaml|mapping\.yaml|source\.schema\.json|\.gitignore)$/;

function modes(root: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (dir: string) => {
    out.set(relative(root, dir) || '.', statSync(dir).mode & 0o777);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(root, p), statSync(p).mode & 0o777);
    }
  };
  walk(root);
  return out;
}

const octal = (m: number) => m.toString(8).padStart(4, '0');

const saved = process.umask();
afterEach(() => {
  process.umask(saved);
});

describe.each([0o000, 0o022])('under umask %o', (umask) => {
  it('keys, databases, extracts, dry-run output and rejects are 0600 in 0700 folders', async () => {
    process.umask(umask);
    const root = tmp('kpr-private-');
    const setup = await initSandboxSetup({ dir: join(root, 's'), seed: 'p', children: 2, today: '2026-11-24', port: 0 });
    const config = loadConfig(setup.configFile);
    // The dry run first, while there is something to write.
    await dryRunJob({ config: loadConfig(setup.configFile), log: silentLogger, out: join(setup.dir, 'dry-run', 'out') });
    const receiver = new FakeReceiver();
    expect((await runJob({ config, log: silentLogger, sender: receiver, sealer: identitySealer })).exitCode).toBe(0);
    // kpr init no longer starts the sandbox, so its database is made when the stand-in first opens it.
    new SandboxStore(setup.sandboxDir).close();

    // While a store is open, SQLite's -wal and -shm exist: they hold the same data.
    const store = openStore(config.database);
    store.checkpoint('watermark');
    const whileOpen = [config.database, `${config.database}-wal`, `${config.database}-shm`].map((f) => [
      relative(root, f),
      existsSync(f) ? octal(statSync(f).mode & 0o777) : 'missing',
    ]);
    store.close();
    expect(whileOpen).toEqual([
      ['s/kpr.db', '0600'],
      ['s/kpr.db-wal', '0600'],
      ['s/kpr.db-shm', '0600'],
    ]);

    await mapStream({
      apply: () => ({ ok: false, issues: [{ path: '/x', rule: 'r', message: 'm', consequence: 'discard-row', severity: 'error' }] }) as never,
      input: join(setup.epjDir, 'extract.ndjson'),
      out: join(setup.dir, 'mapped.ndjson'),
      rejects: join(setup.dir, 'rejects.ndjson'),
    });

    const all = modes(join(root, 's'));
    const wrong = [...all].filter(([name, mode]) => {
      const isDir = statSync(join(root, 's', name)).isDirectory();
      if (isDir) return mode !== 0o700;
      return PUBLIC.test(name) ? false : mode !== 0o600;
    });
    expect(wrong.map(([n, m]) => `${n} ${octal(m)}`)).toEqual([]);
    // The ones the issue found world-readable are there, and were judged.
    for (const f of [
      'sandbox/client.jwk.json',
      'sandbox/sandbox-signing.jwk.json',
      'sandbox/sandbox.db',
      'kpr.db',
      'epj/extract.ndjson',
      'rejects.ndjson',
      'dry-run',
      'dry-run/out',
      'dry-run/out/summary.json',
    ]) {
      expect(all.has(f), f).toBe(true);
    }
    expect([...all.keys()].some((f) => /^dry-run\/out\/melding-.*\.xml$/.test(f))).toBe(true);
  });
});

it('kpr status warns about a private file others can read, and names the fix', async () => {
  const setup = await initSandboxSetup({ dir: join(tmp('kpr-private-'), 's'), seed: 'q', children: 1, today: '2026-11-24', port: 0, extract: 'none' });
  writeFileSync(join(setup.epjDir, 'a.ndjson'), '');
  const config = loadConfig(setup.configFile);
  await runJob({ config, log: silentLogger, sender: new FakeReceiver(), sealer: identitySealer });
  expect((await statusReport(config)).exposedFiles).toEqual([]);

  chmodSync(config.database, 0o644);
  chmodSync(config.helseid!.jwkFile, 0o640);
  const report = await statusReport(config);
  // Opening the store made its -wal and -shm, with the database file's mode: all three named.
  const db = config.database;
  expect(report.exposedFiles).toEqual([
    ...[db, `${db}-wal`, `${db}-shm`].map((f) => `${f} is readable or writable by its group and others (mode 0644); it holds keys or personal data: chmod 600 ${f}`),
    `${config.helseid!.jwkFile} is readable or writable by its group (mode 0640); it holds keys or personal data: chmod 600 ${config.helseid!.jwkFile}`,
  ]);
  expect(formatStatus(report)).toContain(`warning   ${config.database} is readable`);
});
