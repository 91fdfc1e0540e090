// Assembles what a job needs from kpr.yaml: store, message kit, header, mapper, source, sealer
// and sender. `kpr run`, `kpr backfill` and `kpr resend` share it, and so can the lead's demo.
import { EXIT, UserError } from '../cli/program.ts';
import { requireKneik, type KprConfig } from '../config/load.ts';
import { createLogger, type Logger } from '../log.ts';
import type { MeldingHeader } from '../message/melding.ts';
import { buildMelding } from '../message/melding.ts';
import { osloDate } from '../time/oslo.ts';
import { describeAjvErrors, formatFinding } from '../message/validation.ts';
import { openSource } from '../sources/index.ts';
import type { AsyncStore } from '../store/async.ts';
import { storeLocation } from '../store/location.ts';
import { openAsyncStore } from '../store/open.ts';
import { workerFrontEnd, workerWanted } from './front-end.ts';
import { configMapper, type RecordMapper } from './mapper.ts';
import { loadMessageKit, type MessageKit } from './message-kit.ts';
import type { TransferDeps } from './transfer.ts';

export function meldingHeader(config: KprConfig, kit: MessageKit, meldingstype: string): MeldingHeader {
  const { sender, epj } = requireKneik(config);
  return {
    versjon: kit.version,
    meldingstype,
    leverandor: epj.leverandor,
    navnEPJ: epj.navnEPJ,
    versjonEPJ: epj.versjonEPJ,
    versjonUt: epj.versjonUt,
    Kontaktperson: sender.Kontaktperson,
    Kommune: sender.Kommune,
  };
}

/** The header from kpr.yaml must make a valid Melding on its own: checked before any work. */
export function checkHeader(config: KprConfig, kit: MessageKit, header: MeldingHeader): void {
  if (!kit.validateMelding) return;
  const today = osloDate(new Date());
  const melding = buildMelding(header, { lopenr: 1, uttakDato: today, notifications: [] });
  delete melding.Notifikasjon;
  if (kit.validateMelding(melding)) return;
  const findings = describeAjvErrors(kit.validateMelding.errors).map(formatFinding);
  throw new UserError(`${config.file}: the Melding header from sender/epj does not validate against ${kit.id}:\n  ${findings.join('\n  ')}`, EXIT.failed);
}

export async function loadMapper(config: KprConfig, kit: MessageKit, extractDate: string): Promise<RecordMapper> {
  try {
    return await configMapper(config, kit, extractDate);
  } catch (err) {
    throw new UserError(`mapping ${config.mapping}: ${(err as Error).message}`, EXIT.failed);
  }
}

export interface JobBase {
  store: AsyncStore;
  /** The store was handed in opened (JobOptions.store): its owner closes it, not the job. */
  borrowed?: boolean;
  /** The 2021 channel's message kit (XML); a SLASH job has none (its JSON types are not XPR). */
  kit?: MessageKit;
  log: Logger;
}

/** A job base with its message kit: what the 2021 channel's transfer needs. */
export type KneikBase = JobBase & { kit: MessageKit };

export function withKit(base: JobBase): KneikBase {
  if (!base.kit) throw new UserError('this job needs the message kit of a 2021 (XML) message version', EXIT.failed);
  return base as KneikBase;
}

/**
 * The job's store: one handed in (a worker keeps one per tenant open), a SQLite file named for
 * this job (a dry run's copy), or the configuration's (kpr.yaml's `store:`, SQLite by default).
 */
export async function openJob(config: KprConfig, opts: { log?: Logger; databasePath?: string; store?: AsyncStore } = {}): Promise<JobBase> {
  const log = opts.log ?? createLogger({ level: config.log.level });
  let kit: MessageKit | undefined;
  if (config.channel === 'kneik') {
    kit = await loadMessageKit(config.message.generatedDir, config.message.spec);
    if (kit.genericXml)
      log.warn({ spec: kit.id }, 'no generated XML codec for this message version: using the generic serialiser (XSD order not guaranteed); run `npx kpr spec build`');
  }
  if (opts.store) return { store: opts.store, borrowed: true, kit, log };
  const store = await openAsyncStore(opts.databasePath !== undefined ? { kind: 'sqlite', path: opts.databasePath } : storeLocation(config));
  return { store, kit, log };
}

export async function transferDeps(config: KprConfig, base: KneikBase, meldingstype: string, io: Pick<TransferDeps, 'sender' | 'sealer' | 'onProgress'>): Promise<TransferDeps> {
  const header = meldingHeader(config, base.kit, meldingstype);
  checkHeader(config, base.kit, header);
  const extractDate = osloDate(new Date());
  return {
    store: base.store,
    kit: base.kit,
    log: base.log,
    header,
    limits: config.batch,
    // The mapping is loaded here in any case: a broken one fails before anything starts.
    mapper: await loadMapper(config, base.kit, extractDate),
    source: openSource(config),
    ...(workerWanted() && { frontEnd: workerFrontEnd(config, extractDate) }),
    ...io,
  };
}
