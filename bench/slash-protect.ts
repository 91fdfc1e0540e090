// Benchmark: SLASH protection (runtime/transport/slash/protect.ts) of a 2 MB JSON message, the
// most FHI asks per request, against a bare node:crypto baseline doing the same work in the
// same run (SHA-256 of the bytes, a fresh key and IV, AES-256-CBC, RSA-OAEP-256 of the key,
// base64 of the body and base64url of the wrapped key, with Node's own encoders). Target:
// protect ≥ 0.8 of the baseline, judged on CPU time.
import { constants, createCipheriv, createHash, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { protect } from '../runtime/transport/slash/protect.ts';
import { round, timeInterleaved, type Timing } from './_util.ts';

const MB = 1024 * 1024;
const SIZE = 2 * MB;

/** A JSON array of unit objects of about `bytes` bytes, appointment-like, deterministic. */
function message(bytes: number): Buffer {
  const units: unknown[] = [];
  let i = 0;
  let size = 2;
  while (size < bytes) {
    const a = {
      avtaleId: `A${String(i).padStart(10, '0')}`,
      datoTid: `2024-05-${String((i % 28) + 1).padStart(2, '0')}T10:00:00+02:00`,
      konsultasjonType: 'PQ',
      oppmoteStatus: i % 3,
      avdeling: { lokalenhetId: `U${i % 17}` },
    };
    const unit = { orgNr: 999999905 + (i % 2) * 8, kommuneNr: 3253, avtale: [a] };
    size += JSON.stringify(unit).length + 1;
    units.push(unit);
    i++;
  }
  return Buffer.from(JSON.stringify(units), 'utf8');
}

export async function run(): Promise<Record<string, unknown>> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const json = message(SIZE);
  const key = { id: 'bench', publicKey };
  const [baseline, ours] = timeInterleaved(31, [
    () => {
      const hash = createHash('sha256').update(json).digest('base64url');
      const symKey = randomBytes(32);
      const iv = randomBytes(16);
      const c = createCipheriv('aes-256-cbc', symKey, iv);
      const body = Buffer.concat([iv, c.update(json), c.final()]).toString('base64');
      const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, symKey).toString('base64url');
      return [hash, body, wrapped];
    },
    () => protect(json, key),
  ]) as [Timing, Timing];
  const mbps = (ms: number) => round(json.length / MB / (ms / 1000), 1);
  return {
    target: 'protect >= 0.8 of the bare node:crypto baseline (CPU time)',
    bytes: json.length,
    protectMBps: mbps(ours.wall),
    baselineMBps: mbps(baseline.wall),
    ratio: round(baseline.wall / ours.wall, 2),
    protectCpuMBps: mbps(ours.cpu),
    baselineCpuMBps: mbps(baseline.cpu),
    cpuRatio: round(baseline.cpu / ours.cpu, 2),
    withinTarget: baseline.cpu / ours.cpu >= 0.8,
    peakRssMB: round(process.resourceUsage().maxRSS / 1024, 0),
  };
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  console.log(JSON.stringify(await run(), null, 2));
}
