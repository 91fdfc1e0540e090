// `kpr status` and `kpr errors`: what an operator needs to watch the transfer and fix what was
// rejected. Read-only: they never take the run lock, so they work while a run is going on.
import { existsSync } from 'node:fs';
import { UserError } from '../cli/program.ts';
import { formatTable, wrap, type Column } from '../cli/table.ts';
import type { KprConfig } from '../config/load.ts';
import { exposedPrivateFiles } from '../config/private-files.ts';
import { consequenceWords, describeConsequence, type ConsequenceWords } from '../rules/policy.ts';
import { ruleOf } from '../rules/catalogue.ts';
import { lockAlive } from '../store/liveness.ts';
import type { AsyncStore } from '../store/async.ts';
import { describeStore, openConfigStore } from '../store/location.ts';
import type { LockHolder, OutboxMessage, Rejection, RunRow, SentWarning } from '../store/types.ts';
import { inspectCertificate, type CertificateRole } from '../transport/certificates/index.ts';
import { certificateProblem, recipientRole, signingMaterial } from './certificates.ts';
import { codeLines, formatSlashStatus, slashStatus, type SlashUnitStatus } from './channels/slash/status.ts';

export interface CertificateStatus {
  name: string;
  file: string;
  subject?: string;
  notAfter?: string;
  daysLeft?: number;
  status?: string;
  error?: string;
  /** What would stop a run (wrong key usage, chain, expired), with the fix. */
  problem?: string;
}

export interface StatusReport {
  database: string;
  profile: string;
  messages: Record<string, number>;
  consultations: { active: number; annulled: number; pending: number };
  lastRun: RunRow | null;
  chain: { acceptedHead: string; builtHead: string; notifikasjonLopeNr: number; lopenrThisYear: number };
  oldestUnconfirmed: Pick<OutboxMessage, 'messageId' | 'state' | 'createdAt' | 'attempts' | 'lastError' | 'lopenr'> | null;
  rejectedRecordsByRule: { rule: string; count: number }[];
  /** Records sent all the same, with a warning (not a failure). */
  sentWithWarningByRule: { rule: string; count: number }[];
  certificates: CertificateStatus[];
  /** The lock holder; `alive` false when its process is gone (killed): the next run takes over. */
  runningNow: (LockHolder & { alive: boolean }) | null;
  /** Files with keys or personal data that others can read (see config/private-files.ts). */
  exposedFiles: string[];
  /** SLASH's reporting units (channel: slash): standing, and for a stopped one why and what to do. */
  slash?: SlashUnitStatus[];
}

/** The configuration's store, which must exist: a status does not create an empty one. */
export function openExisting(config: KprConfig): Promise<AsyncStore> {
  if (config.store.kind === 'sqlite' && !existsSync(config.store.path)) throw new UserError(`no database at ${config.store.path} yet: nothing has run with this configuration`);
  // PostgreSQL: opening checks the schema and names `kpr store migrate --schema` when it is missing.
  return openConfigStore(config);
}

function certificates(config: KprConfig, now: Date): CertificateStatus[] {
  const c = config.certificates;
  if (!c) return [];
  const out: CertificateStatus[] = [];
  const add = (name: string, file: string, role: () => CertificateRole) => {
    try {
      const r = inspectCertificate(role().certPems[0]!, { now, warnDays: c.warnDays });
      const problem = certificateProblem(config, role, now);
      out.push({ name, file, subject: r.subject, notAfter: r.notAfter.toISOString(), daysLeft: r.daysLeft, status: r.status, ...(problem ? { problem } : {}) });
    } catch (err) {
      out.push({ name, file, error: (err as Error).message });
    }
  };
  const s = c.signing;
  add('signing', 'p12File' in s ? s.p12File : s.certFile, () => signingMaterial(config).role);
  add('receiver encryption', c.receiverEncryptionCertFile, () => recipientRole(config));
  return out;
}

function holder(config: KprConfig, h: LockHolder | undefined): StatusReport['runningNow'] {
  if (!h) return null;
  // PostgreSQL names a holder only while its session holds the advisory lock: alive by definition.
  return { ...h, alive: config.store.kind === 'postgres' || lockAlive(h.heartbeatAt, h.host, h.pid) };
}

export async function statusReport(config: KprConfig, now = new Date()): Promise<StatusReport> {
  const store = await openExisting(config);
  try {
    return await statusOf(store, config, now);
  } finally {
    await store.close();
  }
}

