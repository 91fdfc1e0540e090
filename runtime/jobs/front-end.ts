// The transfer's front end: source lines, mapped and validated, in source order. Either here, on
// the transfer's own thread, or in a worker thread (map-worker.ts), so that reading, parsing,
// mapping, validating and hashing a record (about a third of a backfill's work) run on another
// core while this one decides, stores, serialises and sends. Both give the same items.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { KprConfig, SenderConfig } from '../config/load.ts';
import type { Finding } from './mapper.ts';
import { monthOf } from '../model/month.ts';
import { hashJson } from '../notify/hash.ts';
import { FileSource } from '../sources/files.ts';
import type { FileIdentity, ReadOptions, Source, SourceLine } from '../sources/types.ts';
import { findUnwritable } from '../xml/unwritable.ts';
import { fromCrossing, type CrossingError } from './errors.ts';
import { NOT_SENT, type Mapped, type RecordMapper } from './mapper.ts';

/**
 * One source line. A consultation carries its JSON and content hash; `konsultasjon` (the object)
 * only when mapped on this thread — from a worker the JSON is what crosses, and it is parsed
 * again only for the XML.
 */
export interface FrontItem {
  file: string;
  line: number;
  parseError?: string;
  parseRule?: SourceLine['parseRule'];
  mapped?: FrontMapped;
}

export type FrontMapped =
  | Exclude<Mapped, { kind: 'konsultasjon' }>
  | {
      kind: 'konsultasjon';
      sourceId: string;
      changedAt: string;
      konsultasjonId: string;
      konsultasjon?: Record<string, unknown>;
      json: string;
      hash: string;
      day: string;
      /** From the worker: the Konsultasjon element already written (kit.writeKonsultasjon). */
      xml?: string;
      warnings?: Finding[];
    };

export interface FrontEnd {
  read(opts: ReadOptions): AsyncIterable<FrontItem>;
  progress(): { bytesRead: number; bytesTotal?: number };
}

/**
 * What JSON.stringify writes for a character XML 1.0 cannot carry: `\u00XX` or `\b`/`\f` for a
 * control, `\udXXX` for a lone surrogate, U+FFFE and U+FFFF as they are. (An escaped backslash
 * before a `b` matches too; the walk then finds nothing.)
 */
const MAYBE_UNWRITABLE = /\\[ubf]|\ufffe|\uffff/;

/**
 * The consultation as the transfer needs it: its JSON, hash and the day it took place. A text
 * XML 1.0 cannot carry makes it a rejection here, before it joins a batch: one such record
 * would otherwise stop every Melding it is put in, run after run.
 */
export function frontMapped(m: Mapped): FrontMapped {
  if (m.kind !== 'konsultasjon') return m;
  const json = JSON.stringify(m.konsultasjon);
  // The JSON text shows every suspect at once (controls and lone surrogates come out escaped):
  // only a record it points at is walked.
  const unwritable = MAYBE_UNWRITABLE.test(json) ? findUnwritable(m.konsultasjon) : [];
  if (unwritable.length) {
    const findings = unwritable.map((u) => ({ path: u.path, rule: 'REC2012', message: `${u.path} ${u.bad.describe()}`, consequence: NOT_SENT }));
    const month = monthOf(m.konsultasjon.datoTidStart);
    return { kind: 'rejected', sourceId: m.sourceId, changedAt: m.changedAt, konsultasjonId: m.konsultasjonId, ...(month && { month }), findings };
  }
  return { ...m, json, hash: hashJson(json), day: String(m.konsultasjon.datoTidStart ?? '').slice(0, 10) };
}

export function inProcessFrontEnd(source: Source, mapper: RecordMapper): FrontEnd {
  return {
    progress: () => source.progress(),
    async *read(opts) {
      for await (const l of source.read(opts)) {
        yield l.parseError !== undefined
          ? { file: l.file, line: l.line, parseError: l.parseError, parseRule: l.parseRule }
          : { file: l.file, line: l.line, mapped: frontMapped(mapper.map(l.value, l)) };
      }
    },
  };
}

// --- the worker ------------------------------------------------------------------------------

