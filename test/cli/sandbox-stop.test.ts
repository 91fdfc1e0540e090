// The README's sandbox: started with npx in the background, stopped by the pid it writes.
// `kill $!` would end npx and leave node listening; the pid file names the process that listens.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';

const refused = (port: number) =>
  new Promise<boolean>((ok) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), ok(false)));
    s.once('error', () => ok(true));
  });

describe('npx kpr sandbox &', () => {
  it('is stopped by kill $(cat DATA/sandbox.pid), which removes the pid file', async () => {
    const data = join(mkdtempSync(join(tmpdir(), 'kpr-sbx-stop-')), 'sandbox');
    const child = spawn('npx', ['kpr', 'sandbox', '--data', data, '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    let out = '';
    child.stdout.setEncoding('utf8');
    while (!out.includes('\n')) out += (await once(child.stdout, 'data'))[0];
    const port = Number(new URL(out.split('\n')[0]!).port);
    const pid = Number(readFileSync(join(data, 'sandbox.pid'), 'utf8'));
    expect(pid).not.toBe(child.pid);
    expect(await refused(port)).toBe(false);
    process.kill(pid, 'SIGTERM');
    await exited;
    expect(await refused(port)).toBe(true);
    expect(existsSync(join(data, 'sandbox.pid'))).toBe(false);
  });
});
