// The work queue's tables, in a control schema of their own (kpr_control unless told), beside
// the tenants' store schemas: versioned migrations applied once each, in order, in one
// transaction under an advisory lock (two migrators wait in turn), recorded in
// control_migration. `kpr queue migrate` applies them; a worker refuses a schema that is behind.
import type pg from 'pg';
import { UserError } from '../cli/program.ts';
import { checkSchemaName } from '../store/postgres/connect.ts';

export interface ControlMigration {
  version: number;
  name: string;
  sql: string;
}

export const CONTROL_MIGRATIONS: readonly ControlMigration[] = [
  {
    version: 1,
    name: 'work items, tenants served, receivers paused',
    sql: `
CREATE TABLE work_item (
  id BIGSERIAL PRIMARY KEY,
  tenant TEXT NOT NULL COLLATE "C",
  kind TEXT NOT NULL CHECK (kind IN ('run', 'backfill')),
  params JSONB NOT NULL DEFAULT '{}',
  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'claimed', 'done', 'failed', 'attention')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 5,
  not_before TIMESTAMPTZ NOT NULL DEFAULT now(),
  enqueued_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  claimed_by TEXT, claimed_host TEXT, claimed_pid INTEGER,
  claimed_at TIMESTAMPTZ, lease_until TIMESTAMPTZ, finished_at TIMESTAMPTZ,
  last_error TEXT,
  summary JSONB
);
-- At most one claimed item per tenant: two workers never run one tenant's queue at once.
CREATE UNIQUE INDEX work_item_one_claim ON work_item (tenant) WHERE state = 'claimed';
CREATE INDEX work_item_queued ON work_item (tenant, id) WHERE state = 'queued';
CREATE INDEX work_item_leases ON work_item (lease_until) WHERE state = 'claimed';
CREATE TABLE tenant_served (tenant TEXT PRIMARY KEY COLLATE "C", last_served TIMESTAMPTZ NOT NULL);
CREATE TABLE receiver_pause (receiver TEXT PRIMARY KEY, until TIMESTAMPTZ NOT NULL, reason TEXT NOT NULL);
`,
  },
];

export const CONTROL_LATEST = CONTROL_MIGRATIONS[CONTROL_MIGRATIONS.length - 1]?.version ?? 0;

const q = (schema: string) => `"${checkSchemaName(schema)}"`;

/** Applies the pending migrations to `schema`; gives the versions applied. */
export async function migrateControl(client: pg.Client, schema: string): Promise<number[]> {
  const s = q(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`kpr-control-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.control_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const done = new Set((await client.query(`SELECT version FROM ${s}.control_migration`)).rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    await client.query(`SET LOCAL search_path TO ${s}`);
    for (const m of CONTROL_MIGRATIONS) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query(`INSERT INTO ${s}.control_migration (version, name) VALUES ($1, $2)`, [m.version, m.name]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

/** Refuses a control schema that is missing or behind, naming the command that fixes it. */
export async function checkControl(client: pg.Client, schema: string, where: string): Promise<void> {
  const exists = await client.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, 'control_migration']);
  const version = exists.rowCount ? Number((await client.query(`SELECT coalesce(max(version), 0) AS v FROM ${q(schema)}.control_migration`)).rows[0]?.v ?? 0) : 0;
  if (version < CONTROL_LATEST) {
    throw new UserError(`the work queue at ${where} has schema version ${version}, this kpr-kit needs ${CONTROL_LATEST}: run kpr queue migrate --config <tenants.yaml> first`);
  }
}
