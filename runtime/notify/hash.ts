// Content hash of a mapped Konsultasjon: SHA-256 over a canonical JSON form (keys sorted), so
// the same content hashes the same whatever order the mapping produced its keys in. 128 bits
// in hex are kept: enough to never mistake a change for "unchanged".
import { createHash } from 'node:crypto';

export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v as Record<string, unknown>)
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function contentHash(konsultasjon: unknown): string {
  return createHash('sha256').update(canonicalJson(konsultasjon)).digest('hex').slice(0, 32);
}
