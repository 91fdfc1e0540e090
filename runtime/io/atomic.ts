// Writing files so that a crash never leaves half a file: write a temporary file beside the
// target, flush it to disk, rename it over the target (atomic on POSIX file systems), then flush
// the folder, so that the rename itself survives a power cut. The one writer of whole files in
// kpr-kit (the generator's artefacts, mapping modules, keys, outputs); io/private.ts sets the
// modes of private ones through it.

import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /**
   * The file's mode, set exactly (the umask does not narrow or widen it). Without it the file is
   * created 0644 less the umask, as any program's would be. Files with keys, secrets or personal
   * data use writePrivateFile (io/private.ts), which passes 0600.
   */
  mode?: number;
  /** Make the target's folder (and its parents) first. */
  mkdir?: boolean;
}

export function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  if (options.mkdir) mkdirSync(dirname(path), { recursive: true });
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
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  syncDir(dirname(path));
}

/**
 * Puts a finished temporary file (one written as a stream, and closed) in place of `path`: its
 * bytes are flushed, it is renamed over the target, and the folder is flushed.
 */
export function renameIntoPlace(tmp: string, path: string): void {
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  syncDir(dirname(path));
}

/** Flushes a folder's entries (a rename or a new file in it) to disk. */
export function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return; // a folder that cannot be opened for reading (some platforms): nothing more to do
  }
  try {
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder (EINVAL); the rename is done all the same.
  } finally {
    closeSync(fd);
  }
}
