// The sandbox's data directory: its token-signing key, the registered HelseID clients (and a
// ready-made client key for local use), the signing certificates registered per sender HER-id,
// and sandbox.db with what was accepted. Keys are made on first use, never committed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { publicPart } from '../transport/helseid/keys.ts';
import type { RegisteredClient } from './helseid-stand-in.ts';
import { makePrivateDir, writePrivateFile } from '../io/private.ts';

export const DEFAULT_CLIENT_ID = 'kpr-kit-sandbox-client';

export interface DataDirFiles {
  dir: string;
  signingJwkFile: string;
  clientJwkFile: string;
  clientsFile: string;
  sendersFile: string;
  pkiDir: string;
}

export function dataDirFiles(dir: string): DataDirFiles {
  return {
    dir,
    signingJwkFile: join(dir, 'sandbox-signing.jwk.json'),
    clientJwkFile: join(dir, 'client.jwk.json'),
    clientsFile: join(dir, 'clients.json'),
    sendersFile: join(dir, 'senders.json'),
    pkiDir: join(dir, 'pki'),
  };
}

async function newJwk(alg: 'RS256' | 'ES256', kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), alg, kid, use: 'sig' };
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Makes what is missing; returns the sandbox's signing JWK and the registered clients. */
export async function prepareDataDir(files: DataDirFiles, scopes: string[]): Promise<{ signingJwk: JWK; clients: RegisteredClient[] }> {
  makePrivateDir(files.dir);
  if (!existsSync(files.signingJwkFile)) {
    writePrivateFile(files.signingJwkFile, JSON.stringify(await newJwk('RS256', 'sandbox-sts-1'), null, 2));
  }
  if (!existsSync(files.clientJwkFile)) {
    writePrivateFile(files.clientJwkFile, JSON.stringify(await newJwk('ES256', 'sandbox-client-1'), null, 2));
  }
  if (!existsSync(files.clientsFile)) {
    const clientJwk = readJson<JWK>(files.clientJwkFile);
    const clients: RegisteredClient[] = [{ client_id: DEFAULT_CLIENT_ID, jwk: publicPart(clientJwk), scopes }];
    writePrivateFile(files.clientsFile, JSON.stringify(clients, null, 2));
  }
  return { signingJwk: readJson<JWK>(files.signingJwkFile), clients: readJson<RegisteredClient[]>(files.clientsFile) };
}

export function saveClients(files: DataDirFiles, clients: RegisteredClient[]): void {
  writePrivateFile(files.clientsFile, JSON.stringify(clients, null, 2));
}

/** herId → PEM certificates registered as that sender's signing certificates. */
export type SenderRegistry = Record<string, string[]>;

export function readSenders(files: DataDirFiles): SenderRegistry {
  return existsSync(files.sendersFile) ? readJson<SenderRegistry>(files.sendersFile) : {};
}

export function saveSenders(files: DataDirFiles, senders: SenderRegistry): void {
  writePrivateFile(files.sendersFile, JSON.stringify(senders, null, 2));
}
