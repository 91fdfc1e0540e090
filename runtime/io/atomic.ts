// Writing files so that a crash never leaves half a file: write a temporary file beside the
// target, flush it to disk, then rename it over the target (atomic on POSIX file systems).

import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /**
   * The file's mode, set exactly (the umask does not narrow or widen it). Without it the file is
   * created 0644 less the umask, as any program's would be. Files with keys, secrets or personal
   * data use writePrivateFile (io/private.ts), which passes 0600.
   */
  mode?: number;
}

export function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  // Created owner-only whatever is asked, so the bytes are never readable by others on the way.
  const fd = openSync(tmp, 'w', options.mode === undefined ? 0o644 : 0o600);
  try {
    if (options.mode !== undefined) fchmodSync(fd, options.mode);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}
