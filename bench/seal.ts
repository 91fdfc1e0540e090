// Benchmark: seal throughput (MB/s) on 1 MB and 10 MB payloads, against a bare node:crypto
// baseline doing the same cryptographic work without any CMS structure (RSA-SHA256 signature
// over the payload + AES-256-CBC encryption of it). Target: seal ≥ 50 % of the baseline.
// The pure node-forge seal is timed once on 1 MB to show why the fast path exists.
import { createCipheriv, randomBytes, sign } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { seal } from '../runtime/transport/cms/index.ts';
import { forgeSeal } from '../runtime/transport/cms/forge-reference.ts';
import { ensureTestPki } from '../runtime/transport/pki/index.ts';
import { timeInterleaved, type Timing } from './_util.ts';

const MB = 1024 * 1024;

const round2 = (x: number) => Math.round(x * 100) / 100;
const mbps = (bytes: number, ms: number) => Math.round((bytes / MB / (ms / 1000)) * 10) / 10;

export async function run(): Promise<Record<string, unknown>> {
  const pki = await ensureTestPki(join(tmpdir(), 'kpr-kit-test-pki-v1'));
  const opts = {
    signer: { certPem: pki.senderSigning.certPem, keyPem: pki.senderSigning.keyPem },
    recipientCertPem: pki.receiverEncryption.certPem,
  };
  const out: Record<string, unknown> = { target: 'seal >= 50% of baseline MB/s (judged on CPU time)' };
  for (const [label, size, runs] of [
    ['1MB', MB, 21],
    ['10MB', 10 * MB, 9],
  ] as const) {
    const payload = randomBytes(size);
    const [baseline, sealed] = timeInterleaved(runs, [
      () => {
        sign('sha256', payload, opts.signer.keyPem);
        const c = createCipheriv('aes-256-cbc', randomBytes(32), randomBytes(16));
        return Buffer.concat([c.update(payload), c.final()]);
      },
      () => seal(payload, opts),
    ]) as [Timing, Timing];
    out[label] = {
      sealMBps: mbps(size, sealed.wall),
      baselineMBps: mbps(size, baseline.wall),
      ratio: round2(baseline.wall / sealed.wall),
      sealCpuMBps: mbps(size, sealed.cpu),
      baselineCpuMBps: mbps(size, baseline.cpu),
      cpuRatio: round2(baseline.cpu / sealed.cpu),
      withinTarget: baseline.cpu / sealed.cpu >= 0.5,
    };
  }
  const payload = randomBytes(MB);
  const t = performance.now();
  forgeSeal(payload, opts);
  out.forgeOnly1MB = { MBps: mbps(MB, performance.now() - t), note: 'pure node-forge, one run' };
  return out;
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  console.log(JSON.stringify(await run(), null, 2));
}
