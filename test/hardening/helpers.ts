// Running `kpr` without blocking this process: a sandbox started in the test process must go on
// answering while the command runs (spawnSync would stop its event loop).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, type CliResult } from '../helpers/cli.ts';

export function runKprAsync(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string | Buffer } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/kpr.mjs'), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.stdin.end(opts.input);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
