// What the operator reads when SLASH refuses a unit's content (the sandbox judging with the
// generated HST_Avtale 1 validator): kpr status and kpr errors name the unit, FHI's code and name,
// the errorDetails, the correlation id and what to do; after the EPJ is corrected the next run
// regenerates the unit from its last accepted period, and the other units were never held up.
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JSON_MESSAGES } from '../../generated/index.ts';
import { errorRows, formatErrors, formatStatus, statusReport } from '../../runtime/jobs/report.ts';
import { runJob } from '../../runtime/jobs/jobs.ts';
import type { SlashSummary } from '../../runtime/jobs/channels/slash/index.ts';
import { silentLogger } from '../../runtime/log.ts';
import type { Sandbox } from '../../runtime/sandbox/index.ts';
import { generatedMessageTypes } from '../../runtime/sandbox/slash/index.ts';
import { startSlashSandbox, slashClientFor } from '../sandbox/slash/fixtures.ts';
import { tmpDir } from '../sandbox/fixtures.ts';
import { avtaleContent, ledgerView, lineText, slashSetup, truth, UNITS, type Line } from './slash-fixtures.ts';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSlashSandbox(tmpDir('kpr-pki-'), { slash: { contentOf: avtaleContent, messageTypes: generatedMessageTypes(JSON_MESSAGES) } });
});
afterAll(() => sb?.close());

describe('a SLASH unit refused for its content', () => {
  it('is shown with code, name, errorDetails, correlation id and the fix; corrected in the EPJ, the next run regenerates it', async () => {
    const good = (org: string, id: string, day: string): Line => ({ orgNr: org, kommuneNr: 3253, id, day, changedAt: '2024-03-01T00:00:00Z' });
    const lines = [good(UNITS[0]!, 'P-1', '2017-01-05'), good(UNITS[1]!, 'P-2', '2017-01-06'), good(UNITS[0]!, 'P-3', '2017-02-05'), good(UNITS[1]!, 'P-4', '2017-02-06')];
    // The EPJ wrote a text where HST_Avtale 1 has a number: FHI answers 2008 with the schema's words.
    const bad = { ...good(UNITS[0]!, 'P-0', '2017-01-02'), status: 'kom ikke' as unknown as number };
    const { dir, config } = slashSetup(sb, { 'a.ndjson': [bad, ...lines] });
    const cfg = config();
    const client = await slashClientFor(sb);
    const s = (await runJob({ config: cfg, log: silentLogger, slashClient: client })) as SlashSummary;
    expect(s.exitCode).toBe(2);
    expect(s.slash.stopped.map((x) => x.unit)).toEqual([`${UNITS[0]}|3253|`]);
    // The other unit has everything; the refused one nothing after its first period.
    expect(ledgerView(sb).content[UNITS[1]!]).toEqual(truth(lines)[UNITS[1]!]);
    expect(ledgerView(sb).content[UNITS[0]!]).toBeUndefined();

    const status = await statusReport(cfg);
    const unit = status.slash!.find((u) => u.orgNr === UNITS[0])!;
    expect(unit.state).toBe('stopped');
    expect(unit.stop!.codes[0]).toMatchObject({ code: 2008, name: 'SchemaValidationFailed' });
    expect(unit.stop!.codes[0]!.errorDetails).toMatch(/oppmoteStatus/);
    expect(unit.stop!.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    const text = formatStatus(status);
    expect(text).toContain(`unit      ${UNITS[0]}|3253| (orgNr ${UNITS[0]}): stopped`);
    expect(text).toContain('2008 SchemaValidationFailed');
    expect(text).toContain(`correlation id (quote it to FHI): ${unit.stop!.correlationId}`);
    expect(text).toMatch(/what to do: .*regenerates this unit from its last accepted period/);

    const rows = (await errorRows(cfg)).filter((r) => r.kind === 'unit');
    expect(rows).toEqual([
      expect.objectContaining({ id: `${UNITS[0]}|3253|`, validationCode: 2008, refId: unit.stop!.correlationId, message: expect.stringMatching(/^2008 SchemaValidationFailed/) }),
    ]);
    const table = formatErrors(await errorRows(cfg), 'text', 120);
    expect(table).toContain('1 SLASH unit(s) stopped');
    expect(table).toContain(unit.stop!.correlationId!);

    // Corrected in the EPJ (a later version of the same appointment): the next run regenerates
    // the unit from its last accepted period (none yet: from its first) and delivers it in order.
    appendFileSync(join(dir, 'exports', 'a.ndjson'), `${lineText({ ...bad, status: 2, changedAt: '2024-03-02T00:00:00Z' })}\n`);
    const next = (await runJob({ config: cfg, log: silentLogger, slashClient: client })) as SlashSummary;
    expect(next.exitCode).toBe(0);
    expect(next.slash.resumed).toEqual([`${UNITS[0]}|3253|`]);
    const want = truth([...lines, { ...bad, status: 2, changedAt: '2024-03-02T00:00:00Z' }]);
    expect(ledgerView(sb).content[UNITS[0]!]).toEqual(want[UNITS[0]!]);
    expect((await statusReport(cfg)).slash!.every((u) => u.state === 'ok')).toBe(true);
    expect((await errorRows(cfg)).filter((r) => r.kind === 'unit')).toEqual([]);
  });
});
