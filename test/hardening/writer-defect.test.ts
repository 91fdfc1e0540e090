// A value the validator lets through and the XML writer refuses (a whole number above 2^53-1:
// JSON Schema's `integer` takes 1e20, the writer cannot write it exactly) holds its record with
// REC5004, the writer's message and the field, whether the Konsultasjon is written in the
// mapping worker or in the Melding on the transfer's thread; the other records are sent.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config/load.ts';
import { initSandboxSetup, type SandboxSetup } from '../../runtime/init/sandbox-setup.ts';
import { runJob } from '../../runtime/jobs/jobs.ts';
import { errorRows } from '../../runtime/jobs/report.ts';
import { silentLogger } from '../../runtime/log.ts';
import { loadMapping } from '../../runtime/mapping/apply.ts';
import { FakeReceiver, identitySealer, tmp } from '../runtime/helpers.ts';

let setup: SandboxSetup;
let passthrough: { id: string; changedAt: string; Konsultasjon: Record<string, any> }[];
const saved = process.env.KPR_MAP_WORKER;
afterEach(() => {
  if (saved === undefined) delete process.env.KPR_MAP_WORKER;
  else process.env.KPR_MAP_WORKER = saved;
});

beforeAll(async () => {
  setup = await initSandboxSetup({ dir: join(tmp('kpr-defect-'), 's'), seed: 'defect', children: 1, today: '2026-11-24', port: 0 });
  // Passthrough records (no mapping in kpr.yaml): the demo records as the mapping makes them.
  const mapping = await loadMapping(join(setup.dir, 'mapping.yaml'), { extractDate: '2026-11-24' });
  const demo = readFileSync(join(setup.epjDir, 'extract.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  passthrough = demo
    .map((r) => ({ r, m: mapping.apply(r) }))
    .filter(({ r, m }) => m.ok && m.kind === 'konsultasjon' && !r.deleted)
    .slice(0, 4)
    .map(({ r, m }) => ({ id: r.recordId, changedAt: r.changedAt, Konsultasjon: (m as { value: Record<string, any> }).value }));
  writeFileSync(setup.configFile, readFileSync(setup.configFile, 'utf8').replace(/^mapping: .*$/m, ''));
});

describe.each(['worker', 'this thread'])('a number the writer refuses, written in the %s (the worker when there is a second core)', (where) => {
  it('holds its record (REC5004) and sends the others', async () => {
    process.env.KPR_MAP_WORKER = where === 'worker' ? '1' : '0';
    const name = where === 'worker' ? 'w.ndjson' : 't.ndjson';
    // Consultations of their own per case: both share one database.
    const records = structuredClone(passthrough);
    for (const r of records) r.Konsultasjon.konsultasjonID = `${where[0]}${r.Konsultasjon.konsultasjonID}`;
    records[1]!.Konsultasjon.Barn_ungdom.fodselsar = 1e20;
    for (const f of ['extract.ndjson', 'w.ndjson', 't.ndjson']) writeFileSync(join(setup.epjDir, f), '');
    writeFileSync(join(setup.epjDir, name), records.map((r) => JSON.stringify({ ...r, id: `${where}-${r.id}` })).join('\n') + '\n');
    const config = loadConfig(setup.configFile);
    const receiver = new FakeReceiver();
    const s = await runJob({ config, log: silentLogger, sender: receiver, sealer: identitySealer });
    expect(s).toMatchObject({ exitCode: 1, rejectedRecords: 1 });
    const rows = errorRows(config).filter((r) => r.file === name);
    expect(rows.map((r) => [r.line, r.rule])).toEqual([['2', 'REC5004']]);
    expect(rows[0]!.message).toMatch(/fodselsar must be an integer .*at most 2\^53-1/);
    expect(Object.keys(receiver.state.consultations).sort()).toEqual([0, 2, 3].map((i) => records[i]!.Konsultasjon.konsultasjonID).sort());
    expect(s.notifications.N).toBe(3);
  });
});
