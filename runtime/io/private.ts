// Private by default: a file holding a key, a secret or personal data (the databases and their
// WAL/SHM, JWKs, PEM and PKCS#12 keys, sandbox data, dry-run output, rejects) is readable and
// writable by its owner only (0600), and a folder kpr-kit makes for such files is 0700, whatever
// the umask. One home for the modes, so no call site picks its own.

import { chmodSync, closeSync, createWriteStream, fchmodSync, mkdirSync, openSync, statSync, type WriteStream } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { writeFileAtomic } from './atomic.ts';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Writes `data` to `path` atomically, the file 0600. */
export function writePrivateFile(path: string, data: string | Uint8Array): void {
  writeFileAtomic(path, data, { mode: PRIVATE_FILE_MODE });
}

/**
 * Makes `dir` and any missing parents; each folder made here is 0700. A folder that already
 * exists keeps its mode: it is the operator's (it may be the working directory), and
 * `kpr status` says when a private file in it is readable by others.
 */
export function makePrivateDir(dir: string): void {
  const target = resolve(dir);
  const first = mkdirSync(target, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined) return;
  // The umask may have narrowed the mode asked of mkdir; set it on each folder made.
  const made = relative(first, target).split(sep).filter(Boolean);
  let at = first;
  chmodSync(at, PRIVATE_DIR_MODE);
  for (const part of made) {
    at = resolve(at, part);
    chmodSync(at, PRIVATE_DIR_MODE);
  }
}

/**
 * Creates `path` empty and 0600 if it does not exist (its folder made private), and leaves an
 * existing file as it is. SQLite gives its -wal and -shm files the mode of the database file, so
 * creating the database this way before opening it makes all three private.
 */
export function ensurePrivateFile(path: string): void {
  makePrivateDir(dirname(path));
  let fd: number;
  try {
    fd = openSync(path, 'wx', PRIVATE_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw err;
  }
  try {
    fchmodSync(fd, PRIVATE_FILE_MODE);
  } finally {
    closeSync(fd);
  }
}

/** A write stream to a new (or truncated) file that is 0600 before the first byte is written. */
export function privateWriteStream(path: string, options: { highWaterMark?: number } = {}): WriteStream {
  const fd = openSync(path, 'w', PRIVATE_FILE_MODE);
  fchmodSync(fd, PRIVATE_FILE_MODE);
  return createWriteStream(path, { ...options, fd });
}

/**
 * Why a private file is exposed, or undefined when it is not (or does not exist): readable or
 * writable by its group or by others.
 */
export function exposure(path: string): string | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) === 0) return undefined;
  const who = [mode & 0o070 ? 'its group' : '', mode & 0o007 ? 'others' : ''].filter(Boolean).join(' and ');
  return `${path} is readable or writable by ${who} (mode ${mode.toString(8).padStart(4, '0')}); it holds keys or personal data: chmod 600 ${path}`;
}
