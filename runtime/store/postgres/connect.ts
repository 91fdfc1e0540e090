// One connection per store: the lock is the connection's (a session advisory lock), a batch's
// lookups and its commit are one transaction on it, and calls are run one at a time, so that
// two callers' statements never interleave inside each other's transaction.
import pg from 'pg';
import { UserError } from '../../cli/program.ts';

/** Where the store lives: a server URL and the schema (one per reporting unit or setup). */
export interface PgTarget {
  url: string;
  /** The PostgreSQL schema holding the tables; `kpr` unless told. */
  schema?: string;
}

export const DEFAULT_SCHEMA = 'kpr';

/** Lower-case identifiers only: a schema name goes into SQL as an identifier, never as text. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new UserError(`store schema "${schema}": use lower-case letters, digits and _ (at most 63, not starting with a digit)`);
  }
  return schema;
}

/** The URL without its password, and the schema: what messages may show. */
export function describeTarget(t: PgTarget): string {
  const shown = t.url.replace(/^(postgres(?:ql)?:\/\/[^:/@?]*):[^@/?]*@/, '$1:***@');
  return `${shown} (schema ${t.schema ?? DEFAULT_SCHEMA})`;
}

// bigint (int8: counts, serial ids) as a number: ids and counts stay far below 2^53.
const INT8 = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export type Row = Record<string, unknown>;

/**
 * SQLSTATE classes that are the operator's to fix (the server refused us, or went away), not a
 * bug in the store: connection (08), authorisation (28, 42501), no such database (3D), out of
 * resources (53), shut down by an administrator (57). They become a UserError: no stack trace.
 */
const OPERATORS = /^(08|28|3D|53|57|42501)/;

function asOperatorError(err: unknown, where: string): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && OPERATORS.test(code)) return new UserError(`the store ${where}: ${(err as Error).message} (SQLSTATE ${code})`);
  if (err instanceof Error && /Connection terminated|Client has encountered a connection error|not queryable/.test(err.message)) {
    return new UserError(`the store ${where}: the connection to the server was lost (${err.message})`);
  }
  return err;
}

/** A connection that runs one job at a time, with transactions that nest as savepoints. */
export class PgSession {
  private queue: Promise<unknown> = Promise.resolve();
  private depth = 0;
  private savepoints = 0;

  private constructor(
    readonly client: pg.Client,
    private readonly where: string,
  ) {}

  static async open(target: PgTarget): Promise<PgSession> {
    const schema = checkSchemaName(target.schema ?? DEFAULT_SCHEMA);
    const client = new pg.Client({ connectionString: target.url, types: types as pg.CustomTypesConfig });
    // An unreachable server is the operator's to fix: say which, without the password.
    try {
      await client.connect();
    } catch (err) {
      throw new UserError(`cannot reach the store ${describeTarget(target)}: ${(err as Error).message}`);
    }
    // Errors of an idle connection (server restart) surface at the next query, not as a crash.
    client.on('error', () => {});
    await client.query(`SET search_path TO ${schema}`);
    return new PgSession(client, describeTarget(target));
  }

  /** Runs `job` after every job queued before it (the store's methods go through here). */
  serial<T>(job: () => Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => {});
    return run;
  }

  async rows<R = Row>(sql: string, params: unknown[] = []): Promise<R[]> {
    return (await this.query(sql, params)).rows as R[];
  }

  async one<R = Row>(sql: string, params: unknown[] = []): Promise<R | undefined> {
    return (await this.rows<R>(sql, params))[0];
  }

  async run(sql: string, params: unknown[] = []): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  private async query(sql: string, params: unknown[]): Promise<pg.QueryResult> {
    try {
      return await this.client.query(sql, params);
    } catch (err) {
      throw asOperatorError(err, this.where);
    }
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /** Opens a transaction that stays open until commit() or rollback(). */
  async begin(isolation = 'READ COMMITTED'): Promise<void> {
    if (this.depth > 0) return;
    await this.client.query(`BEGIN ISOLATION LEVEL ${isolation}`);
    this.depth = 1;
  }

  async commit(): Promise<void> {
    if (this.depth === 0) return;
    this.depth = 0;
    await this.client.query('COMMIT');
  }

  async rollback(): Promise<void> {
    if (this.depth === 0) return;
    this.depth = 0;
    await this.client.query('ROLLBACK');
  }

  /**
   * `fn` in a transaction of its own, or in a savepoint of the open one (as better-sqlite3
   * nests): all of it or none of it. `relaxed`: the commit need not wait for the disk (an
   * outcome the receiver would repeat, or bookkeeping the next full commit makes durable).
   */
  async tx<T>(fn: () => Promise<T>, opts: { relaxed?: boolean } = {}): Promise<T> {
    if (this.depth > 0) {
      const name = `sp${++this.savepoints}`;
      await this.client.query(`SAVEPOINT ${name}`);
      this.depth++;
      try {
        const out = await fn();
        await this.client.query(`RELEASE SAVEPOINT ${name}`);
        return out;
      } catch (err) {
        await this.client.query(`ROLLBACK TO SAVEPOINT ${name}`);
        throw err;
      } finally {
        this.depth--;
      }
    }
    await this.begin();
    try {
      if (opts.relaxed) await this.client.query('SET LOCAL synchronous_commit = off');
      const out = await fn();
      await this.commit();
      return out;
    } catch (err) {
      await this.rollback().catch(() => {});
      throw err;
    }
  }

  async end(): Promise<void> {
    await this.client.end();
  }
}