/** What the worker is started with: everything it needs to open the same source and mapping. */
/** The parts of kpr.yaml the worker needs (plain data: what crosses to a thread is copied). */
export type WorkerConfig = Pick<KprConfig, 'source' | 'dir' | 'mapping' | 'rules' | 'profileName'> & { sender?: Pick<SenderConfig, 'Kommune'> } & {
  message: Pick<KprConfig['message'], 'generatedDir' | 'spec'>;
};

export interface WorkerInit {
  config: WorkerConfig;
  extractDate: string;
  read: Omit<ReadOptions, 'skipFile' | 'onFileDone'>;
  /** Files the transfer skips (read to their end before, unchanged since), by identity key. */
  skip: string[];
}

/** What the worker posts: items in order (a file's end after its last line), then done or an error. */
export type WorkerPost =
  | { items: (FrontItem | { fileDone: FileIdentity })[]; progress: { bytesRead: number; bytesTotal?: number } }
  | { done: true; progress: { bytesRead: number; bytesTotal?: number } }
  | { error: CrossingError };

export const identityKey = (f: FileIdentity) => `${f.path}\u0000${f.size}\u0000${f.mtimeMs}`;

/** Records per message between the threads, and messages the worker may be ahead: bounds memory. */
export const ITEMS_PER_POST = 256;
export const POSTS_AHEAD = 4;
const WORKER_YOUNG_MB = 16;

/**
 * Whether to map in a worker: only with a second core to run it on, and not when KPR_MAP_WORKER=0
 * (a machine where the threads would fight, or to compare).
 */
export function workerWanted(): boolean {
  return process.env.KPR_MAP_WORKER !== '0' && availableParallelism() > 1;
}

export function workerFrontEnd(config: KprConfig, extractDate: string): FrontEnd {
  let progress: { bytesRead: number; bytesTotal?: number } = { bytesRead: 0 };
  return {
    progress: () => progress,
    async *read(opts) {
      // skipFile asks the store, which lives on this thread: ask it now, for every file.
      const skip: string[] = [];
      if (opts.skipFile && config.source.type !== 'command') {
        for (const f of new FileSource(config.source.path!, config.source.type).identities()) if (await opts.skipFile(f)) skip.push(identityKey(f));
      }
      const { skipFile: _s, onFileDone: _d, ...read } = opts;
      const plain: WorkerConfig = JSON.parse(
        JSON.stringify({
          source: config.source,
          dir: config.dir,
          mapping: config.mapping,
          rules: config.rules,
          profileName: config.profileName,
          sender: config.sender && { Kommune: config.sender.Kommune },
          message: { generatedDir: config.message.generatedDir, spec: config.message.spec },
        }),
      );
      const init: WorkerInit = { config: plain, extractDate, read, skip };
      // A smaller young generation than the default: the worker's garbage is short-lived, and the
      // run's memory stays under 500 MB with both threads at a million records.
      const worker = new Worker(new URL('./map-worker.mjs', import.meta.url), { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
      const posts: WorkerPost[] = [];
      let failure: Error | undefined;
      let wake: (() => void) | undefined;
      const arrived = () => {
        wake?.();
        wake = undefined;
      };
      worker.on('message', (p: WorkerPost) => {
        posts.push(p);
        arrived();
      });
      worker.on('error', (err) => {
        failure = err;
        arrived();
      });
      worker.on('exit', (code) => {
        failure ??= new Error(`the mapping worker stopped (exit code ${code}) before the source was read`);
        arrived();
      });
      try {
        for (;;) {
          while (!posts.length && !failure) await new Promise<void>((resolve) => (wake = resolve));
          const p = posts.shift();
          if (!p) throw failure!;
          if ('error' in p) throw fromCrossing(p.error);
          progress = p.progress;
          if ('done' in p) return;
          worker.postMessage('more');
          for (const item of p.items) {
            if ('fileDone' in item) opts.onFileDone?.(item.fileDone);
            else yield item;
          }
        }
      } finally {
        worker.removeAllListeners('exit');
        await worker.terminate();
      }
    },
  };
}
