// The operator's commands over a tenants file (issue 17, section 1): which file `--config`
// names (a kpr.yaml or a tenants file, told apart by content), which tenants `--tenant` picks
// (all by default), and the overview across tenants that `kpr status` and `kpr report` show.
// Each tenant's figures come from that tenant's own store alone, through the same functions
// as a single kpr.yaml's status; the overview carries counts and states, never a record.
import { existsSync, readFileSync } from 'node:fs';
import { isMap, parseDocument } from 'yaml';
import { EXIT, UserError } from '../cli/program.ts';
import { formatTable } from '../cli/table.ts';
import { type KprConfig, loadConfig } from '../config/load.ts';
import { openExisting, type StatusReport, statusOf } from '../jobs/report.ts';
import { chooseTenants, loadTenants, type Tenant, type TenantsConfig } from './load.ts';

export { chooseTenants };

/** What `--config` named: one kpr.yaml, or a tenants file with the tenants chosen. */
export type OperatorTarget = { kind: 'single'; config: KprConfig } | { kind: 'tenants'; file: TenantsConfig; tenants: Tenant[]; all: boolean };

/**
 * A tenants file is a mapping with `tenants` or `tenantsDir` at the top, which no kpr.yaml has.
 * Unreadable or broken YAML is not judged here: the kpr.yaml loader reports it with its position.
 */
export function isTenantsFile(file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  // The top's keys only: no aliases resolved (a hostile file is the loader's to refuse).
  const top = parseDocument(text).contents;
  return isMap(top) && (top.has('tenants') || top.has('tenantsDir'));
}

/** Reads `--config` and applies `--tenant`, which only a tenants file takes. */
export function operatorTarget(file: string, ids: string[] | undefined): OperatorTarget {
  if (!isTenantsFile(file)) {
    if (ids?.length) throw new UserError(`--tenant needs a tenants file; ${file} is a kpr.yaml (one reporting unit)`);
    return { kind: 'single', config: loadConfig(file) };
  }
  const cfg = loadTenants(file);
  return { kind: 'tenants', file: cfg, tenants: chooseTenants(cfg, ids), all: !ids?.length };
}

/** `--tenant`, repeatable: commander's collector. */
export const collectTenant = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

// --- the overview ----------------------------------------------------------------------------

/** 0 fine, 1 records held back, 2 failed or needs attention: the exit codes for cron. */
export type Standing = 0 | 1 | 2;

export interface TenantOverview {
  tenant: string;
  channel: string;
  lastRun: { id: number; kind: string; startedAt: string; endedAt: string | null; outcome: string | null; exitCode: number | null } | null;
  /** Messages built or sent but not confirmed (2021), and SLASH deliveries queued. */
  waiting: number;
  /** SLASH units stopped by the receiver or waiting for attention. */
  stoppedUnits: number;
  /** Whole messages the receiver rejected and that wait for a resend (2021). */
  rejectedMessages: number;
  /** Distinct source records held back by a rule. */
  heldBack: number;
  standing: Standing;
  /** What the operator should look at, in words; empty when the tenant is fine. */
  attention: string[];
}

/** A tenant's row, and its full status (read from its store alone); `status` is undefined when it cannot be read. */
export async function tenantOverview(t: Tenant, now = new Date()): Promise<{ row: TenantOverview; status?: StatusReport }> {
  const base = { tenant: t.id, channel: t.config.channel, lastRun: null, waiting: 0, stoppedUnits: 0, rejectedMessages: 0, heldBack: 0 };
  if (t.config.store.kind === 'sqlite' && !existsSync(t.config.store.path)) return { row: { ...base, standing: EXIT.failed, attention: ['never run: no store yet'] } };
  let status: StatusReport;
  let heldBack: number;
  try {
    const store = await openExisting(t.config);
    try {
      status = await statusOf(store, t.config, now);
      heldBack = new Set((await store.rejections()).map((r) => r.sourceId)).size;
    } finally {
      await store.close();
    }
  } catch (err) {
    return { row: { ...base, standing: EXIT.failed, attention: [`store unreadable: ${(err as Error).message}`] } };
  }
  return { row: overviewOf(t.id, t.config.channel, status, heldBack), status };
}

