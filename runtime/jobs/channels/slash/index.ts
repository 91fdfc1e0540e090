// The SLASH channel (FHI's API Mottak, what KPR receives on today): wires the delivery rules of
// transfer.ts to kpr.yaml: the JSON message type's form, the vendor's mapping onto its item, the
// source, and a SlashClient with a DPoP-bound HelseID client.
import { EXIT, UserError } from '../../../cli/program.ts';
import { ConfigError, type KprConfig, type SlashConfig } from '../../../config/load.ts';
import { loadMapping } from '../../../mapping/apply.ts';
import { openSource } from '../../../sources/index.ts';
import { osloDate } from '../../../time/oslo.ts';
import { HelseIdClient, loadSigningKey, processTokenCache } from '../../../transport/helseid/index.ts';
import { SlashClient, type SlashClientOptions } from '../../../transport/slash/client.ts';
import type { JobBase } from '../../context.ts';
import type { BackfillOptions, BackfillResult, Channel, JobOptions, ResendTarget } from '../types.ts';
import { deliveryForm } from './form.ts';
import { slashTransfer, type SlashDeps, type SlashOptions, type SlashSummary } from './transfer.ts';

export type { SlashSummary } from './transfer.ts';

function settings(config: KprConfig): SlashConfig {
  if (!config.slash) throw new UserError('channel slash without its slash section', EXIT.failed);
  return config.slash;
}

/**
 * What sending to SLASH needs: a base URL and a HelseID client (DPoP is mandatory there).
 * `hooks` reach the client's waits and attempts (a worker's receiver gate, runtime/workers/).
 */
export async function configSlashClient(config: KprConfig, hooks: Pick<SlashClientOptions, 'sleep' | 'onAttempt'> = {}): Promise<SlashClient> {
  const sc = settings(config);
  const issues = [];
  const baseUrl = config.profile.baseUrl;
  if (!baseUrl) issues.push({ at: config.positionOf(['profile']), message: `profile ${config.profileName} has no baseUrl: set api.baseUrl (FHI's SLASH address)` });
  if (!config.helseid) issues.push({ at: config.positionOf([]), message: 'sending to SLASH needs a helseid section (clientId, jwkFile, scopes)' });
  const authority = config.helseid?.authority ?? config.profile.helseidAuthority;
  if (config.helseid && !authority) issues.push({ at: config.positionOf(['helseid']), message: 'helseid.authority is not set and the profile has none' });
  if (issues.length) throw new ConfigError(issues);
  const h = config.helseid!;
  const key = await loadSigningKey(h.jwkFile);
  const helseid = new HelseIdClient({ authority: authority!, clientId: h.clientId, key, dpop: true, timeoutMs: h.timeoutMs, cache: processTokenCache });
  return new SlashClient({ baseUrl: baseUrl!, helseid, scopes: h.scopes, vendor: sc.vendor, timeoutMs: h.timeoutMs, ...hooks });
}

async function deps(o: JobOptions, base: JobBase): Promise<SlashDeps> {
  const config = o.config;
  const sc = settings(config);
  let form: ReturnType<typeof deliveryForm>;
  try {
    form = deliveryForm(sc.msgType, sc.msgVersion);
  } catch (err) {
    throw new UserError(`message.spec ${config.message.spec}: ${(err as Error).message}`, EXIT.failed);
  }
  let map: SlashDeps['map'];
  if (config.mapping) {
    try {
      const production = config.profileName === 'prod' || config.profileName === 'pilot';
      map = (await loadMapping(config.mapping, { extractDate: osloDate(new Date()), profile: config.rules.consequences, production })).apply;
    } catch (err) {
      throw new UserError(`mapping ${config.mapping}: ${(err as Error).message}`, EXIT.failed);
    }
  }
  const parent = config.helseid?.orgNumbers?.parent;
  return {
    store: base.store,
    log: base.log,
    client: o.slashClient ?? (await configSlashClient(config)),
    msgType: sc.msgType,
    msgVersion: sc.msgVersion,
    form,
    decide: { unit: sc.unit, deletedField: sc.deletedField, changedAtField: config.source.changedAtField },
    map,
    source: openSource(config),
    maxRequestBytes: sc.maxRequestBytes,
    recordsPerTransaction: config.batch.recordsPerTransaction,
    parentOf: parent ? () => parent : undefined,
    failpoint: o.failpoint as SlashDeps['failpoint'],
  };
}

async function transfer(o: JobOptions, base: JobBase, opts: SlashOptions): Promise<SlashSummary> {
  return slashTransfer(await deps(o, base), opts);
}

async function run(o: JobOptions, base: JobBase): Promise<SlashSummary> {
  const since = await base.store.checkpoint('slash:watermark');
  return transfer(o, base, { kind: 'run', readSource: true, read: { since }, from: settings(o.config).backfillFrom });
}

/**
 * The initial load: everything from slash.backfillFrom (2017-01-01) on, delivered per unit
 * month by month, oldest first, each answer awaited. The source position is saved with every
 * commit, so a killed load resumes after the last committed line.
 */
async function backfill(o: BackfillOptions, base: JobBase): Promise<BackfillResult> {
  const from = o.from || settings(o.config).backfillFrom;
  const key = `slash:backfill:${from}:${o.to ?? ''}`;
  const saved = await base.store.checkpoint(key);
  const state = saved ? (JSON.parse(saved) as { file?: string; line?: number; completedAt?: string }) : undefined;
  if (state?.completedAt && !o.restart) return { alreadyComplete: state.completedAt };
  const after = !o.restart && state?.file !== undefined ? { file: state.file, line: state.line! } : undefined;
  const summary = await transfer(o, base, { kind: 'backfill', readSource: true, read: { from, to: o.to, after }, from, checkpointKey: key });
  if (summary.exitCode !== EXIT.failed) await base.store.setCheckpoint(key, JSON.stringify({ completedAt: new Date().toISOString() }));
  return summary;
}

/** After the operator's fix: the named units (or every stopped one) go on; nothing new is read. */
async function resend(o: JobOptions, base: JobBase, target: ResendTarget): Promise<SlashSummary & { action: string }> {
  const stopped = (await base.store.slashUnits()).filter((u) => u.state !== 'ok');
  const units = target.units?.length ? target.units : target.messageId ? [target.messageId] : [];
  const named = units.length ? stopped.filter((u) => units.includes(u.unit) || units.includes(u.orgNr)) : stopped;
  if (units.length && !named.length) throw new UserError(`no stopped SLASH unit ${units.join(', ')} (npx kpr status lists the units)`);
  const action = named.length ? `resuming SLASH unit(s) ${named.map((u) => u.unit).join(', ')}` : 'no SLASH unit is stopped: sending what is queued';
  const summary = await transfer(o, base, { kind: 'resend', readSource: false, units: named.map((u) => u.unit) });
  return { ...summary, action };
}

export const slashChannel: Channel = { name: 'slash', run, backfill, resend };
