// `kpr demo` on a terminal's terms: --quiet prints only the summary; --verbose adds the jobs'
// JSON log lines on stderr, and stdout stays the demo's own lines.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKpr } from '../helpers/cli.ts';

describe('kpr demo --quiet / --verbose', () => {
  it('--quiet: the summary alone; --verbose: JSON logs on stderr beside the same stdout steps', () => {
    const base = mkdtempSync(join(tmpdir(), 'kpr-demo-out-'));
    const quiet = runKpr(['demo', '--dir', join(base, 'q'), '--children', '10', '--days', '1', '--quiet']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout.split('\n')[0]).toBe('summary');
    expect(quiet.stdout).toMatch(/^ {2}notifications sent: +\d+/m);
    const verbose = runKpr(['demo', '--dir', join(base, 'v'), '--children', '10', '--days', '1', '--verbose']);
    expect(verbose.code, verbose.stderr).toBe(0);
    expect(verbose.stdout).toMatch(/^1\. setup in /m);
    const logs = verbose.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(logs.map((l) => l.msg)).toContain('transfer started');
  });
});
