// `kpr tenants check`: reads a vendor's tenants file (and its folder of tenant files), reports
// every problem with its position and rule id, or lists the tenants it describes.
import type { Command } from 'commander';
import type { Registrar } from '../cli/program.ts';
import { describeTarget } from '../store/postgres/connect.ts';
import { loadTenants, type Tenant } from './load.ts';

function storeOf(t: Tenant): string {
  if (t.store.kind === 'sqlite') return t.store.path;
  const url = typeof t.store.url === 'string' ? t.store.url : `$${t.store.url.env ?? `(${t.store.url.file})`}`;
  return describeTarget({ url, schema: t.store.schema });
}

export const register: Registrar = (program: Command) => {
  const tenants = program.command('tenants').description("a vendor's many reporting units in one tenants file (docs/tenants.md)");
  tenants
    .command('check')
    .description('check a tenants file and its folder of tenant files: every problem with file:line:col and a rule id (TENnnnn), or the tenants it describes')
    .requiredOption('--config <tenants.yaml>', 'the tenants file')
    .option('--format <format>', 'text or json', 'text')
    .action((flags: { config: string; format: string }) => {
      const cfg = loadTenants(flags.config);
      const rows = cfg.tenants.map((t) => ({
        id: t.id,
        orgNr: t.config.sender?.orgNr ?? t.config.helseid?.orgNumbers?.parent ?? null,
        herId: t.config.sender?.herId ?? null,
        kommuner: (t.config.sender?.Kommune ?? []).map((k) => String(k.kommuneNr)),
        spec: t.config.message.spec,
        helseid: t.config.helseid ? { clientId: t.config.helseid.clientId, parent: t.config.helseid.orgNumbers?.parent ?? null } : null,
        store: storeOf(t),
      }));
      if (flags.format === 'json') {
        process.stdout.write(`${JSON.stringify({ file: cfg.file, tenants: rows }, null, 2)}\n`);
        return;
      }
      process.stdout.write(`${cfg.file}: ${rows.length} tenant${rows.length === 1 ? '' : 's'}\n`);
      for (const r of rows)
        process.stdout.write(
          `  ${r.id}  orgNr ${r.orgNr}  HER-id ${r.herId}  kommune ${r.kommuner.join(', ')}  ${r.spec}  ${r.helseid ? `HelseID ${r.helseid.clientId}${r.helseid.parent ? ` for ${r.helseid.parent}` : ''}  ` : ''}${r.store}\n`,
        );
    });
};
