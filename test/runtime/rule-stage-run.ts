// Passthrough runs through the rule stage of hst@56.0.0 (extract date 2024-12-31, "now" fixed,
// the one reported Enhet E1 of the test header) against a FakeReceiver, each run on the same database: what the tests of records held back and
// sent with a warning share.
import { join } from 'node:path';
import { passthroughMapper } from '../../runtime/jobs/mapper.ts';
import { transfer, type TransferSummary } from '../../runtime/jobs/transfer.ts';
import { silentLogger } from '../../runtime/log.ts';
import { loadValidator } from '../../runtime/mapping/apply.ts';
import { compileSemanticRules } from '../../runtime/rules/semantic.ts';
import { makeRuleStage } from '../../runtime/rules/stage.ts';
import { FileSource } from '../../runtime/sources/files.ts';
import { loadTarget } from '../../runtime/spec/target.ts';
import { asyncStore } from '../../runtime/store/async.ts';
import { openStore } from '../../runtime/store/open.ts';
import { FakeReceiver, HEADER, identitySealer, STAND_IN_KIT, tmp, writeNdjson } from './helpers.ts';

export interface RuleStageRunner {
  dbPath: string;
  receiver: FakeReceiver;
  /** Writes `records` as the extract (one JSON value a line) and runs the transfer on it. */
  run(records: unknown[]): Promise<TransferSummary>;
}

export async function ruleStageRunner(): Promise<RuleStageRunner> {
  const hst = loadTarget('hst@56.0.0')!;
  const stage = makeRuleStage(hst, 'Konsultasjon', await loadValidator(hst, 'Konsultasjon'), compileSemanticRules(hst, 'Konsultasjon'), {
    extractDate: '2024-12-31',
    enhetIds: new Set(['E1']),
  });
  const dir = tmp();
  const file = join(dir, 'epj.ndjson');
  const dbPath = join(dir, 'kpr.db');
  const receiver = new FakeReceiver();
  const run = async (records: unknown[]) => {
    writeNdjson(file, records);
    const store = openStore(dbPath);
    try {
      return await transfer(
        {
          store: asyncStore(store),
          kit: STAND_IN_KIT,
          header: HEADER,
          limits: { maxConsultations: 1000, maxBytes: 4_000_000, recordsPerTransaction: 5000 },
          sender: receiver,
          sealer: identitySealer,
          log: silentLogger,
          mapper: passthroughMapper(STAND_IN_KIT, stage),
          source: new FileSource(file, 'file'),
          now: () => new Date('2024-06-01T12:00:00Z'),
        },
        { kind: 'run', readSource: true },
      );
    } finally {
      store.close();
    }
  };
  return { dbPath, receiver, run };
}
