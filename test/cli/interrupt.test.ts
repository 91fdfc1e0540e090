// Ctrl-C in a backfill: it stops at once with exit 130, says how far it got, that what was
// committed is kept, and the command to resume; the command as printed then finishes the job.
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initSandboxSetup } from '../../runtime/init/sandbox-setup.ts';
import { startSandbox, type Sandbox } from '../../runtime/sandbox/index.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

function kpr(args: string[], cwd: string) {
  const child = spawn(process.execPath, [resolve(REPO_ROOT, 'bin/kpr.mjs'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = once(child, 'exit').then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, done, stderr: () => stderr };
}

describe('Ctrl-C in kpr backfill', () => {
  let sandbox: Sandbox | undefined;
  afterAll(() => sandbox?.close());

  it('exits 130, says what was saved and how to resume, and the resume finishes the job', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kpr-sigint-'));
    const setup = await initSandboxSetup({ dir: join(cwd, 'setup'), seed: 'sigint', children: 300, today: '2024-12-31', port: 0 });
    sandbox = await startSandbox({ dataDir: setup.sandboxDir, port: setup.port, host: '127.0.0.1' });
    const run = kpr(['backfill', '--config', 'setup/kpr.yaml', '--verbose'], cwd);
    // The first log line means the job has started (and its Ctrl-C handler is in place).
    while (!run.stderr().includes('"transfer started"')) await once(run.child.stderr, 'data');
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code).toBe(130);
    const lines = r.stderr.trim().split('\n');
    expect(lines.at(-2)).toMatch(/^interrupted: .*(records read|before the first record).*saved in .*kpr\.db; nothing is lost or sent twice\.$/);
    expect(lines.at(-1)).toBe('resume with: npx kpr backfill --config setup/kpr.yaml --verbose');
    // Resumed (quietly): it completes where the interrupted one stopped.
    const again = await kpr(['backfill', '--config', 'setup/kpr.yaml', '--quiet'], cwd).done;
    expect(again.stderr).toBe('');
    expect([0, 1]).toContain(again.code);
    expect(again.stdout).toMatch(/^backfill \d+: \d+ record\(s\) read/);
    const { active = 0 } = sandbox.store.statusCounts();
    expect(active).toBeGreaterThan(0);

    // On a terminal (script(1) gives it one): the bar is redrawn in place, info logs are held
    // back while it shows, and the last state drawn is the final one.
    const tty = spawnSync('script', ['-qec', `${process.execPath} ${resolve(REPO_ROOT, 'bin/kpr.mjs')} backfill --config setup/kpr.yaml --restart`, '/dev/null'], {
      cwd,
      encoding: 'utf8',
    });
    expect(tty.status, tty.stdout).toBe(0);
    expect(tty.stdout).toContain('\r\x1b[2Krecords ');
    expect(tty.stdout).not.toContain('"level":"info"');
    const screen = tty.stdout
      .split(/\r?\n/)
      .map((l) => l.split('\r').at(-1)!.replace('\x1b[2K', ''))
      .filter(Boolean);
    expect(screen.at(-2)).toMatch(/^records [\d,]+ \| messages \d+ \| [\d,]+ rec\/s \| done in \d+s$/);
    expect(screen.at(-1)).toMatch(/^backfill \d+: /);
  });
});
