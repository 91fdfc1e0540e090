// HelseID per tenant: the tenants file's checks (a tenant on the vendor's client must name its
// organisation; two tenants must not act as one organisation through one client), and the
// process's token cache that clients built anew for each job share: a token per tenant, kept
// across jobs until it is due for renewal, then fetched anew.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../runtime/sandbox/index.ts';
import { loadTenants, TenantsError } from '../../runtime/tenants/load.ts';
import { clearDiscoveryCache, HelseIdClient, loadSigningKey, ORG_PARENT_CLAIM, ORG_SUPPLIER_CLAIM, TokenCache } from '../../runtime/transport/helseid/index.ts';
import { HST_SCOPE, startTestSandbox, tmpDir } from '../sandbox/fixtures.ts';

const CONTACTS = `[{ kontPerson: K, meldEpost1: k@example.invalid, typeKontaktperson: "1" }, { kontPerson: K, meldEpost1: k@example.invalid, typeKontaktperson: "15" }]`;

function setup(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kpr-tenants-helseid-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  writeFileSync(join(dir, 'vendor.jwk.json'), '{}');
  return dir;
}

function problems(dir: string): string[] {
  try {
    loadTenants(join(dir, 'tenants.yaml'));
  } catch (err) {
    if (!(err instanceof TenantsError)) throw err;
    return err.diagnostics.map((d) => `${d.file.slice(dir.length + 1)}:${d.line}:${d.col} ${d.id} ${d.message}`);
  }
  return [];
}

const head = `store: { kind: sqlite }
defaults:
  profile: sandbox
  epj: { leverandor: Test AS, navnEPJ: TestEPJ, versjonEPJ: "1.0" }
  message: { spec: hst@56.0.0 }
  source: { type: folder, path: . }
  helseid: { clientId: vendor, jwkFile: vendor.jwk.json, scopes: [s] }
tenants:
`;
const tenant = (id: string, kommune: string, helseid?: string) =>
  `  - id: ${id}\n    sender: { herId: 1, orgNr: "974770000", Kommune: [{ kommuneNr: "${kommune}" }], Kontaktperson: ${CONTACTS} }\n${helseid ? `    helseid: ${helseid}\n` : ''}`;

describe('HelseID in the tenants file', () => {
  it("the vendor's client with each tenant's organisation, or a tenant's own client", () => {
    const dir = setup({
      'tenants.yaml': `${head}${tenant('a', '0301', '{ orgNumbers: { parent: "974770000" } }')}${tenant('b', '4601', '{ orgNumbers: { parent: "964338531" } }')}${tenant(
        'c',
        '5001',
        '{ clientId: own-c, jwkFile: c.jwk.json, scopes: [s] }',
      )}`,
      'c.jwk.json': '{}',
    });
    const cfg = loadTenants(join(dir, 'tenants.yaml'));
    expect(cfg.tenants.map((t) => [t.id, t.config.helseid?.clientId, t.config.helseid?.orgNumbers?.parent, t.config.helseid?.jwkFile])).toEqual([
      ['a', 'vendor', '974770000', join(dir, 'vendor.jwk.json')],
      ['b', 'vendor', '964338531', join(dir, 'vendor.jwk.json')],
      ['c', 'own-c', undefined, join(dir, 'c.jwk.json')],
    ]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('TEN3002: a tenant on the vendor client without its organisation; TEN2004: two tenants as one organisation', () => {
    const dir = setup({
      'tenants.yaml': `${head}${tenant('a', '0301')}${tenant('b', '4601', '{ orgNumbers: { parent: "964338531" } }')}${tenant('c', '5001', '{ orgNumbers: { parent: "964338531" } }')}`,
    });
    expect(problems(dir)).toEqual([
      "tenants.yaml:9:5 TEN3002 tenant a uses the vendor's HelseID client vendor (defaults.helseid) without naming its organisation: set helseid.orgNumbers.parent to the tenant's 9-digit organisation number",
      'tenants.yaml:16:38 TEN2004 tenants b and c act as organisation 964338531 through HelseID client vendor: they would share one token',
    ]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("the process's token cache, shared by the clients of many jobs", () => {
  let pkiDir: string;
  let sb: Sandbox;
  beforeAll(async () => {
    pkiDir = tmpDir('kpr-pki-');
    sb = await startTestSandbox(pkiDir);
  });
  afterAll(async () => {
    await sb?.close();
    rmSync(pkiDir, { recursive: true, force: true });
  });

  const jobClient = async (cache: TokenCache) => {
    const key = await loadSigningKey(sb.files.clientJwkFile);
    return new HelseIdClient({ authority: sb.url, clientId: sb.clientId, key, dpop: true, cache });
  };

  it('one token per tenant across jobs, each naming its organisation; renewed once due', async () => {
    clearDiscoveryCache();
    const cache = new TokenCache();
    const issued = () => (sb.stats() as { tokensIssued: number }).tokensIssued;
    const before = issued();
    const oslo = { scopes: [HST_SCOPE], org: { parent: '974770000' } };
    const bergen = { scopes: [HST_SCOPE], org: { parent: '964338531' } };
    // Three jobs, each with a client of its own, alternating between two tenants.
    const t1 = await (await jobClient(cache)).getToken(oslo);
    const t2 = await (await jobClient(cache)).getToken(bergen);
    const t3 = await (await jobClient(cache)).getToken(oslo);
    expect(issued() - before).toBe(2);
    expect(t3.accessToken).toBe(t1.accessToken);
    expect(t2.accessToken).not.toBe(t1.accessToken);
    expect(decodeJwt(t1.accessToken)[ORG_PARENT_CLAIM]).toBe('974770000');
    expect(decodeJwt(t2.accessToken)[ORG_PARENT_CLAIM]).toBe('964338531');
    expect(decodeJwt(t2.accessToken)[ORG_SUPPLIER_CLAIM]).toMatch(/^\d{9}$/);
    // Another cache (another process) does not see them.
    await (await jobClient(new TokenCache())).getToken(oslo);
    expect(issued() - before).toBe(3);

    sb.applyFaults({ tokenLifetimeSec: 1 });
    try {
      const short = await (await jobClient(cache)).getToken({ scopes: [HST_SCOPE], org: { parent: '938587051' } });
      expect(issued() - before).toBe(4);
      await new Promise((r) => setTimeout(r, 600));
      const renewed = await (await jobClient(cache)).getToken({ scopes: [HST_SCOPE], org: { parent: '938587051' } });
      expect(renewed.accessToken).not.toBe(short.accessToken);
      expect(issued() - before).toBe(5);
    } finally {
      sb.applyFaults({ tokenLifetimeSec: 300 });
    }
  });
});
