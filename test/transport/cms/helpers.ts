// Shared fixtures of the CMS and certificate tests: one test PKI cached under the OS temp
// folder (generated once, reused by every test file and run), a deterministic random stream,
// and a small openssl runner.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestPki, type TestPki } from '../../../runtime/transport/pki/index.ts';

export const SHARED_PKI_DIR = join(tmpdir(), 'kpr-kit-test-pki-v1');

export function sharedPki(): Promise<TestPki> {
  return ensureTestPki(SHARED_PKI_DIR);
}

export function tempDir(prefix = 'kpr-cms-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A reproducible byte stream: SHA-256 in counter mode over a seed. */
export function deterministicRandom(seed: string): (n: number) => Buffer {
  let counter = 0;
  return (n) => {
    const blocks: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const h = createHash('sha256').update(seed).update(String(counter++)).digest();
      blocks.push(h);
      have += h.length;
    }
    return Buffer.concat(blocks).subarray(0, n);
  };
}

export interface RunResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

export function openssl(args: string[], input?: Buffer): RunResult {
  const r = spawnSync('openssl', args, { input, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}
