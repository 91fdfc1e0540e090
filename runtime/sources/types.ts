// Where EPJ records come from: an NDJSON file, a folder of NDJSON files, or a command whose
// stdout is NDJSON (so a vendor can plug in their own SQL extract). A source yields parsed
// lines with their position; it knows nothing of consultations.

import { decodeLine } from './lines.ts';

export interface SourceLine {
  /** The parsed JSON value, or undefined when the line is not JSON (see parseError). */
  value: unknown;
  parseError?: string;
  /** The rule the line broke, with parseError: REC1001 (not JSON) unless said otherwise. */
  parseRule?: 'REC1001' | 'REC1007';
  /** File name (or `command`), and 1-based line number within it. */
  file: string;
  line: number;
}

export interface ReadOptions {
  /** Changed since (ISO instant): passed to commands as {since}; files are read whole. */
  since?: string;
  /** Backfill window (dates): passed to commands as {from} and {to}. */
  from?: string;
  to?: string;
  /** Skip lines up to and including this position (a resumed backfill). */
  after?: { file: string; line: number };
  /** Files only: skip a whole file (e.g. one read to the end before and unchanged since). */
  skipFile?: (f: FileIdentity) => boolean | Promise<boolean>;
  /** Files only: called when a file was read to its end (after its last line was yielded). */
  onFileDone?: (f: FileIdentity) => void;
}

export interface FileIdentity {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface Source {
  describe(): string;
  read(opts: ReadOptions): AsyncIterable<SourceLine>;
  /** Bytes read so far and in all (when known): for progress and ETA. */
  progress(): { bytesRead: number; bytesTotal?: number };
}

export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceError';
  }
}

/** A line read as bytes: rejected (REC1007) when they are not UTF-8, else as parseLine. */
export function parseBytes(bytes: Buffer, file: string, line: number): SourceLine | undefined {
  const d = decodeLine(bytes);
  if ('text' in d) return parseLine(d.text, file, line);
  return {
    value: undefined,
    parseError: `line ${line} holds bytes that are not UTF-8 at byte offset ${d.badAt} (${d.bytes}); nothing was read from it`,
    parseRule: 'REC1007',
    file,
    line,
  };
}

export function parseLine(text: string, file: string, line: number): SourceLine | undefined {
  const t = text.trim();
  if (!t) return undefined;
  try {
    return { value: JSON.parse(t), file, line };
  } catch (err) {
    return { value: undefined, parseError: (err as Error).message, file, line };
  }
}
