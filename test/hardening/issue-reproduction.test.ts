// The reproduction, as an operator meets it: `kpr init --profile sandbox`, one NUL put
// into one record's consultation.unitId, `kpr run` twice against the real sandbox (HelseID,
// CMS, the generated codec). Before: both runs exit 2 with a stack trace and nothing arrives.
// Now: the record is held with its rule, file, line and field, every other consultation
// arrives, the run exits 1, and `kpr errors` shows it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { MESSAGES } from '../../generated/index.ts';
import { initSandboxSetup } from '../../runtime/init/sandbox-setup.ts';
import { startSandbox, type Sandbox } from '../../runtime/sandbox/index.ts';
import { generatedCodec } from '../../runtime/sandbox/generated-codec.ts';
import { runKprAsync as runKpr } from './helpers.ts';
import { tmp } from '../runtime/helpers.ts';

let sandbox: Sandbox | undefined;
afterAll(async () => {
  await sandbox?.close();
});

it('one record with U+0000 in a mapped string is held; the rest arrive; exit 1, then 0', async () => {
  const setup = await initSandboxSetup({ dir: join(tmp('kpr-repro-'), 'NR'), seed: '6', children: 3, today: '2026-11-24', port: 0 });
  sandbox = await startSandbox({ dataDir: setup.sandboxDir, port: setup.port, host: '127.0.0.1', codec: generatedCodec(MESSAGES) });
  const file = join(setup.epjDir, 'extract.ndjson');
  const records = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const victim = 3;
  records[victim - 1].consultation.unitId += '\u0000';
  writeFileSync(file, `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);

  const first = await runKpr(['run', '--config', setup.configFile]);
  expect(first.code, first.stderr).toBe(1);
  expect(first.stderr).not.toMatch(/internal error|\n\s+at /);
  const second = await runKpr(['run', '--config', setup.configFile]);
  expect(second.code, second.stderr).toBe(0);

  // The held-back records (records sent with a warning follow them in the same list).
  const errors = JSON.parse((await runKpr(['errors', '--config', setup.configFile, '--format', 'json'])).stdout).filter((r: { kind: string }) => r.kind === 'record');
  expect(errors).toMatchObject([
    {
      kind: 'record',
      id: records[victim - 1].recordId,
      file: 'extract.ndjson',
      rule: 'REC2012',
      path: '/RefEnhet/0/enhetID',
      message: expect.stringMatching(/contains U\+0000 at offset \d+, which XML 1\.0 cannot carry/),
    },
  ]);
  expect(String(errors[0].line)).toBe(String(victim));

  // Every other consultation is at the receiver, and the held one is not.
  const ids = new Set(records.map((r) => r.consultation.id));
  const held = sandbox.store.publicState().consultations;
  expect(Object.keys(held).length).toBe(ids.size - 1);
  expect(held[records[victim - 1].consultation.id]).toBeUndefined();
  const status = await runKpr(['status', '--config', setup.configFile]);
  expect(status.stdout).toMatch(/rejected records by rule: REC2012 1/);
});
