// The demo EPJ's appointment book (kpr demo-data --appointments) through the example mapping
// rooted at the unit object (examples/demo-epj-appointments) on the SLASH channel: each line's
// unit and item come from the mapping, deletions become slettAvtale, and the stand-in (judging
// with the generated HST_Avtale 1 validator) ends up holding the book's latest word per unit.
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { JSON_MESSAGES } from '../../generated/index.ts';
import { isAppointmentDeletion, type AppointmentLine } from '../../runtime/demo-data/appointment-record.ts';
import { generateAppointments } from '../../runtime/demo-data/appointments.ts';
import type { SlashSummary } from '../../runtime/jobs/channels/slash/index.ts';
import { backfillJob } from '../../runtime/jobs/jobs.ts';
import { silentLogger } from '../../runtime/log.ts';
import type { Sandbox } from '../../runtime/sandbox/index.ts';
import { generatedMessageTypes } from '../../runtime/sandbox/slash/index.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { tmpDir } from '../sandbox/fixtures.ts';
import { slashClientFor, startSlashSandbox } from '../sandbox/slash/fixtures.ts';
import { avtaleContent, ledgerView, slashSetup } from './slash-fixtures.ts';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSlashSandbox(tmpDir('kpr-pki-'), { slash: { contentOf: avtaleContent, messageTypes: generatedMessageTypes(JSON_MESSAGES) } });
});
afterAll(() => sb?.close());

it('delivers the demo appointment book through the example mapping, per unit, deletions as slettAvtale', async () => {
  const book = [...generateAppointments({ children: 25, from: '2024-01-01', to: '2024-12-31', seed: 'slash-map', deleteRate: 0.05 })] as AppointmentLine[];
  const mapping = join(REPO_ROOT, 'examples/demo-epj-appointments/mapping.yaml');
  const { config } = slashSetup(sb, { 'book.ndjson': `${book.map((l) => JSON.stringify(l)).join('\n')}\n` }, '', `mapping: ${mapping}\n`);
  const s = (await backfillJob({ config: config(), from: '2017-01-01', log: silentLogger, slashClient: await slashClientFor(sb) })) as SlashSummary;
  expect(s.slash.stopped).toEqual([]);
  expect(s.rejectedRecords).toBe(0);
  expect(s.slash.deletions).toBeGreaterThan(0);

  // The book's latest word per unit and appointment: deleted, or current.
  const latest = new Map<string, { org: string; deleted: boolean; changedAt: string }>();
  for (const l of book) {
    const k = `${l.unit.orgNumber}|${l.appointment.id}`;
    const was = latest.get(k);
    if (!was || was.changedAt <= l.changedAt) latest.set(k, { org: String(l.unit.orgNumber), deleted: isAppointmentDeletion(l), changedAt: l.changedAt });
  }
  const held = ledgerView(sb).content;
  const want: Record<string, Record<string, string>> = {};
  for (const [k, v] of latest) (want[v.org] ??= {})[k.split('|')[1]!] = v.deleted ? 'deleted' : 'current';
  const got: Record<string, Record<string, string>> = {};
  for (const [org, items] of Object.entries(held)) for (const [id, c] of Object.entries(items)) (got[org] ??= {})[id] = c === 'deleted' ? 'deleted' : 'current';
  // A deletion of an appointment never delivered is nothing to the receiver.
  for (const units of Object.values(want)) for (const [id, st] of Object.entries(units)) if (st === 'deleted' && !Object.values(got).some((u) => id in u)) delete units[id];
  expect(got).toEqual(want);
});
