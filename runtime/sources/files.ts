// NDJSON from a file or from every *.ndjson / *.jsonl file of a folder (in name order, so a
// vendor's dated export files are read oldest first). Streams line by line: memory does not
// grow with the file.
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { byteLines } from './lines.ts';
import { parseBytes, SourceError, type FileIdentity, type ReadOptions, type Source, type SourceLine } from './types.ts';

const NDJSON = /\.(ndjson|jsonl)$/i;

export class FileSource implements Source {
  private bytesRead = 0;
  private bytesTotal: number | undefined;

  constructor(
    private readonly path: string,
    private readonly kind: 'file' | 'folder',
  ) {}

  describe(): string {
    return `${this.kind} ${this.path}`;
  }

  files(): string[] {
    if (!existsSync(this.path)) throw new SourceError(`source ${this.kind} ${this.path} does not exist`);
    if (this.kind === 'file') return [this.path];
    if (!statSync(this.path).isDirectory()) throw new SourceError(`source folder ${this.path} is not a folder`);
    return readdirSync(this.path)
      .filter((f) => NDJSON.test(f))
      .sort()
      .map((f) => join(this.path, f));
  }

  /** Every file with the identity read() gives it (path, size, whole milliseconds of mtime). */
  identities(): FileIdentity[] {
    return this.files().map((path) => {
      const st = statSync(path);
      return { path, size: st.size, mtimeMs: Math.trunc(st.mtimeMs) };
    });
  }

  progress() {
    return { bytesRead: this.bytesRead, bytesTotal: this.bytesTotal };
  }

  async *read(opts: ReadOptions = {}): AsyncIterable<SourceLine> {
    const files = this.files();
    this.bytesTotal = files.reduce((n, f) => n + statSync(f).size, 0);
    this.bytesRead = 0;
    const after = opts.after;
    for (const file of files) {
      const name = basename(file);
      const st = statSync(file);
      const size = st.size;
      const identity = { path: file, size, mtimeMs: Math.trunc(st.mtimeMs) };
      if ((after && name < after.file) || (await opts.skipFile?.(identity))) {
        this.bytesRead += size;
        continue;
      }
      // Bytes, not text: a line that is not UTF-8 is rejected, not decoded with U+FFFD in it.
      let line = 0;
      for await (const bytes of byteLines(createReadStream(file, { highWaterMark: 1 << 16 }) as AsyncIterable<Buffer>)) {
        line++;
        this.bytesRead += bytes.length + 1;
        if (after && name === after.file && line <= after.line) continue;
        const parsed = parseBytes(bytes, name, line);
        if (parsed) yield parsed;
      }
      opts.onFileDone?.(identity);
    }
  }
}
