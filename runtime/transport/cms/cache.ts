// Parsed certificates and keys, remembered by their PEM text: a sender seals many messages
// with the same pair, and parsing plus the key/certificate match check cost more than sealing
// a small payload. Small and bounded; holds nothing the caller does not already hold.
import type { KeyObject } from 'node:crypto';
import { certFromPem, keyMatchesCert, privateKeyFromPem, type CertInfo } from './pem.ts';

const LIMIT = 16;

function remember<V>(map: Map<string, V>, key: string, make: () => V): V {
  const hit = map.get(key);
  if (hit !== undefined) return hit;
  const value = make();
  if (map.size >= LIMIT) map.delete(map.keys().next().value as string);
  map.set(key, value);
  return value;
}

const certs = new Map<string, CertInfo>();
const keys = new Map<string, KeyObject>();
const matches = new Map<string, boolean>();

export const cachedCert = (pem: string): CertInfo => remember(certs, pem, () => certFromPem(pem));
export const cachedKey = (pem: string): KeyObject => remember(keys, pem, () => privateKeyFromPem(pem));
export const cachedKeyMatches = (keyPem: string, certPem: string): boolean =>
  remember(matches, `${keyPem}\u0000${certPem}`, () => keyMatchesCert(cachedKey(keyPem), cachedCert(certPem)));
