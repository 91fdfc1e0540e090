// `kpr sandbox` as a vendor starts it: SLASH is served beside the 2021 API, with the scope in
// connection.json, and a data directory from before SLASH still lets its default client send.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect } from 'vitest';
import { runKpr } from '../../helpers/cli.ts';
import { clearDiscoveryCache, HelseIdClient, loadSigningKey } from '../../../runtime/transport/helseid/index.ts';
import { SlashClient } from '../../../runtime/transport/slash/index.ts';
import { tmpDir } from '../fixtures.ts';
import { fhiSlashSample, itFhiSlash } from '../../helpers/reference.ts';
import { PARENT, unitMessage, VENDOR } from './fixtures.ts';

const pkiDir = tmpDir('kpr-pki-');

async function withSandbox(dataDir: string, fn: (url: string, out: string[]) => Promise<void>, extra: string[] = []): Promise<void> {
  const child = spawn(process.execPath, ['bin/kpr.mjs', 'sandbox', '--port', '0', '--data', dataDir, '--pki', pkiDir, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const lines = createInterface({ input: child.stdout! });
    const out: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      lines.on('line', (l) => {
        out.push(l);
        if (l.startsWith('SLASH')) resolve(out[0]!);
      });
      child.once('exit', (code) => reject(new Error(`kpr sandbox exited with ${code}`)));
    });
    await fn(url, out);
  } finally {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }
}

// `kpr sandbox` judges HST_Avtale 1 by the generated validator: FHI's public sample passes it.
// FHI's sample lives beside the repository: the tests that send it skip without it (outside CI).
const sample = () => readFileSync(fhiSlashSample());

async function deliver(url: string, dataDir: string, json: Buffer = sample()) {
  clearDiscoveryCache();
  const conn = JSON.parse(readFileSync(join(dataDir, 'connection.json'), 'utf8'));
  const key = await loadSigningKey(conn.jwkFile);
  const helseid = new HelseIdClient({ authority: url, clientId: conn.clientId, key, dpop: true });
  const client = new SlashClient({ baseUrl: url, helseid, scopes: [conn.slashScope], vendor: VENDOR });
  return client.send({ json, msgType: 'HST_Avtale', msgVersion: '1', parentOrgNr: PARENT });
}

describe('kpr sandbox serves SLASH', () => {
  itFhiSlash('says where, and a SLASH client delivers with what connection.json holds', async () => {
    const dataDir = tmpDir();
    await withSandbox(dataDir, async (url, out) => {
      expect(out.find((l) => l.startsWith('SLASH'))).toBe(
        `SLASH (FHI): GET ${url}/keys, POST ${url}/message   scope: fhi:slash.mottak/all   state: GET ${url}/sandbox/slash/state`,
      );
      expect(await deliver(url, dataDir)).toMatchObject({ outcome: 'delivered' });
      const state = await (await fetch(`${url}/sandbox/slash/state`)).json();
      expect(Object.keys(state.units)).toEqual([String(JSON.parse(sample().toString())[0].orgNr)]);
      // The generated validator, not the structural check: a string orgNr is refused at /0/orgNr.
      const refused = await deliver(url, dataDir, unitMessage());
      expect(refused.outcome === 'refused' && refused.codes.map((c) => c.name)).toEqual(['SchemaValidationFailed']);
      expect(refused.outcome === 'refused' && refused.answer?.errors[0]?.errorDetails).toContain('/0/orgNr');
    });
  });

  itFhiSlash('a data directory made before SLASH: the default client is granted its scope', async () => {
    const dataDir = tmpDir();
    await withSandbox(dataDir, async () => {});
    const clientsFile = join(dataDir, 'clients.json');
    const clients = JSON.parse(readFileSync(clientsFile, 'utf8'));
    writeFileSync(clientsFile, JSON.stringify(clients.map((c: { scopes: string[] }) => ({ ...c, scopes: c.scopes.filter((s) => !s.startsWith('fhi:')) }))));
    await withSandbox(dataDir, async (url) => {
      expect(await deliver(url, dataDir)).toMatchObject({ outcome: 'delivered' });
    });
  });

  itFhiSlash("--slash-faults sets the receiver's faults at start, and a bad one is refused before it listens", async () => {
    const dataDir = tmpDir();
    await withSandbox(
      dataDir,
      async (url) => {
        const r = await deliver(url, dataDir);
        expect(r).toMatchObject({ outcome: 'refused', action: 'stop-unit' });
        expect(r.outcome === 'refused' && r.codes.map((c) => c.name)).toEqual(['SchemaValidationFailed']);
        expect(await deliver(url, dataDir)).toMatchObject({ outcome: 'delivered' });
      },
      ['--slash-faults', '{"answerCode":{"code":2008,"count":1}}'],
    );
    for (const bad of ['{nope', '{"answerCode":{"code":5,"count":1}}']) {
      const r = runKpr(['sandbox', '--port', '0', '--data', tmpDir(), '--pki', pkiDir, '--slash-faults', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--slash-faults');
    }
  });
});
