// A whole number above 2^53-1 (JSON Schema's `integer` takes 1e20; the XML writer cannot write
// it exactly) once passed the validator and failed in the writer, so it was held there as REC5004.
// The validators now refuse it (schema-range, REC2006) before anything is written: the record is
// held with its file, line and field whether the mapping runs in the worker or on the transfer's
// thread, and the other records are sent. REC5004 stays as the writer's own net.
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
  const demo = readFileSync(join(setup.epjDir, 'extract.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  passthrough = demo
    .map((r) => ({ r, m: mapping.apply(r) }))
    .filter(({ r, m }) => m.ok && m.kind === 'konsultasjon' && !r.deleted)
    .slice(0, 4)
    .map(({ r, m }) => ({ id: r.recordId, changedAt: r.changedAt, Konsultasjon: (m as { value: Record<string, any> }).value }));
  writeFileSync(setup.configFile, readFileSync(setup.configFile, 'utf8').replace(/^mapping: .*$/m, ''));
});

describe.each(['worker', 'this thread'])('a number the writer could not carry, mapped in the %s (the worker when there is a second core)', (where) => {
  it('holds its record (REC2006, before the writer) and sends the others', async () => {
    process.env.KPR_MAP_WORKER = where === 'worker' ? '1' : '0';
    const name = where === 'worker' ? 'w.ndjson' : 't.ndjson';
    // Consultations of their own per case: both share one database.
    const records = structuredClone(passthrough);
    for (const r of records) r.Konsultasjon.konsultasjonID = `${where[0]}${r.Konsultasjon.konsultasjonID}`;
    records[1]!.Konsultasjon.Barn_ungdom.fodselsar = 1e20;
    for (const f of ['extract.ndjson', 'w.ndjson', 't.ndjson']) writeFileSync(join(setup.epjDir, f), '');
    writeFileSync(join(setup.epjDir, name), `${records.map((r) => JSON.stringify({ ...r, id: `${where}-${r.id}` })).join('\n')}\n`);
    const config = loadConfig(setup.configFile);
    const receiver = new FakeReceiver();
    const s = await runJob({ config, log: silentLogger, sender: receiver, sealer: identitySealer });
    expect(s).toMatchObject({ exitCode: 1, rejectedRecords: 1 });
    const rows = (await errorRows(config)).filter((r) => r.kind === 'record' && r.file === name);
    // Only line 2 is held; its findings name the number (and may carry warnings beside it).
    expect([...new Set(rows.map((r) => r.line))]).toEqual([2]);
    expect(rows).toContainEqual(expect.objectContaining({ rule: 'REC2006', path: '/Konsultasjon/Barn_ungdom/fodselsar' }));
    expect(Object.keys(receiver.state.consultations).sort()).toEqual([0, 2, 3].map((i) => records[i]!.Konsultasjon.konsultasjonID).sort());
    expect(s.notifications.N).toBe(3);
  });
});