/** The overview's row of one tenant's status. */
export function overviewOf(tenant: string, channel: string, s: StatusReport, heldBack: number): TenantOverview {
  const m = s.messages;
  const units = s.slash ?? [];
  const stopped = units.filter((u) => u.state !== 'ok');
  const run = s.lastRun;
  const attention: string[] = [];
  if (!run) attention.push('never run');
  else if (run.endedAt === null && !s.runningNow?.alive) attention.push(`run #${run.id} did not finish`);
  else if (run.exitCode === EXIT.failed) attention.push(`last run #${run.id} failed`);
  for (const u of stopped) attention.push(`unit ${u.unit} ${u.state === 'attention' ? 'needs attention' : 'stopped'}`);
  if (m.rejected) attention.push(`${m.rejected} message(s) rejected: npx kpr resend`);
  for (const c of s.certificates) {
    if (c.error || c.problem || (c.daysLeft ?? 1) <= 0) attention.push(`certificate ${c.name}: ${c.error ?? c.problem ?? 'expired'}`);
  }
  if (s.exposedFiles.length) attention.push(`${s.exposedFiles.length} private file(s) readable by others`);
  const standing: Standing = attention.length ? EXIT.failed : heldBack ? EXIT.partial : EXIT.ok;
  if (heldBack) attention.push(`${heldBack} record(s) held back: npx kpr errors --tenant ${tenant}`);
  return {
    tenant,
    channel,
    lastRun: run ? { id: run.id, kind: run.kind, startedAt: run.startedAt, endedAt: run.endedAt, outcome: run.outcome, exitCode: run.exitCode } : null,
    waiting: (m.built ?? 0) + (m.sent ?? 0) + (m.retrying ?? 0) + units.reduce((n, u) => n + u.queued, 0),
    stoppedUnits: stopped.length,
    rejectedMessages: m.rejected ?? 0,
    heldBack,
    standing,
    attention,
  };
}

/** The worst standing: what a cron job across tenants exits with. */
export const worst = (standings: number[]): Standing => Math.max(EXIT.ok, ...standings) as Standing;

export const describeRun = (r: TenantOverview['lastRun']): string =>
  r ? `${r.kind} #${r.id} ${r.startedAt.slice(0, 16).replace('T', ' ')} ${r.outcome ?? (r.endedAt ? '?' : 'unfinished')}` : 'never';

/** The overview as a text table, then a line naming the tenants to look at. */
export function formatOverview(rows: TenantOverview[], width: number): string {
  const table = formatTable(
    [
      { head: 'tenant', max: 20 },
      { head: 'channel', max: 7 },
      { head: 'last run', max: 34 },
      { head: 'waiting', max: 7 },
      { head: 'stopped', max: 12 },
      { head: 'held back', max: 9 },
      { head: 'needs attention', max: width },
    ],
    rows.map((r) => [
      r.tenant,
      r.channel,
      describeRun(r.lastRun),
      String(r.waiting),
      r.channel === 'slash' ? `${r.stoppedUnits} unit(s)` : `${r.rejectedMessages} msg(s)`,
      String(r.heldBack),
      r.attention.join('; ') || 'fine',
    ]),
    width,
  );
  const bad = rows.filter((r) => r.standing === EXIT.failed).map((r) => r.tenant);
  const held = rows.filter((r) => r.standing === EXIT.partial).map((r) => r.tenant);
  const verdict = [
    bad.length ? `needs attention: ${bad.join(', ')}` : '',
    held.length ? `records held back: ${held.join(', ')}` : '',
    !bad.length && !held.length ? `all ${rows.length} tenant(s) fine` : '',
  ].filter(Boolean);
  return `${table}\n${verdict.join('; ')}`;
}
