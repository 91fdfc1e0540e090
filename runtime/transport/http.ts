// The one way transport code makes an HTTP request: Node's fetch with a hard deadline that
// covers headers and body, and errors sorted into "timed out" and "could not talk" so that
// callers can decide what is worth retrying. TLS verification is never switched off; plain
// http is allowed only to loopback (the local sandbox).

/** Why a request produced no HTTP response. */
export type TransportFailure = 'timeout' | 'network';

export class TransportError extends Error {
  constructor(
    message: string,
    readonly kind: TransportFailure,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: string;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Deadline for the whole exchange, body included. */
  timeoutMs: number;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Throws unless the URL is https, or http to a loopback host. */
export function assertSafeUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`not a valid URL: ${url}`);
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname)) return parsed;
  throw new Error(`refusing ${parsed.protocol}//${parsed.host}: use https (plain http only to loopback)`);
}

export async function httpRequest(url: string, req: HttpRequest): Promise<HttpResponse> {
  assertSafeUrl(url);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), req.timeoutMs);
  try {
    const res = await fetch(url, {
      method: req.method,
      headers: req.headers,
      // A Buffer is a Uint8Array, which fetch takes; the DOM typings want an ArrayBuffer-backed one.
      body: req.body as BodyInit | undefined,
      signal: controller.signal,
      redirect: 'error',
    });
    const body = await res.text();
    return { status: res.status, headers: res.headers, body };
  } catch (err) {
    if (controller.signal.aborted) {
      throw new TransportError(`no answer from ${url} within ${req.timeoutMs} ms`, 'timeout', url, { cause: err });
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (err as Error).message;
    throw new TransportError(`could not reach ${url}: ${detail}`, 'network', url, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** Parses a JSON body, or returns undefined when it is not JSON. */
export function jsonBody(res: HttpResponse): unknown {
  try {
    return JSON.parse(res.body);
  } catch {
    return undefined;
  }
}