/** The status read from `store` (the configuration's, opened by the caller, who reads more from it). */
export async function statusOf(store: AsyncStore, config: KprConfig, now = new Date()): Promise<StatusReport> {
  const counters = await store.counters();
  const oldest = await store.oldestUnconfirmed();
  return {
    database: describeStore(config),
    profile: config.profileName,
    messages: await store.countsByState(),
    consultations: await store.consultationCounts(),
    lastRun: (await store.lastRun()) ?? null,
    chain: {
      acceptedHead: counters.acceptedHead,
      builtHead: counters.chainHead,
      notifikasjonLopeNr: counters.notifLopeNr,
      lopenrThisYear: await store.lastLopenr(now.getUTCFullYear()),
    },
    oldestUnconfirmed: oldest
      ? { messageId: oldest.messageId, state: oldest.state, createdAt: oldest.createdAt, attempts: oldest.attempts, lastError: oldest.lastError, lopenr: oldest.lopenr }
      : null,
    rejectedRecordsByRule: await store.rejectionsByRule(),
    sentWithWarningByRule: await store.sentWarningsByRule(),
    certificates: certificates(config, now),
    runningNow: holder(config, await store.lockHolder()),
    exposedFiles: exposedPrivateFiles(config),
    ...(config.channel === 'slash' && { slash: await slashStatus(store) }),
  };
}

export function formatStatus(r: StatusReport): string {
  const lines: string[] = [];
  lines.push(`database  ${r.database} (profile ${r.profile})`);
  const states = Object.entries(r.messages);
  lines.push(`messages  ${states.length ? states.map(([k, v]) => `${k} ${v}`).join(', ') : 'none yet'}`);
  lines.push(`consultations at the receiver: ${r.consultations.active} active, ${r.consultations.annulled} annulled; ${r.consultations.pending} on their way`);
  if (r.lastRun) {
    const s = r.lastRun.summary as { error?: string; stopped?: { messageId: string; state: string; reason: string } } | null;
    let why = s?.error ? ` (${s.error})` : s?.stopped ? ` (message ${s.stopped.messageId} ${s.stopped.state}: ${s.stopped.reason})` : '';
    if (!r.lastRun.endedAt) why = ' (did not finish: interrupted, or still running)';
    lines.push(
      `last run  ${r.lastRun.kind} #${r.lastRun.id} started ${r.lastRun.startedAt}: ${r.lastRun.outcome ?? 'unfinished'}${r.lastRun.exitCode !== null ? `, exit ${r.lastRun.exitCode}` : ''}${why}`,
    );
  } else lines.push('last run  never');
  lines.push(
    `chain     accepted head ${r.chain.acceptedHead}; built head ${r.chain.builtHead}; notifikasjonLopeNr ${r.chain.notifikasjonLopeNr}; lopenr this year ${r.chain.lopenrThisYear}`,
  );
  lines.push(
    r.oldestUnconfirmed
      ? `oldest unconfirmed  ${r.oldestUnconfirmed.messageId} (${r.oldestUnconfirmed.state}, built ${r.oldestUnconfirmed.createdAt}, ${r.oldestUnconfirmed.attempts} attempt(s)${r.oldestUnconfirmed.lastError ? `, last error: ${r.oldestUnconfirmed.lastError}` : ''})`
      : 'oldest unconfirmed  none',
  );
  lines.push(
    r.rejectedRecordsByRule.length
      ? `rejected records by rule: ${r.rejectedRecordsByRule.map((x) => `${x.rule} ${x.count}`).join(', ')} (details: npx kpr errors)`
      : 'rejected records: none',
  );
  if (r.sentWithWarningByRule.length)
    lines.push(`sent with a warning by rule: ${r.sentWithWarningByRule.map((x) => `${x.rule} ${x.count}`).join(', ')} (at the receiver; details: npx kpr errors)`);
  for (const c of r.certificates) {
    lines.push(c.error ? `certificate ${c.name}: ${c.error}` : `certificate ${c.name}: ${c.daysLeft} day(s) left (until ${c.notAfter}, ${c.status})`);
    if (c.problem) lines.push(`warning   certificate ${c.name}: the next run stops: ${c.problem}`);
    else if (c.status === 'expiring') lines.push(`warning   certificate ${c.name} expires in ${c.daysLeft} day(s): order its successor now`);
  }
  for (const w of r.exposedFiles) lines.push(`warning   ${w}`);
  lines.push(...formatSlashStatus(r.slash ?? []));
  if (r.runningNow) {
    lines.push(
      !r.runningNow.alive
        ? `lock      left by pid ${r.runningNow.pid} (started ${r.runningNow.startedAt}), which is gone: the next run takes over`
        : `running now: pid ${r.runningNow.pid} on ${r.runningNow.host} since ${r.runningNow.startedAt} (last heartbeat ${r.runningNow.heartbeatAt})`,
    );
  }
  return lines.join('\n');
}

