// The receiver's public keys (`GET {base}/keys`): the one with the latest expiry is used and
// kept until it expires or the receiver says it is unknown (1004) or expired (1007). A list that
// is empty, malformed or holds only expired keys is an error an operator can act on, never a
// silent fallback.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { httpRequest, jsonBody, TransportError } from '../http.ts';

/** One entry of `/keys`, as FHI's sender reads it. */
export interface SlashKey {
  id: string;
  /** As the receiver wrote it. */
  expirationDate: string;
  /** Epoch ms of `expirationDate`. */
  expiresAt: number;
  publicKeyPem: string;
  publicKey: KeyObject;
}

export type SlashKeyErrorCode = 'keys-unreachable' | 'keys-http' | 'keys-malformed' | 'keys-empty' | 'keys-expired';

const ADVICE: Record<SlashKeyErrorCode, string> = {
  'keys-unreachable': 'check the SLASH base URL and the network path to it (QA and prod are on Helsenett)',
  'keys-http': 'check the SLASH base URL; the receiver may be down: try again later',
  'keys-malformed': 'the receiver answered something that is not a key list: check the base URL points at SLASH API Mottak',
  'keys-empty': 'the receiver publishes no key: nothing can be encrypted for it; tell FHI',
  'keys-expired': "every key the receiver publishes has expired: check this machine's clock, then tell FHI",
};

export class SlashKeyError extends Error {
  constructor(
    readonly code: SlashKeyErrorCode,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`SLASH keys ${code}: ${detail}; ${ADVICE[code]}`, options);
    this.name = 'SlashKeyError';
  }

  /** The receiver may answer better later; the rest need a person. */
  get retryable(): boolean {
    return this.code === 'keys-unreachable' || this.code === 'keys-http';
  }
}

/**
 * `expirationDate` is a .NET DateTime in FHI's sender; one written without a zone is read as UTC
 * (inferred: JavaScript would read it as local time).
 */
export function parseExpiration(text: string): number {
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`;
  return /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(zoned) : NaN;
}

/** Reads a `/keys` answer and picks the key with the latest expiry that is still valid at `now`. */
export function chooseKey(list: unknown, where: string, now = Date.now()): SlashKey {
  if (!Array.isArray(list)) throw new SlashKeyError('keys-malformed', `${where} is not a JSON array`);
  if (list.length === 0) throw new SlashKeyError('keys-empty', `${where} is an empty list`);
  const keys: SlashKey[] = list.map((entry, i) => readEntry(entry, `${where}[${i}]`));
  keys.sort((a, b) => b.expiresAt - a.expiresAt);
  const best = keys[0]!;
  if (best.expiresAt <= now) {
    throw new SlashKeyError('keys-expired', `${where}: the latest key (${best.id}) expired ${best.expirationDate}`);
  }
  return best;
}

function readEntry(entry: unknown, where: string): SlashKey {
  const e = entry as Record<string, unknown> | null;
  if (!e || typeof e !== 'object' || Array.isArray(e)) throw new SlashKeyError('keys-malformed', `${where} is not an object`);
  for (const name of ['id', 'expirationDate', 'publicKey'] as const) {
    if (typeof e[name] !== 'string' || !e[name]) throw new SlashKeyError('keys-malformed', `${where}.${name} is missing or not a string`);
  }
  const expiresAt = parseExpiration(e.expirationDate as string);
  if (Number.isNaN(expiresAt)) throw new SlashKeyError('keys-malformed', `${where}.expirationDate ${JSON.stringify(e.expirationDate)} is not a date-time`);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(e.publicKey as string);
  } catch {
    throw new SlashKeyError('keys-malformed', `${where}.publicKey is not a PEM public key`);
  }
  if (publicKey.asymmetricKeyType !== 'rsa') throw new SlashKeyError('keys-malformed', `${where}.publicKey is ${publicKey.asymmetricKeyType}, not RSA`);
  return { id: e.id as string, expirationDate: e.expirationDate as string, expiresAt, publicKeyPem: e.publicKey as string, publicKey };
}

export interface SlashKeysOptions {
  baseUrl: string;
  timeoutMs?: number;
  now?: () => number;
}

/** Fetches, caches and refreshes the receiver's key; concurrent callers share one fetch. */
export class SlashKeys {
  private cached: SlashKey | undefined;
  private inFlight: Promise<SlashKey> | undefined;
  /** `/keys` requests made (tests and benchmarks). */
  fetches = 0;

  constructor(private readonly options: SlashKeysOptions) {}

  get url(): string {
    return `${this.options.baseUrl.replace(/\/+$/, '')}/keys`;
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** The cached key while it is valid, else a fresh one. */
  current(): Promise<SlashKey> {
    if (this.cached && this.cached.expiresAt > this.now()) return Promise.resolve(this.cached);
    return this.refresh();
  }

  /** Forgets the cached key and fetches the list again (after 1004 or 1007). */
  refresh(): Promise<SlashKey> {
    this.cached = undefined;
    this.inFlight ??= this.fetch().then(
      (key) => {
        this.cached = key;
        this.inFlight = undefined;
        return key;
      },
      (err) => {
        this.inFlight = undefined;
        throw err;
      },
    );
    return this.inFlight;
  }

  private async fetch(): Promise<SlashKey> {
    this.fetches++;
    let res: Awaited<ReturnType<typeof httpRequest>>;
    try {
      res = await httpRequest(this.url, { method: 'GET', headers: { accept: 'application/json' }, timeoutMs: this.options.timeoutMs ?? 10_000 });
    } catch (err) {
      if (err instanceof TransportError) throw new SlashKeyError('keys-unreachable', err.message, { cause: err });
      throw err;
    }
    if (res.status !== 200) throw new SlashKeyError('keys-http', `GET ${this.url} answered HTTP ${res.status}`);
    const list = jsonBody(res);
    if (list === undefined) throw new SlashKeyError('keys-malformed', `GET ${this.url} answered a body that is not JSON`);
    return chooseKey(list, `GET ${this.url}`, this.now());
  }
}
