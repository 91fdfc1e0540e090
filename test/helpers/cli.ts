// Run the real `kpr` command as a user would, and collect what it says.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runKpr(args: string[], opts: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [resolve(REPO_ROOT, 'bin/kpr.mjs'), ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    input: opts.input,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * `kpr <args>` as a child process that runs beside the test (workers, a sandbox's clients):
 * `started` gets the child (to kill it), `onStderr` what it has said so far, as it comes.
 */
export function spawnKpr(
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; started?: (child: ChildProcess) => void; onStderr?: (text: string, child: ChildProcess) => void } = {},
): Promise<Ran> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve(REPO_ROOT, 'bin/kpr.mjs'), ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      opts.onStderr?.(stderr, child);
    });
    child.on('exit', (code, signal) => done({ code, signal, stdout, stderr }));
    opts.started?.(child);
  });
}