// --- errors ----------------------------------------------------------------------------------

/**
 * `record`: held back, waiting for a corrected version; `warning`: sent all the same, because
 * the receiver's consequence (or the kit's, for its own rules) lets it through; `message`: a
 * whole message the receiver rejected. Only `record` and `message` make `kpr errors` exit 1.
 */
export interface ErrorRow {
  kind: 'record' | 'warning' | 'message' | 'unit';
  /** Source record id, the messageId, or the SLASH unit. */
  id: string;
  changedAt: string | null;
  file: string | null;
  line: number | null;
  /** The JSON path of what was wrong (records only). */
  path: string | null;
  rule: string;
  message: string;
  /** Records: as stored; warnings: the consequence in the receiver's words (or the kit's). */
  consequence: string;
  /** The receiver's validationCode and refId (messages); a SLASH unit's first code and correlation id. */
  validationCode: number | null;
  refId: string | null;
}

export async function errorRows(config: KprConfig): Promise<ErrorRow[]> {
  const store = await openExisting(config);
  try {
    return await errorRowsOf(store);
  } finally {
    await store.close();
  }
}

/** The receiver's words where the consequence is the receiver's; the kit's action where it is the kit's. */
const shownConsequence = (c: ConsequenceWords) => (c.whose === 'receiver' ? c.words : c.kit);

/** Held-back records, records sent with a warning, then messages the receiver rejected. */
export async function errorRowsOf(store: AsyncStore): Promise<ErrorRow[]> {
  const finding = (kind: 'record' | 'warning', f: Rejection | SentWarning, consequence: string): ErrorRow => ({
    kind,
    id: f.sourceId,
    changedAt: f.changedAt ?? null,
    file: f.file ?? null,
    line: f.line ?? null,
    path: f.path,
    rule: f.rule,
    message: f.message,
    consequence,
    validationCode: null,
    refId: null,
  });
  const records = (await store.rejections()).map((r) => finding('record', r, r.consequence));
  const warnings = (await store.sentWarnings()).map((w) => finding('warning', w, shownConsequence(consequenceWords(w.rule, w.consequence))));
  const messages = (await store.rejectedMessages()).map(
    (m): ErrorRow => ({
      kind: 'message',
      id: m.messageId,
      changedAt: m.doneAt ?? null,
      file: null,
      line: null,
      path: null,
      rule: 'receiver',
      message: m.validationMessage ?? '',
      consequence:
        m.state === 'requeued'
          ? 'whole message discarded by the receiver; its consultations were queued again'
          : `whole message discarded by the receiver; after fixing the cause: npx kpr resend ${m.messageId}`,
      validationCode: m.validationCode ?? null,
      refId: m.refId ?? null,
    }),
  );
  return [...records, ...warnings, ...messages, ...(await slashErrorRows(store))];
}

const COLUMNS: (keyof ErrorRow)[] = ['kind', 'id', 'changedAt', 'file', 'line', 'path', 'rule', 'message', 'consequence', 'validationCode', 'refId'];

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  // Formula injection: a cell a spreadsheet would evaluate is prefixed with a quote.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Rows that make `kpr errors` exit 1: a warning is news, not a failure. */
export function failures(rows: ErrorRow[]): number {
  return rows.filter((r) => r.kind !== 'warning').length;
}

/** Terminal lines are at most this wide, however wide the terminal. */
export const MAX_COLUMNS = 120;

/**
 * `format` text: rejected records, records sent with a warning (by rule) and rejected messages
 * as tables (their columns differ), wrapped to `width` columns, nothing cut.
 */
/** Stopped SLASH units as rows of `kpr errors`: the first code, all codes with errorDetails, the fix. */
async function slashErrorRows(store: AsyncStore): Promise<ErrorRow[]> {
  return (await slashStatus(store))
    .filter((u) => u.stop)
    .map(
      (u): ErrorRow => ({
        kind: 'unit',
        id: u.unit,
        changedAt: u.stop!.since,
        file: null,
        line: null,
        path: null,
        rule: 'receiver',
        message: [...codeLines(u.stop!.codes), ...(u.stop!.codes.length ? [] : [u.stop!.reason ?? ''])].join('\n'),
        consequence: `${u.state === 'attention' ? 'marked for attention' : 'unit stopped'} at delivery ${u.stop!.seq} (period ${u.stop!.period}); ${u.stop!.todo}`,
        validationCode: u.stop!.codes[0]?.code ?? u.stop!.status,
        refId: u.stop!.correlationId,
      }),
    );
}

