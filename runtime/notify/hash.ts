// Content hash of a mapped Konsultasjon: SHA-256 of its JSON text, 128 bits in hex (enough to
// never mistake a change for "unchanged"). The text is the one stored and sent, so hashing it
// costs one pass. Key order comes from the mapping, which is deterministic: the same content
// gives the same text. (A mapping change that reorders keys can at most turn a version that
// changed anyway into an M; unchanged records are never read twice.)
import { hash } from 'node:crypto';

export function hashJson(json: string): string {
  // The one-shot hash: no Hash object per record.
  return hash('sha256', json, 'hex').slice(0, 32);
}

export function contentHash(konsultasjon: unknown): string {
  return hashJson(JSON.stringify(konsultasjon));
}
