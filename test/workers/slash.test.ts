// A SLASH tenant through `kpr worker`: the configured SLASH client with the receiver gate around
// it. SLASH sends up to four reporting units at once from one job, so even one worker would put
// four deliveries in flight; with workers.maxInFlight 2 the receiver (a counting proxy in front
// of the sandbox's SLASH /message) never sees more than two. The backfill, cut into a work item
// per year, leaves the receiver with the same deliveries per unit, in the same order, as one
// `kpr backfill` of the whole window.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { JSON_MESSAGES } from '../../generated/index.ts';
import { generateAppointments } from '../../runtime/demo-data/appointments.ts';
import { initSandboxSetup, writeRecords } from '../../runtime/init/sandbox-setup.ts';
import { deliveryForm, itemsOfUnit } from '../../runtime/jobs/channels/slash/form.ts';
import { type Sandbox, startSandbox } from '../../runtime/sandbox/index.ts';
import { generatedMessageTypes } from '../../runtime/sandbox/slash/index.ts';
import { describePg, type PgServer, startPg } from '../helpers/postgres.ts';
import { type Counter, countingProxy, kpr, TENANT_ORGS, TODAY } from './fixture.ts';

const FROM = '2025-03-01';
const slashOptions = {
  messageTypes: generatedMessageTypes(JSON_MESSAGES),
  contentOf: (type: string, version: string, unit: Record<string, unknown>) => (type === 'HST_Avtale' ? itemsOfUnit(deliveryForm(type, version), unit) : []),
};

async function slashSetup(base: string, name: string) {
  const setup = await initSandboxSetup({ dir: join(base, name), seed: 'slash-workers', children: 1, today: TODAY, from: FROM, port: 0, channel: 'slash', extract: 'none' });
  await writeRecords(join(setup.epjDir, 'extract.ndjson'), generateAppointments({ children: 30, from: FROM, to: TODAY, seed: 'slash-workers' }));
  // Small requests: many deliveries per unit.
  writeFileSync(setup.configFile, readFileSync(setup.configFile, 'utf8').replace('maxRequestBytes: 2000000', 'maxRequestBytes: 1500'));
  const sandbox = await startSandbox({ dataDir: setup.sandboxDir, port: setup.port, host: '127.0.0.1', slash: slashOptions });
  return { setup, sandbox };
}

/** Per unit the msg_hash of each delivery in arrival order. */
function deliveries(sb: Sandbox): Record<string, string[]> {
  return Object.fromEntries(Object.entries(sb.slash.state().units).map(([org, ds]) => [org, ds.map((d) => d.msgHash)]));
}

describePg('a SLASH tenant through kpr worker', () => {
  let server: PgServer;
  let base: string;
  beforeAll(async () => {
    server = await startPg();
    base = mkdtempSync(join(tmpdir(), 'kpr-workers-slash-'));
  });
  afterAll(async () => {
    await server?.stop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  it('keeps SLASH within maxInFlight, and delivers per unit what one kpr backfill delivers', async () => {
    const direct = await slashSetup(base, 'direct');
    const alone = await kpr(['backfill', '--config', direct.setup.configFile, '--from', FROM, '--to', TODAY]);
    expect(alone.code, alone.stderr.slice(-2000)).toBe(0);
    const expected = deliveries(direct.sandbox);
    await direct.sandbox.close();
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(3);

    const queued = await slashSetup(base, 'queued');
    let proxy: Counter | undefined;
    try {
      proxy = await countingProxy(queued.sandbox.url, 0, 0, (method, path) => method === 'POST' && path.endsWith('/message'));
      // The setup's kpr.yaml as the tenants file's defaults, beside it (its paths stay right).
      const { database: _d, ...defaults } = parse(readFileSync(queued.setup.configFile, 'utf8')) as Record<string, any>;
      defaults.api = { ...defaults.api, baseUrl: proxy.url };
      const tenantsFile = join(queued.setup.dir, 'tenants.yaml');
      const workers = { queue: { url: await server.newDatabase() }, maxInFlight: 2, lease: '10s' };
      writeFileSync(
        tenantsFile,
        `store: { kind: sqlite, dir: state }\nworkers: ${JSON.stringify(workers)}\ndefaults: ${JSON.stringify(defaults)}\ntenants:\n  - id: demo\n    helseid: { orgNumbers: { parent: "${TENANT_ORGS[0]}" } }\n`,
      );
      const migrated = await kpr(['queue', 'migrate', '--config', tenantsFile]);
      expect(migrated.code, migrated.stderr).toBe(0);
      const enq = await kpr(['enqueue', 'backfill', '--config', tenantsFile, '--from', FROM, '--to', TODAY]);
      expect(enq.stdout).toMatch(/tenant demo: backfill 2025-03-01\.\.2026-11-24 queued as 2 item\(s\)/);
      const w = await kpr(['worker', '--config', tenantsFile, '--id', 'one', '--drain']);
      expect(w.code, w.stderr.slice(-2000)).toBe(0);
      expect(w.stderr).toMatch(/tenant demo item #2 backfill 2026-01-01\.\.2026-11-24: done/);
      expect(proxy.arrivals.length).toBeGreaterThan(10);
      expect(proxy.max).toBe(2);
      expect(deliveries(queued.sandbox)).toEqual(expected);
    } finally {
      proxy?.close();
      await queued.sandbox.close();
    }
  }, 180_000);
});
