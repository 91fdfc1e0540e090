// NDJSON from a command's stdout: the vendor's own extract (a SQL query, an export tool). The
// command is run without a shell; `{since}`, `{from}` and `{to}` in its arguments are replaced
// (and also given as KPR_SINCE, KPR_FROM, KPR_TO). A non-zero exit fails the run after the lines
// already read, so nothing half-read is mistaken for the whole extract.
import { spawn } from 'node:child_process';
import { byteLines } from './lines.ts';
import { parseBytes, SourceError, type ReadOptions, type Source, type SourceLine } from './types.ts';

export class CommandSource implements Source {
  private bytesRead = 0;

  constructor(
    private readonly argv: string[],
    private readonly env: Record<string, string>,
    private readonly timeoutSec: number,
    private readonly cwd: string,
  ) {}

  describe(): string {
    return `command ${this.argv[0]}`;
  }

  progress() {
    return { bytesRead: this.bytesRead };
  }

  async *read(opts: ReadOptions = {}): AsyncIterable<SourceLine> {
    const values: Record<string, string> = { since: opts.since ?? '', from: opts.from ?? '', to: opts.to ?? '' };
    const argv = this.argv.map((a) => a.replace(/\{(since|from|to)\}/g, (_, k: string) => values[k]!));
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: this.cwd,
      env: { ...process.env, ...this.env, KPR_SINCE: values.since, KPR_FROM: values.from, KPR_TO: values.to },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: this.timeoutSec * 1000,
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      // Keep the tail only: it says why, and it cannot fill memory.
      stderr = (stderr + d).slice(-2000);
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve({ code, signal }));
    });
    let line = 0;
    const after = opts.after;
    try {
      for await (const bytes of byteLines(child.stdout as AsyncIterable<Buffer>)) {
        line++;
        this.bytesRead += bytes.length + 1;
        if (after && line <= after.line) continue;
        const parsed = parseBytes(bytes, 'command', line);
        if (parsed) yield parsed;
      }
    } finally {
      if (child.exitCode === null) child.kill();
    }
    let result: Awaited<typeof exited>;
    try {
      result = await exited;
    } catch (err) {
      throw new SourceError(`source command ${argv[0]} could not be started: ${(err as Error).message}`);
    }
    if (result.code !== 0) {
      const why = result.signal ? `was stopped by ${result.signal}` : `exited with code ${result.code}`;
      throw new SourceError(`source command ${argv[0]} ${why}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
    }
  }
}
