// Benchmark: the SLASH channel's initial load end to end (kpr backfill, channel: slash: source →
// decide → SQLite items and per-unit queue → month-by-month bodies → protect → HelseID/DPoP →
// POST /message → answers), into `kpr sandbox` running as its own process on loopback, beside a
// bare baseline over the same extract in the same run: parse each line, map it with the same
// mapping (the demo EPJ's appointment book onto HST_Avtale 1, rooted at Enhet), group by unit
// and month, serialise each body and protect it (SHA-256, AES-256-CBC, RSA-OAEP-256), nothing
// stored or sent. Target (issue 14): end to end ≥ 0.5 of the baseline's items/s (wall clock,
// the headline). Beside it, what each side costs: CPU seconds of this process (the sender, which
// also runs the baseline) from process.cpuUsage, and of the stand-in receiver's process from
// /proc/PID/stat, so that items per sender CPU-second can be set against the baseline's items
// per CPU-second. In a deployment FHI's receiver runs on FHI's machines: the sender's CPU is the
// kit's share, while the wall ratio here also pays for the stand-in on the same cores. Peak RSS
// of the sender (sampled during the load) and of the stand-in (VmHWM).
//
//   node bin/run-ts.mjs bench/slash-backfill.ts            (2 600 children: about 35 000 appointment lines)
//   node bin/run-ts.mjs bench/slash-backfill.ts 200        (children in the demo EPJ)
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
import { protect, type WrappingKey } from '../runtime/transport/slash/protect.ts';
import { round, rssSampler } from './_util.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TARGET = 0.5;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Clock ticks per second of /proc's CPU times (100 on Linux almost everywhere). */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU milliseconds (user + system) another process has used so far, from /proc/PID/stat. */
function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name (which is in parentheses and may hold spaces): utime and
  // stime are the 14th and 15th of the line, the 12th and 13th after ") ".
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
}

/** CPU milliseconds the whole machine has spent busy so far, all cores (first line of /proc/stat). */
function machineCpuMs(): number {
  const [, user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).map(Number);
  return ((user! + nice! + system! + irq! + softirq! + (steal ?? 0)) * 1000) / CLK_TCK;
}

/** Peak resident set of another process in MB (VmHWM in /proc/PID/status). */
function procPeakRssMb(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** The bare work: parse, map, group per unit and month, serialise, protect. */
async function baseline(file: string, mapper: Mapper, key: WrappingKey): Promise<{ items: number; requests: number; wallMs: number; cpuMs: number }> {
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

export async function run(children = 2600): Promise<Record<string, unknown>> {
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
      // The parsed key, as the sender holds it (SlashKeys parses the PEM once): parsing the PEM
      // for every request would cost the baseline about 0.1 ms a request that the sender does not pay.
      const key = { id: keys.id, publicKey: keys.publicKey };
      const base1 = await baseline(file, mapper, key);

      const peak = rssSampler();
      const t0 = performance.now();
      const c0 = cpuMs();
      const r0 = procCpuMs(sandbox.pid!);
      const m0 = machineCpuMs();
      const s = (await backfillJob({ config, from: '2017-01-01', log: silentLogger })) as SlashSummary;
      const wallMs = performance.now() - t0;
      const ours = { wallMs, cpuMs: cpuMs() - c0, receiverCpuMs: procCpuMs(sandbox.pid!) - r0, machineCpuMs: machineCpuMs() - m0, peakRssMb: peak() };
      if (s.exitCode !== 0) throw new Error(`the backfill ended with exit ${s.exitCode}: ${JSON.stringify(s.slash.stopped)}`);
      const base2 = await baseline(file, mapper, key);

      const baseWall = (base1.wallMs + base2.wallMs) / 2;
      const baseCpu = (base1.cpuMs + base2.cpuMs) / 2;
      const perSec = (n: number, ms: number) => round(n / (ms / 1000), 0);
      return {
        target: `end to end >= ${TARGET} of the bare map + serialise + encrypt baseline (items/s, wall clock)`,
        children,
        lines,
        items: base1.items,
        requests: s.slash.delivered,
        baselineRequests: base1.requests,
        endToEndItemsPerSec: perSec(base1.items, ours.wallMs),
        baselineItemsPerSec: perSec(base1.items, baseWall),
        ratio: round(baseWall / ours.wallMs, 2),
        withinTarget: baseWall / ours.wallMs >= TARGET,
        // The kit's own share: items per CPU-second of the sender against the baseline's.
        senderItemsPerCpuSec: perSec(base1.items, ours.cpuMs),
        baselineItemsPerCpuSec: perSec(base1.items, baseCpu),
        cpuRatio: round(baseCpu / ours.cpuMs, 2),
        endToEndWallMs: round(ours.wallMs),
        senderCpuMs: round(ours.cpuMs),
        receiverCpuMs: round(ours.receiverCpuMs),
        senderCpuMsPerRequest: round(ours.cpuMs / s.slash.delivered, 2),
        receiverCpuMsPerRequest: round(ours.receiverCpuMs / s.slash.delivered, 2),
        // Cores kept busy on average during the load: by the sender and the stand-in together, and
        // by everything else on the machine (other work sharing it).
        coresBusy: round((ours.cpuMs + ours.receiverCpuMs) / ours.wallMs, 2),
        otherCoresBusy: round(Math.max(0, ours.machineCpuMs - ours.cpuMs - ours.receiverCpuMs) / ours.wallMs, 2),
        baselineWallMs: round(baseWall),
        baselineCpuMs: round(baseCpu),
        senderPeakRssMB: round(ours.peakRssMb),
        receiverPeakRssMB: round(procPeakRssMb(sandbox.pid!)),
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
  console.log(JSON.stringify(await run(process.argv[2] ? Number(process.argv[2]) : undefined), null, 2));
}
