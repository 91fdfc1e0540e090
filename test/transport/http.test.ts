// The one HTTP request function, against a loopback server: the body goes and comes back byte
// for byte, requests in a row share one kept-alive connection, a redirect is refused, a slow
// answer is a timeout, a dropped connection is a network failure, plain http leaves only to
// loopback.
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { httpRequest, TransportError } from '../../runtime/transport/http.ts';

let server: Server;
let base = '';
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/moved') {
        res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 500);
      } else if (req.url === '/drop') {
        req.socket.destroy();
      } else {
        res.writeHead(201, { 'x-echo-length': String(req.headers['content-length']), 'set-cookie': ['a=1', 'b=2'] });
        res.end(Buffer.concat(chunks));
      }
    });
  });
  server.on('connection', () => connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
});

it('sends the body with its length and returns status, headers and body; requests in a row share one connection', async () => {
  const before = connections;
  const body = 'æøå '.repeat(5000);
  for (let i = 0; i < 3; i++) {
    const res = await httpRequest(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body, timeoutMs: 5000 });
    expect(res.status).toBe(201);
    expect(res.body).toBe(body);
    expect(res.headers.get('x-echo-length')).toBe(String(Buffer.byteLength(body)));
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
  }
  expect(connections - before).toBe(1);
});

it('refuses a redirect, times out a slow answer, and calls a dropped connection a network failure', async () => {
  const moved = await httpRequest(`${base}/moved`, { method: 'GET', timeoutMs: 5000 }).catch((e: unknown) => e);
  expect(moved).toBeInstanceOf(TransportError);
  expect((moved as TransportError).kind).toBe('network');
  expect((moved as TransportError).message).toMatch(/redirect/);

  const slow = await httpRequest(`${base}/slow`, { method: 'GET', timeoutMs: 100 }).catch((e: unknown) => e);
  expect(slow).toBeInstanceOf(TransportError);
  expect((slow as TransportError).kind).toBe('timeout');
  expect((slow as TransportError).message).toBe(`no answer from ${base}/slow within 100 ms`);

  const dropped = await httpRequest(`${base}/drop`, { method: 'POST', body: 'x', timeoutMs: 5000 }).catch((e: unknown) => e);
  expect(dropped).toBeInstanceOf(TransportError);
  expect((dropped as TransportError).kind).toBe('network');
  expect((dropped as TransportError).message).toMatch(/^could not reach /);
});

it('refuses plain http to anything but loopback before connecting', async () => {
  await expect(httpRequest('http://example.org/x', { method: 'GET', timeoutMs: 1000 })).rejects.toThrow(/use https/);
});