export function formatErrors(rows: ErrorRow[], format: 'text' | 'json' | 'csv', width = MAX_COLUMNS): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  if (format === 'csv') return `${[COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\r\n')}\r\n`;
  if (!rows.length) return 'no rejected records or messages, and no records sent with a warning\n';
  const w = Math.min(width, MAX_COLUMNS);
  const records = rows.filter((r) => r.kind === 'record');
  const warnings = rows.filter((r) => r.kind === 'warning');
  const messages = rows.filter((r) => r.kind === 'message');
  const units = rows.filter((r) => r.kind === 'unit');
  const section = (intro: string, columns: Column[], cells: string[][]) => (cells.length ? [...wrap(intro, w), formatTable(columns, cells, w)].join('\n') : '');
  const where = (r: ErrorRow) => (r.file === null ? '' : `${r.file}${r.line === null ? '' : `:${r.line}`}`);
  const parts = [
    section(
      `${new Set(records.map((r) => r.id)).size} record(s) held back (not sent); fix them in the EPJ and they go with the next run:`,
      [
        { head: 'record', max: 20 },
        { head: 'where', max: 28 },
        { head: 'rule', max: 20 },
        { head: 'path: message → consequence', max: w },
      ],
      records.map((r) => [r.id, where(r), r.rule, `${r.path ? `${r.path}: ` : ''}${r.message}\n→ ${describeConsequence(consequenceWords(r.rule, r.consequence), true)}`]),
    ),
    warningSections(warnings, w, section, where),
    section(
      `${messages.length} message(s) rejected by the receiver:`,
      [
        { head: 'messageId', max: 36 },
        { head: 'code', max: 6 },
        { head: 'refId', max: 36 },
        { head: 'message, and what to do', max: w },
      ],
      messages.map((m) => [m.id, m.validationCode === null ? '' : String(m.validationCode), m.refId ?? '', `${m.message}\n${m.consequence}`]),
    ),
    section(
      `${units.length} SLASH unit(s) stopped; nothing more of a stopped unit is sent until the cause is fixed:`,
      [
        { head: 'unit', max: 24 },
        { head: 'code', max: 6 },
        { head: 'correlation id', max: 36 },
        { head: 'what FHI said, and what to do', max: w },
      ],
      units.map((u) => [u.id, u.validationCode === null ? '' : String(u.validationCode), u.refId ?? '', `${u.message}\n→ ${u.consequence}`]),
    ),
  ].filter(Boolean);
  return `${parts.join('\n\n')}\n`;
}

/**
 * Per rule and consequence (one rule, as "not a code of the list", has the consequence its
 * attribute publishes), most records first: how many, the consequence and whose it is, the rows.
 */
export function warningsByRule(rows: ErrorRow[]): { rule: string; records: number; consequence: ConsequenceWords; rows: ErrorRow[] }[] {
  const by = new Map<string, ErrorRow[]>();
  for (const r of rows) {
    const key = `${r.rule}\u0000${r.consequence}`;
    (by.get(key) ?? by.set(key, []).get(key)!).push(r);
  }
  return [...by.values()]
    .map((list) => ({ rule: list[0]!.rule, records: new Set(list.map((r) => r.id)).size, consequence: consequenceWords(list[0]!.rule, list[0]!.consequence), rows: list }))
    .sort((a, b) => b.records - a.records || a.rule.localeCompare(b.rule) || a.consequence.words.localeCompare(b.consequence.words));
}

function warningSections(warnings: ErrorRow[], w: number, section: (intro: string, columns: Column[], cells: string[][]) => string, where: (r: ErrorRow) => string): string {
  if (!warnings.length) return '';
  const groups = warningsByRule(warnings);
  const records = new Set(warnings.map((r) => r.id)).size;
  const head = wrap(`${records} record(s) sent with a warning (not a failure: they are at the receiver; correct them in the EPJ where the warning is right):`, w);
  const parts = groups.map((g) => {
    const name = ruleOf(g.rule)?.name;
    return section(
      `${g.rule}${name ? ` ${name}` : ''}: ${g.records} record(s); ${describeConsequence(g.consequence)}`,
      [
        { head: 'record', max: 20 },
        { head: 'where', max: 28 },
        { head: 'rule', max: 20 },
        { head: 'path: message', max: w },
      ],
      g.rows.map((r) => [r.id, where(r), r.rule, `${r.path ? `${r.path}: ` : ''}${r.message}`]),
    );
  });
  return [head.join('\n'), ...parts].join('\n\n');
}
