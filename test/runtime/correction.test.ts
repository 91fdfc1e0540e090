// A record rejected by the vendor mapping's rules is listed by `kpr errors` until the EPJ holds a
// corrected version (a new record id, `<consultation>/<version>`): the next run sends that one
// and the listing clears.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config/load.ts';
import { generateRecords } from '../../runtime/demo-data/generate.ts';
import { initSandboxSetup } from '../../runtime/init/sandbox-setup.ts';
import { runJob } from '../../runtime/jobs/jobs.ts';
import { errorRows } from '../../runtime/jobs/report.ts';
import { silentLogger } from '../../runtime/log.ts';
import { FakeReceiver, identitySealer, tmp } from './helpers.ts';

it('a corrected version of a rejected record clears it from kpr errors', async () => {
  const setup = await initSandboxSetup({ dir: join(tmp('kpr-correct-'), 's'), seed: 'c', children: 2, today: '2026-11-24', port: 0, extract: 'none' });
  const [first] = [...generateRecords({ children: 2, from: '2026-01-01', to: '2026-11-24', seed: 'c', editRate: 0, deleteRate: 0 })] as any[];
  const bad = structuredClone(first);
  bad.child.nationalId = bad.child.nationalId.slice(0, 10) + String((Number(bad.child.nationalId[10]) + 1) % 10);
  const fixed = { ...structuredClone(first), recordId: first.recordId.replace(/\/\d+$/, '/2'), version: 2, changedAt: '2026-11-24T12:00:00Z' };

  const receiver = new FakeReceiver();
  const run = () => runJob({ config: loadConfig(setup.configFile), log: silentLogger, sender: receiver, sealer: identitySealer });
  writeFileSync(join(setup.epjDir, 'a.ndjson'), `${JSON.stringify(bad)}\n`);
  expect((await run()).exitCode).toBe(1);
  // Held back (records sent with a warning, if any, are listed after them and are not asked about).
  const held = async () => (await errorRows(loadConfig(setup.configFile))).filter((r) => r.kind === 'record');
  expect((await held()).map((r) => [r.id, r.rule])).toEqual([[first.recordId, 'REC4001']]);

  writeFileSync(join(setup.epjDir, 'b.ndjson'), `${JSON.stringify(fixed)}\n`);
  const s = await run();
  expect(s.notifications.N).toBe(1);
  expect(await held()).toEqual([]);
  expect(Object.keys(receiver.state.consultations)).toEqual([first.consultation.id]);
});
