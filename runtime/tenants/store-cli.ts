// `kpr store migrate`: bring a PostgreSQL store's schema up to date, and move an existing SQLite
// store into it. It lives here, above store/, because it also reads a tenants file for the
// store's location (store/ never imports tenants/). The PostgreSQL URL comes from --to,
// KPR_PG_URL or the tenants file; a password is better kept in PGPASSWORD or ~/.pgpass than in
// the URL (a command line is visible to every user of the machine).
import type { Command } from 'commander';
import { type Registrar, UserError } from '../cli/program.ts';
import { DEFAULT_SCHEMA, describeTarget, type PgTarget } from '../store/postgres/connect.ts';
import { LATEST } from '../store/postgres/schema.ts';

interface MigrateFlags {
  from?: string;
  schema?: boolean;
  to?: string;
  pgSchema: string;
  replace?: boolean;
  config?: string;
  tenant?: string;
}

/** The targets: the tenants' PostgreSQL schemas (--config, --tenant), or --to / KPR_PG_URL and --pg-schema. */
async function targetsOf(flags: MigrateFlags): Promise<{ name?: string; target: PgTarget }[]> {
  if (!flags.config) {
    if (flags.tenant) throw new UserError('--tenant needs --config (a tenants file)');
    return [{ target: targetOf(flags) }];
  }
  if (flags.to) throw new UserError('--to and --config: give one (the tenants file names its store)');
  const { chooseTenants, loadTenants } = await import('./load.ts');
  const { pgTarget } = await import('../store/location.ts');
  const cfg = loadTenants(flags.config);
  return chooseTenants(cfg, flags.tenant).map((t) => {
    if (t.store.kind !== 'postgres') throw new UserError(`${flags.config}: the tenants' store is SQLite (store.kind: sqlite); nothing to migrate into`);
    return { name: t.id, target: pgTarget(t.store) };
  });
}

function targetOf(flags: MigrateFlags): PgTarget {
  const url = flags.to ?? process.env.KPR_PG_URL;
  if (!url) throw new UserError('no PostgreSQL to migrate into: give --to postgresql://user@host/database or set KPR_PG_URL');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new UserError(`--to: expected a postgresql:// URL, got ${url.split('@').pop()}`);
  return { url, schema: flags.pgSchema };
}

export const register: Registrar = (program: Command) => {
  const store = program.command('store').description('the store behind the transfer: PostgreSQL schema migrations, and moving a SQLite store into PostgreSQL');
  store
    .command('migrate')
    .description(
      `apply the PostgreSQL store's schema migrations (up to version ${LATEST}, each once, recorded in schema_migration), and with --from copy an existing SQLite store (kpr.db) into it: chain, outbox, rejected records, sent warnings, runs, checkpoints and SLASH's per-unit queue, in one transaction, counts and the chain compared before it is kept. An empty target only, unless --replace`,
    )
    .option('--from <kpr.db>', 'the SQLite store to move into PostgreSQL (its run lock is taken while it is read)')
    .option('--schema', 'only bring the schema up to date (what --from also does first)')
    .option('--to <url>', 'the PostgreSQL database (default: $KPR_PG_URL), e.g. postgresql://kpr@db.example/kpr')
    .option('--pg-schema <name>', 'the PostgreSQL schema holding the store (one per reporting unit)', DEFAULT_SCHEMA)
    .option('--replace', 'empty a target that already holds a store instead of refusing it')
    .option('--config <tenants.yaml>', "a tenants file: its store, each tenant's schema (instead of --to and --pg-schema)")
    .option('--tenant <id>', 'with --config: only this tenant (all of them by default; --from needs one)')
    .action(async (flags: MigrateFlags) => {
      if (!flags.schema && !flags.from) throw new UserError('say what to migrate: --schema (the tables) or --from kpr.db (a SQLite store into PostgreSQL)');
      if (flags.schema && flags.from) throw new UserError('--schema and --from: give one (--from brings the schema up to date as well)');
      const targets = await targetsOf(flags);
      const { migrateSchema, migrateSqliteToPg } = await import('../store/migrate.ts');
      if (flags.schema) {
        for (const { name, target } of targets) {
          const applied = await migrateSchema(target);
          const who = `${name ? `tenant ${name}: ` : ''}${describeTarget(target)}`;
          process.stdout.write(
            applied.length ? `${who}: applied schema version${applied.length > 1 ? 's' : ''} ${applied.join(', ')}\n` : `${who}: schema up to date (version ${LATEST})\n`,
          );
        }
        return;
      }
      if (targets.length !== 1) throw new UserError('--from moves one SQLite store into one tenant: give --tenant');
      const r = await migrateSqliteToPg(flags.from as string, (targets[0] as { target: PgTarget }).target, { replace: flags.replace });
      const width = Math.max(...r.tables.map((t) => t.table.length));
      process.stdout.write(`${flags.from} → ${r.target}\n`);
      process.stdout.write(`  ${'table'.padEnd(width)}  ${'SQLite'.padStart(9)}  ${'PostgreSQL'.padStart(10)}\n`);
      for (const t of r.tables) process.stdout.write(`  ${t.table.padEnd(width)}  ${String(t.source).padStart(9)}  ${String(t.target).padStart(10)}\n`);
      process.stdout.write("every count and the chain (head, counters, states, consultations, findings) and SLASH's units and queue agree; the SQLite store is left as it was\n");
    });
};
