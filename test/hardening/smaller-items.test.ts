// The smaller findings, each judged: a code-list message names its list (not
// `[object Object]`); a record without its id is held (REC1008); one record id and changedAt
// given twice with different content is reported naming both lines (REC5003), and not when the
// content is the same; the sandbox answers 413 to a 60 MB body instead of resetting the
// connection, and serves the next request.
import { request } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../runtime/config/load.ts';
import { initSandboxSetup, type SandboxSetup } from '../../runtime/init/sandbox-setup.ts';
import { runJob } from '../../runtime/jobs/jobs.ts';
import { errorRows } from '../../runtime/jobs/report.ts';
import { silentLogger } from '../../runtime/log.ts';
import { VersionMemo } from '../../runtime/jobs/versions.ts';
import { constantProblem } from '../../runtime/mapping/compile.ts';
import type { TargetAttribute } from '../../runtime/spec/target.ts';
import { startSandbox, type Sandbox } from '../../runtime/sandbox/index.ts';
import { FakeReceiver, identitySealer, tmp } from '../runtime/helpers.ts';

it('a constant outside a code list is told with the list number and name', () => {
  const attr = {
    kind: 'coded',
    codelist: { number: '8427', name: 'Status amming mor' },
    codes: new Map([
      ['1', 'Ja'],
      ['2', 'Nei'],
    ]),
  } as unknown as TargetAttribute;
  expect(constantProblem('7', attr)).toBe('not a code of code list 8427 Status amming mor (accepted: 1, 2)');
});

it('the version memo names the first line of a different version, and forgets the oldest beyond its capacity', () => {
  const memo = new VersionMemo(2);
  memo.remember('R1', 't1', 'h1', { file: 'a', line: 1 });
  expect(memo.conflict('R1', 't1', 'h1')).toBeUndefined();
  expect(memo.conflict('R1', 't1', 'h2')).toEqual({ file: 'a', line: 1 });
  expect(memo.conflict('R1', 't2', 'h2')).toBeUndefined();
  memo.remember('R2', 't1', 'h1', { file: 'a', line: 2 });
  memo.remember('R3', 't1', 'h1', { file: 'a', line: 3 });
  expect(memo.conflict('R1', 't1', 'h2')).toBeUndefined();
  expect(memo.conflict('R3', 't1', 'h2')).toEqual({ file: 'a', line: 3 });
});

describe('records of one extract', () => {
  let setup: SandboxSetup;
  let lines: Record<string, any>[];
  beforeAll(async () => {
    setup = await initSandboxSetup({ dir: join(tmp('kpr-small-'), 's'), seed: 'small', children: 2, today: '2026-11-24', port: 0 });
    const file = join(setup.epjDir, 'extract.ndjson');
    lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    writeFileSync(file, '');
  });
  const run = async (records: unknown[], name: string) => {
    writeFileSync(join(setup.epjDir, name), `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const config = loadConfig(setup.configFile);
    const receiver = new FakeReceiver();
    const summary = await runJob({ config, log: silentLogger, sender: receiver, sealer: identitySealer });
    return { summary, rows: (await errorRows(config)).filter((r) => r.kind === 'record' && r.file === name), receiver };
  };

  it('a record without its recordId is held (REC1008), not sent under a made-up id', async () => {
    const [a, b] = lines;
    const { recordId: _gone, ...noId } = b!;
    const { summary, rows, receiver } = await run([a, noId], 'a.ndjson');
    expect(summary.exitCode).toBe(1);
    expect(rows.map((r) => [r.line, r.rule])).toEqual([[2, 'REC1008']]);
    expect(rows[0]!.message).toBe("the record has no id (the mapping's id: recordId): a.ndjson line 2");
    expect(Object.keys(receiver.state.consultations)).toEqual([a!.consultation.id]);
  });

  it('the same recordId and changedAt with other content is reported naming both lines; the same content is not', async () => {
    const [, , c, d] = lines;
    const changed = structuredClone(c!);
    changed.consultation.unitId = `${c!.consultation.unitId}-X`;
    const { summary, rows, receiver } = await run([c, d, structuredClone(c), changed], 'b.ndjson');
    expect(summary).toMatchObject({ exitCode: 1, skipped: 2 });
    expect(rows.map((r) => [r.line, r.rule, r.message])).toEqual([
      [
        4,
        'REC5003',
        `record ${c!.recordId} changedAt ${new Date(c!.changedAt).toISOString()} is given twice with different content: b.ndjson:1 and b.ndjson:4; the first was taken`,
      ],
    ]);
    // The first was sent, as it was.
    expect(receiver.state.consultations[c!.consultation.id]).toBeDefined();
  });
});

describe('the sandbox and a body that is too large', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ dataDir: join(tmp('kpr-413-'), 'sandbox') });
  });
  afterAll(async () => {
    await sb?.close();
  });

  const post = (body: Buffer, chunked: boolean) =>
    new Promise<{ status: number; json: any }>((resolve, reject) => {
      const req = request(
        `${sb.url}/message/process`,
        { method: 'POST', headers: { 'content-type': 'application/json', ...(chunked ? {} : { 'content-length': String(body.length) }) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) }));
        },
      );
      req.on('error', reject);
      if (chunked) for (let i = 0; i < body.length; i += 1 << 20) req.write(body.subarray(i, i + (1 << 20)));
      req.end(chunked ? undefined : body);
    });

  it.each([false, true])('60 MB (chunked: %s) gets 413 with a JSON reason; the next request is served', async (chunked) => {
    const big = Buffer.alloc(60 * 1024 * 1024, 0x20);
    const r = await post(big, chunked);
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ errorCode: 1413, errorMessage: expect.stringMatching(/at most 33554432 \(32 MiB\) are accepted/) });
    const next = await fetch(`${sb.url}/sandbox/state`);
    expect(next.status).toBe(200);
  });
});
