// `kpr report --config tenants.yaml --html DIR`: one page per tenant (the single report, read from
// the tenant's own store) and an overview across them (index.html) linking to the pages. Every
// file is written atomically, the tenants' pages first and the overview last, so the overview
// never links to a page that is not there yet; counts and states only on the overview.
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { UserError } from '../cli/program.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import type { ReportFlags } from '../report/command.ts';
import { renderReport } from '../report/html.ts';
import { loadTenants } from './load.ts';
import { chooseTenants, describeRun, type TenantOverview, tenantOverview, worst } from './operator.ts';

const template = Handlebars.compile(readFileSync(new URL('./overview.html.hbs', import.meta.url), 'utf8'), { strict: false });

const CLASS = ['ok', 'warn', 'bad'] as const;

/** The overview page of `rows`, each linking to its page (`<id>.html`) when it has one. */
export function renderOverview(file: string, rows: (TenantOverview & { page?: string })[], now = new Date()): string {
  return template({
    file,
    generatedAt: now.toISOString(),
    generatedDay: now.toISOString().slice(0, 10),
    count: rows.length,
    fine: rows.filter((r) => r.standing === 0).length,
    held: rows.filter((r) => r.standing === 1).length,
    bad: rows.filter((r) => r.standing === 2).length,
    rows: rows.map((r) => ({
      ...r,
      run: describeRun(r.lastRun),
      stopped: r.channel === 'slash' ? r.stoppedUnits : r.rejectedMessages,
      class: CLASS[r.standing],
      attention: r.attention.join('; '),
    })),
  });
}

export async function writeTenantsReport(o: ReportFlags, now = new Date()): Promise<void> {
  const cfg = loadTenants(o.config);
  const tenants = chooseTenants(cfg, o.tenant);
  let isFile = false;
  try {
    isFile = !statSync(o.html).isDirectory();
  } catch {
    // Not there yet: made below.
  }
  if (isFile) throw new UserError(`--html ${o.html} is a file; with a tenants file it names a folder (one page per tenant and index.html)`);
  mkdirSync(o.html, { recursive: true });
  const rows: (TenantOverview & { page?: string })[] = [];
  for (const t of tenants) {
    const { row, status } = await tenantOverview(t, now);
    if (!status) {
      rows.push(row);
      continue;
    }
    const page = `${t.id}.html`;
    writeFileAtomic(join(o.html, page), await renderReport(t.config, now, { tenant: t.id, overview: 'index.html' }));
    rows.push({ ...row, page });
  }
  writeFileAtomic(join(o.html, 'index.html'), renderOverview(cfg.file, rows, now));
  const pages = rows.filter((r) => r.page).length;
  process.stdout.write(`wrote ${join(o.html, 'index.html')} and ${pages} tenant page(s)\n`);
  const bad = rows.filter((r) => r.standing === 2).map((r) => r.tenant);
  if (bad.length) process.stdout.write(`needs attention: ${bad.join(', ')}\n`);
  process.exitCode = worst(rows.map((r) => r.standing));
}
