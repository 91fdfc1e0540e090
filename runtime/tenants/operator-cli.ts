// `kpr run`, `backfill`, `resend`, `status`, `errors` and `report` over a tenants file: the
// commands are jobs/cli.ts's and report/command.ts's, given this module's tenants side. A
// tenant's output comes from its own store alone; `--tenant` (repeatable) narrows, all tenants by
// default. Exit codes across tenants: 0 every tenant fine, 1 records held back somewhere, 2 a
// tenant failed or needs attention (and the output names it).
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT, type Registrar, UserError } from '../cli/program.ts';
import { OBLIGATION_START, type OperatorFlags, registerOperatorCommands, type TenantsHook, terminal } from '../jobs/cli.ts';
import { describeSummary, resendJob } from '../jobs/jobs.ts';
import { errorRows, type ErrorRow, failures, formatErrors, formatStatus, MAX_COLUMNS, openExisting } from '../jobs/report.ts';
import { registerReport } from '../report/command.ts';
import { writeTenantsReport } from './report.ts';
import { runTenantJobs, tenantError, type TenantJobResult } from './jobs.ts';
import { loadTenants, type Tenant } from './load.ts';
import { chooseTenants, formatOverview, isTenantsFile, type Standing, tenantOverview, worst } from './operator.ts';

/** Where an interrupted command over several tenants left what it committed. */
const EACH_STORE = "each tenant's own store";

const width = () => Math.min(process.stdout.columns ?? MAX_COLUMNS, MAX_COLUMNS);

function chosen(o: OperatorFlags): { file: string; tenants: Tenant[] } {
  const cfg = loadTenants(o.config);
  return { file: cfg.file, tenants: chooseTenants(cfg, o.tenant) };
}

/** Each tenant's job's outcome, a line each, and the exit code across them. */
function reportJobs(results: TenantJobResult[], describe = (r: TenantJobResult) => (r.summary ? describeSummary(r.summary) : 'nothing to do')): Standing {
  for (const r of results) {
    if (r.error) process.stdout.write(`tenant ${r.tenant}: FAILED: ${r.error.message.replace(/^tenant \S+: /, '')}\n`);
    else process.stdout.write(`tenant ${r.tenant}: ${describe(r).replaceAll('\n', '\n  ')}\n`);
  }
  const failed = results.filter((r) => r.error || r.summary?.exitCode === EXIT.failed).map((r) => r.tenant);
  if (failed.length) process.stdout.write(`failed: ${failed.join(', ')} (see npx kpr status --config … --tenant ID)\n`);
  return worst(results.map((r) => (r.error ? EXIT.failed : (r.summary?.exitCode ?? EXIT.ok))));
}

/** The tenants (SLASH, with a store) in which one of `units` (key or orgNr) is stopped. */
async function holdingUnits(tenants: Tenant[], units: string[]): Promise<Tenant[]> {
  const out: Tenant[] = [];
  for (const t of tenants) {
    if (t.config.channel !== 'slash' || (t.config.store.kind === 'sqlite' && !existsSync(t.config.store.path))) continue;
    const store = await openExisting(t.config);
    try {
      if ((await store.slashUnits()).some((u) => u.state !== 'ok' && (units.includes(u.unit) || units.includes(u.orgNr)))) out.push(t);
    } finally {
      await store.close();
    }
  }
  return out;
}

