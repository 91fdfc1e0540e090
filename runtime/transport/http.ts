// The one way transport code makes an HTTP request: Node's http(s) with a hard deadline that
// covers headers and body, and errors sorted into "timed out" and "could not talk" so that
// callers can decide what is worth retrying. TLS verification is never switched off; plain
// http is allowed only to loopback (the local sandbox).
import { Agent as HttpAgent, request as nodeHttpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

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

// node:http(s) with keep-alive agents rather than fetch: on loopback, fetch's stream machinery
// cost more CPU per request than the SLASH stand-in's own checks (docs/slash.md, the round trip).
const agents = { 'http:': new HttpAgent({ keepAlive: true }), 'https:': new HttpsAgent({ keepAlive: true }) };

export async function httpRequest(url: string, req: HttpRequest): Promise<HttpResponse> {
  const parsed = assertSafeUrl(url);
  const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
  const headers: Record<string, string> = { ...req.headers };
  if (body !== undefined) headers['content-length'] = String(body.length);
  const send = parsed.protocol === 'https:' ? httpsRequest : nodeHttpRequest;
  return new Promise<HttpResponse>((resolveAnswer, reject) => {
    let timedOut = false;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const fail = (err: Error) =>
      finish(() => {
        if (timedOut) reject(new TransportError(`no answer from ${url} within ${req.timeoutMs} ms`, 'timeout', url, { cause: err }));
        else reject(new TransportError(`could not reach ${url}: ${(err as { code?: string }).code ?? err.message}`, 'network', url, { cause: err }));
      });
    const request = send(parsed, { method: req.method, headers, agent: agents[parsed.protocol as 'http:' | 'https:'] }, (res) => {
      const status = res.statusCode ?? 0;
      // Redirects are refused, as before: a receiver that moves must be configured anew.
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        request.destroy();
        fail(new Error(`redirected to ${res.headers.location} (redirects are refused)`));
        return;
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('aborted', () => fail(new Error('the answer was cut off')));
      res.on('end', () => {
        const h = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        finish(() => resolveAnswer({ status, headers: h, body: Buffer.concat(chunks).toString('utf8') }));
      });
    });
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy(new Error('timeout'));
    }, req.timeoutMs);
    request.on('error', fail);
    request.end(body);
  });
}

/** Parses a JSON body, or returns undefined when it is not JSON. */
export function jsonBody(res: HttpResponse): unknown {
  try {
    return JSON.parse(res.body);
  } catch {
    return undefined;
  }
}
