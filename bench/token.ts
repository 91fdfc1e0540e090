// Benchmark: token requests per cache key under load. 100 concurrent sends (two tenants, so
// two cache keys) against the in-process sandbox, in two waves: one with a cold cache, one
// right after the sandbox has made every token expire (all 100 meet a 401 at once). Each wave
// fits in one token lifetime; the target is at most one token request per cache key per wave.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startSandbox } from '../runtime/sandbox/index.ts';
import { seal } from '../runtime/transport/cms/index.ts';
import { HelseIdClient, loadSigningKey } from '../runtime/transport/helseid/index.ts';
import { KprClient } from '../runtime/transport/kpr-client/index.ts';

const SENDS = 100;
const LIFETIME_SEC = 300;
const SCOPE = 'hdir:kneik/hst/submit';
const TENANTS = ['999999905', '999999913'];

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'kpr-bench-token-'));
  const sb = await startSandbox({ dataDir: dir, tokenLifetimeSec: LIFETIME_SEC });
  try {
    const key = await loadSigningKey(sb.files.clientJwkFile);
    const helseid = new HelseIdClient({ authority: sb.url, clientId: sb.clientId, key, dpop: true });
    const clients = TENANTS.map((parent) => new KprClient({ baseUrl: sb.url, helseid, token: { scopes: [SCOPE], org: { parent } }, retry: { maxAttempts: 1 } }));
    // An empty Melding passes any chain, so every send can be accepted whatever the order.
    const xml = Buffer.from('<Melding xmlns="http://www.npr.no/xmlstds/56_0_0_hst" versjon="56.0.0"/>');
    const payload = seal(xml, { signer: sb.pki.sender, recipientCertPem: sb.pki.receiver.certPem });
    const parts = { fromHerId: Number(sb.senderHerId), toHerId: Number(sb.receiverHerId), messageType: 'HST', messageVersion: '56.0.0', payload };

    const waves: Array<Record<string, unknown>> = [];
    for (let wave = 0; wave < 2; wave++) {
      if (wave > 0) sb.applyFaults({ expireTokens: true });
      const before = { ...(sb.stats().tokensIssuedByKey as Record<string, number>) };
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: SENDS }, (_, i) => clients[i % clients.length]!.send(parts)));
      const ms = performance.now() - started;
      const after = sb.stats().tokensIssuedByKey as Record<string, number>;
      const perKey: Record<string, number> = {};
      for (const [k, n] of Object.entries(after)) if (n - (before[k] ?? 0) > 0) perKey[k] = n - (before[k] ?? 0);
      waves.push({
        wave: wave === 0 ? 'cold cache' : 'after every token expired',
        sends: SENDS,
        accepted: results.filter((r) => r.outcome === 'accepted').length,
        tokenRequestsPerKey: perKey,
        maxTokenRequestsPerKey: Math.max(0, ...Object.values(perKey)),
        elapsedMs: Math.round(ms),
        sendsPerSec: Math.round((SENDS / ms) * 1000),
      });
    }
    const worst = Math.max(...waves.map((w) => w.maxTokenRequestsPerKey as number));
    return { tokenLifetimeSec: LIFETIME_SEC, cacheKeys: TENANTS.length, waves, maxTokenRequestsPerKeyPerLifetime: worst, target: 1, withinTarget: worst <= 1 };
  } finally {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await run(), null, 2));
}