export const tenantsHook: TenantsHook = {
  isTenantsFile,

  async run(o) {
    const { file, tenants } = chosen(o);
    const t = terminal(o, tenants[0]!.config, EACH_STORE);
    try {
      const results = await runTenantJobs({ file, tenants }, 'run', { options: () => ({ log: t.log, onProgress: (p) => t.bar.update(p) }) });
      t.bar.done();
      process.exitCode = reportJobs(results);
    } finally {
      t.bar.done();
      t.end();
    }
  },

  async backfill(o) {
    const { file, tenants } = chosen(o);
    const t = terminal(o, tenants[0]!.config, EACH_STORE);
    const results: TenantJobResult[] = [];
    try {
      // Each tenant's own default window start (slash.backfillFrom), unless --from is given.
      for (const tenant of tenants) {
        const from = o.from ?? tenant.config.slash?.backfillFrom ?? OBLIGATION_START;
        if (o.to && o.to < from) throw new UserError(`tenant ${tenant.id}: --to ${o.to} is before --from ${from}`);
        results.push(...(await runTenantJobs({ file, tenants: [tenant] }, 'backfill', { from, to: o.to, options: () => ({ log: t.log, onProgress: (p) => t.bar.update(p) }) })));
      }
      t.bar.done();
      process.exitCode = reportJobs(results, (r) => (r.summary ? describeSummary(r.summary) : `backfill ${o.from ?? ''}..${o.to ?? ''} already completed; use --restart`));
    } finally {
      t.bar.done();
      t.end();
    }
  },

  async resend(messageId, o) {
    const picked = chosen(o);
    // A message id belongs to one tenant's store: which one must be said, not guessed.
    if (messageId !== undefined && (o.tenant?.length ?? 0) !== 1) throw new UserError('a message id belongs to one tenant: give --tenant ID with it');
    // Units without --tenant: the tenants where one of them is stopped (a unit is one tenant's).
    const tenants = o.unit?.length && !o.tenant?.length ? await holdingUnits(picked.tenants, o.unit) : picked.tenants;
    if (!tenants.length) throw new UserError(`no tenant of ${picked.file} has a stopped SLASH unit ${o.unit!.join(', ')} (npx kpr status --config … lists them)`);
    const t = terminal(o, tenants[0]!.config, EACH_STORE);
    const results: TenantJobResult[] = [];
    const actions = new Map<string, string>();
    try {
      for (const tenant of tenants) {
        try {
          const summary = await resendJob({ config: tenant.config, messageId, units: o.unit, log: t.log, onProgress: (p) => t.bar.update(p) });
          actions.set(tenant.id, summary.action);
          results.push({ tenant: tenant.id, summary });
        } catch (err) {
          results.push({ tenant: tenant.id, error: tenantError(tenant, err) });
        }
      }
      t.bar.done();
      process.exitCode = reportJobs(results, (r) => `${actions.get(r.tenant)}\n${describeSummary(r.summary!)}`);
    } finally {
      t.bar.done();
      t.end();
    }
  },

  async status(o) {
    const { file, tenants } = chosen(o);
    const seen = [];
    for (const t of tenants) seen.push(await tenantOverview(t));
    const rows = seen.map((s) => s.row);
    const exitCode = worst(rows.map((r) => r.standing));
    const one = tenants.length === 1 ? seen[0] : undefined;
    if (o.format === 'json') {
      const detail = one?.status ? { detail: { tenant: one.row.tenant, ...one.status } } : {};
      process.stdout.write(`${JSON.stringify({ file, exitCode, tenants: rows, ...detail }, null, 2)}\n`);
    } else {
      process.stdout.write(`${formatOverview(rows, width())}\n`);
      if (one?.status) process.stdout.write(`\ntenant ${one.row.tenant}\n${formatStatus(one.status)}\n`);
    }
    process.exitCode = exitCode;
  },

  async errors(o) {
    const { tenants } = chosen(o);
    const all: (ErrorRow & { tenant: string })[] = [];
    const unreadable: string[] = [];
    const texts: string[] = [];
    const csv = [`tenant,${formatErrors([], 'csv').split('\r\n')[0]}`];
    for (const t of tenants) {
      let rows: ErrorRow[];
      try {
        rows = await errorRows(t.config);
      } catch (err) {
        unreadable.push(t.id);
        process.stderr.write(`kpr: tenant ${t.id}: ${(err as Error).message}\n`);
        continue;
      }
      all.push(...rows.map((r) => ({ tenant: t.id, ...r })));
      if (o.format === 'text' && rows.length) texts.push(`tenant ${t.id}\n${formatErrors(rows, 'text', width())}`);
      if (o.format === 'csv') {
        const lines = formatErrors(rows, 'csv').split('\r\n').filter(Boolean).slice(1);
        // Tenant ids are [a-z0-9_]: a CSV cell as they are.
        csv.push(...lines.map((l) => `${t.id},${l}`));
      }
    }
    if (o.format === 'json') process.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
    else if (o.format === 'csv') process.stdout.write(`${csv.join('\r\n')}\r\n`);
    else
      process.stdout.write(
        texts.length ? texts.join('\n') : `no rejected records or messages, and no records sent with a warning, in ${tenants.length - unreadable.length} tenant(s)\n`,
      );
    process.exitCode = unreadable.length ? EXIT.failed : failures(all) ? EXIT.partial : EXIT.ok;
  },
};

/** The operator's commands, each also over a tenants file. */
export const register: Registrar = (program: Command) => {
  registerOperatorCommands(program, tenantsHook);
  registerReport(program, { isTenantsFile, write: writeTenantsReport });
};
