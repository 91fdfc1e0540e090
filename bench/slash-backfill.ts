// Benchmark: the SLASH channel's initial load end to end (kpr backfill, channel: slash: source →
// decide → SQLite items and per-unit queue → month-by-month bodies → protect → HelseID/DPoP →
// POST /message → answers), into `kpr sandbox` running as its own process on loopback, beside a
// bare baseline over the same extract in the same run: parse each line, map it with the same
// mapping (the demo EPJ's appointment book onto HST_Avtale 1, rooted at Enhet), group by unit
// and month, serialise each body and protect it (SHA-256, AES-256-CBC, RSA-OAEP-256), nothing
// stored or sent. Target (issue 14): end to end ≥ 0.5 of the baseline's items/s. Peak RSS of
// this process (the sender) is reported beside.
//
//   node bin/run-ts.mjs bench/slash-backfill.ts            (2 600 children: about 35 000 appointment lines)
//   node bin/run-ts.mjs bench/slash-backfill.ts 200        (children in the demo EPJ)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../runtime/config/load.ts';
import { initSandboxSetup, writeRecords } from '../runtime/init/sandbox-setup.ts';
import { generateAppointments } from '../runtime/demo-data/appointments.ts';
import { loadMapping, type Mapper } from '../runtime/mapping/apply.ts';
import { backfillJob } from '../runtime/jobs/jobs.ts';
import type { SlashSummary } from '../runtime/jobs/channels/slash/index.ts';
import { silentLogger } from '../runtime/log.ts';
import { SlashKeys } from '../runtime/transport/slash/keys.ts';
import { protect } from '../runtime/transport/slash/protect.ts';
import { round, rssSampler } from './_util.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGET = 0.5;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The bare work: parse, map, group per unit and month, serialise, protect. */
async function baseline(file: string, mapper: Mapper, key: { id: string; publicKey: string }): Promise<{ items: number; requests: number; wallMs: number; cpuMs: number }> {
  const t0 = performance.now();
  const c0 = cpuMs();
  const groups = new Map<string, string[]>();
  let items = 0;
  for await (const line of createInterface({ input: createReadStream(file) })) {
    if (!line) continue;
    const m = mapper.apply(JSON.parse(line));
    if (!m.ok) continue;
    const e = m.value as { orgNr: number; kommuneNr: number; avtale?: Array<{ datoTid: string }> };
    const a = e.avtale?.[0];
    if (!a) continue;
    const k = `${e.orgNr}|${e.kommuneNr}|${a.datoTid.slice(0, 7)}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(JSON.stringify(a));
    items++;
  }
  let requests = 0;
  for (const [k, list] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [org, kommune] = k.split('|');
    protect(Buffer.from(`[{"orgNr":${org},"kommuneNr":${kommune},"avtale":[${list.join(',')}]}]`, 'utf8'), key);
    requests++;
  }
  return { items, requests, wallMs: performance.now() - t0, cpuMs: cpuMs() - c0 };
}

export async function run(children = Number(process.argv[2] ?? 2600)): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), 'kpr-bench-slash-'));
  try {
    const setup = await initSandboxSetup({ dir: join(work, 'setup'), seed: 'bench', children: 1, today: '2026-11-24', port: 0, channel: 'slash', extract: 'none' });
    const file = join(setup.epjDir, 'extract.ndjson');
    const lines = await writeRecords(file, generateAppointments({ children, from: '2017-01-01', to: '2026-11-24', seed: 'bench', badRate: 0 }));
    const config = loadConfig(setup.configFile);
    const mapper = await loadMapping(config.mapping!);
    const sandbox = spawn(process.execPath, [join(ROOT, 'bin/kpr.mjs'), 'sandbox', '--data', setup.sandboxDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const [first] = (await once(createInterface({ input: sandbox.stdout! }), 'line')) as [string];
      if (!first.startsWith('http')) throw new Error(`the sandbox said ${first}`);
      const keys = await new SlashKeys({ baseUrl: setup.url }).current();
      const key = { id: keys.id, publicKey: keys.publicKeyPem };
      const base1 = await baseline(file, mapper, key);

      const peak = rssSampler();
      const t0 = performance.now();
      const c0 = cpuMs();
      const s = (await backfillJob({ config, from: '2017-01-01', log: silentLogger })) as SlashSummary;
      const wallMs = performance.now() - t0;
      const ours = { wallMs, cpuMs: cpuMs() - c0, peakRssMb: peak() };
      if (s.exitCode !== 0) throw new Error(`the backfill ended with exit ${s.exitCode}: ${JSON.stringify(s.slash.stopped)}`);
      const base2 = await baseline(file, mapper, key);

      const baseWall = (base1.wallMs + base2.wallMs) / 2;
      const perSec = (n: number, ms: number) => round(n / (ms / 1000), 0);
      return {
        target: `end to end >= ${TARGET} of the bare map + serialise + encrypt baseline (items/s)`,
        children,
        lines,
        items: base1.items,
        requests: s.slash.delivered,
        baselineRequests: base1.requests,
        endToEndItemsPerSec: perSec(base1.items, ours.wallMs),
        baselineItemsPerSec: perSec(base1.items, baseWall),
        ratio: round(baseWall / ours.wallMs, 2),
        withinTarget: baseWall / ours.wallMs >= TARGET,
        endToEndWallMs: round(ours.wallMs),
        endToEndCpuMs: round(ours.cpuMs),
        baselineWallMs: round(baseWall),
        peakRssMB: round(ours.peakRssMb),
      };
    } finally {
      sandbox.kill('SIGTERM');
      await once(sandbox, 'exit');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  console.log(JSON.stringify(await run(), null, 2));
}
