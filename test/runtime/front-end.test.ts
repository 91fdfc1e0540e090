// The transfer reads its records through a front end: on its own thread, or from a worker thread
// that opens the same source and mapping. The in-process one is the judge: the worker must give
// the same items in the same order, report the same files as read to their end, skip the same
// files, resume at the same position, and fail with the same error.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, type KprConfig } from '../../runtime/config/load.ts';
import { generateRecords } from '../../runtime/demo-data/generate.ts';
import { inProcessFrontEnd, workerFrontEnd, type FrontEnd, type FrontItem } from '../../runtime/jobs/front-end.ts';
import { configMapper } from '../../runtime/jobs/mapper.ts';
import { STAND_IN_KIT } from './helpers.ts';
import { FileSource } from '../../runtime/sources/files.ts';
import type { FileIdentity, ReadOptions } from '../../runtime/sources/types.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

const EXTRACT_DATE = '2026-11-24';

function project(): { config: KprConfig; files: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'kpr-front-'));
  mkdirSync(join(dir, 'exports'));
  const records = [...generateRecords({ children: 40, from: '2017-01-01', to: EXTRACT_DATE, seed: 'front-end', badRate: 0.05, editRate: 0.1, deleteRate: 0.05 })];
  const half = Math.floor(records.length / 2);
  const files = ['2024-01.ndjson', '2024-02.ndjson'];
  // Malformed lines and a blank one among the records, as exports have them.
  writeFileSync(
    join(dir, 'exports', files[0]!),
    `${records
      .slice(0, half)
      .map((r) => JSON.stringify(r))
      .join('\n')}\n{"broken": \n\n[1,2]\n`,
  );
  writeFileSync(
    join(dir, 'exports', files[1]!),
    `${records
      .slice(half)
      .map((r) => JSON.stringify(r))
      .join('\n')}\n`,
  );
  const yaml = `profile: sandbox
sender:
  herId: 8139519
  orgNr: "974770000"
  Kommune: [{ kommuneNr: "0301" }]
  Kontaktperson: [{ kontPerson: K, meldEpost1: k@example.invalid, typeKontaktperson: "1" }, { kontPerson: K, meldEpost1: k@example.invalid, typeKontaktperson: "15" }]
epj: { leverandor: L, navnEPJ: N, versjonEPJ: "1" }
message: { spec: hst@56.0.0 }
mapping: ${join(REPO_ROOT, 'examples/demo-epj/mapping.yaml')}
source: { type: folder, path: exports }
database: kpr.db
`;
  writeFileSync(join(dir, 'kpr.yaml'), yaml);
  return { config: parseConfig(join(dir, 'kpr.yaml'), yaml), files };
}

async function inProcess(config: KprConfig): Promise<FrontEnd> {
  // As the worker makes it: the configuration's mapper (with the Enhet list and the policy).
  const mapper = await configMapper(config, STAND_IN_KIT, EXTRACT_DATE);
  return inProcessFrontEnd(new FileSource(config.source.path!, 'folder'), mapper);
}

/** Everything a front end gives, with the files it reports done in between. */
async function collect(front: FrontEnd, opts: ReadOptions = {}): Promise<(FrontItem | { fileDone: string })[]> {
  const out: (FrontItem | { fileDone: string })[] = [];
  for await (const item of front.read({ ...opts, onFileDone: (f: FileIdentity) => out.push({ fileDone: f.path }) })) {
    // The object is only at hand in process; its JSON, which both give, is what counts.
    if (item.mapped?.kind === 'konsultasjon') delete item.mapped.konsultasjon;
    out.push(item);
  }
  return out;
}

describe('the mapping worker', () => {
  it('gives the same items, parse errors, rejections and file ends as mapping in process', async () => {
    const { config } = project();
    const expected = await collect(await inProcess(config));
    const kinds = new Set(expected.map((i) => ('fileDone' in i ? 'fileDone' : i.parseError !== undefined ? 'parseError' : i.mapped!.kind)));
    // The judge only means something if the data has every kind of line.
    expect([...kinds].sort()).toEqual(['deleted', 'fileDone', 'konsultasjon', 'parseError', 'rejected']);
    const worker = workerFrontEnd(config, EXTRACT_DATE);
    const got = await collect(worker);
    // The worker also writes each Konsultasjon's XML: what the codec writes from its JSON.
    const { getMessage } = await import('../../generated/index.ts');
    const codec = getMessage('hst@56.0.0').xml as unknown as { elementToXml(e: string, v: unknown): { xml: string } };
    for (const item of got) {
      if (!('mapped' in item) || item.mapped?.kind !== 'konsultasjon') continue;
      expect(item.mapped.xml).toBe(codec.elementToXml('Konsultasjon', JSON.parse(item.mapped.json)).xml);
      delete item.mapped.xml;
    }
    expect(got).toEqual(expected);
    expect(worker.progress().bytesRead).toBe(worker.progress().bytesTotal);
  });

  it('skips the files the store says are done, and resumes after a position', async () => {
    const { config, files } = project();
    const skipFile = (f: FileIdentity) => f.path.endsWith(files[0]!);
    const withoutXml = (items: Awaited<ReturnType<typeof collect>>) => {
      for (const i of items) if ('mapped' in i && i.mapped?.kind === 'konsultasjon') delete i.mapped.xml;
      return items;
    };
    expect(withoutXml(await collect(workerFrontEnd(config, EXTRACT_DATE), { skipFile }))).toEqual(await collect(await inProcess(config), { skipFile }));
    const after = { file: files[1]!, line: 7 };
    const resumed = withoutXml(await collect(workerFrontEnd(config, EXTRACT_DATE), { after }));
    expect(resumed).toEqual(await collect(await inProcess(config), { after }));
    expect(resumed[0]).toMatchObject({ file: files[1], line: 8 });
  });

  it('stops when the transfer stops reading, and fails as the source fails', async () => {
    const { config } = project();
    let n = 0;
    for await (const _ of workerFrontEnd(config, EXTRACT_DATE).read({})) if (++n === 3) break;
    expect(n).toBe(3);
    const missing = { ...config, source: { ...config.source, path: join(config.dir, 'nowhere') } };
    await expect(collect(workerFrontEnd(missing, EXTRACT_DATE))).rejects.toMatchObject({ name: 'SourceError', message: expect.stringContaining('does not exist') });
  });
});
