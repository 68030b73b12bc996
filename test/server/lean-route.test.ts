/**
 * The lean authenticate route (src/server/lean-route.ts) answers what express's router answers, byte
 * for byte: the same requests, sent as raw HTTP to the server (lean route in front) and to the same
 * composition served by express alone, get the same status line, the same headers in the same order
 * (cookies, CORS, CSRF refusals, cache and API-version headers) and the same body, once the values
 * that are random per answer (authIds, session tokens, the date) are set aside — their lengths still
 * compared. Also the same access-log lines.
 */
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ALLOWED = 'https://app.example.com';
let server: TestServer;
let plain: Server;
let plainPort: number;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.includes('"msg":"request"')) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  server = await startTestServer(
    { CAIRN_CORS_ORIGINS: ALLOWED, CAIRN_REALMS: 'alpha', CAIRN_LOG_LEVEL: 'info' },
    { logger: createLogger('info', sink) },
  );
  plain = createServer(server.app);
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  plainPort = (plain.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => plain.close(resolve));
  await server.stop();
});

interface Raw {
  statusLine: string;
  headers: [string, string][];
  body: string;
}

/** Sends `request` as it is and reads the whole answer (the request asks the server to close). */
function raw(port: number, request: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
      const headers = lines.map((l): [string, string] => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]);
      resolve({ statusLine, headers, body: text.slice(split + 4) });
    });
    socket.end(request);
  });
}

interface Req {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

let reqIds = 0;
function requestText({
  method = 'POST',
  path = '/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=SdkDemo',
  headers = {},
  body,
}: Req): {
  text: string;
  id: string;
} {
  const id = `lean-route-${++reqIds}`;
  const all: Record<string, string> = {
    Host: 'localhost',
    'X-Request-Id': id,
    Connection: 'close',
    ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}),
    ...headers,
  };
  return {
    text: `${method} ${path} HTTP/1.1\r\n${Object.entries(all)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}\r\n${body ?? ''}`,
    id,
  };
}

/** The answer with its random values replaced by their lengths: what must be equal on both routes. */
function comparable(r: Raw): unknown {
  const token = (s: string) => s.replace(/[A-Za-z0-9_-]{20,}(\.[A-Za-z0-9_-]*)*/g, (m) => `<${m.length}>`);
  return {
    statusLine: r.statusLine,
    headers: r.headers.map(([k, v]) => [k, k.toLowerCase() === 'date' ? '<date>' : token(v)]),
    body: token(r.body),
  };
}

/** Sends the same request to both routes; expects the same answer and the same access-log line; returns the lean answer. */
async function same(req: Req): Promise<Raw> {
  const a = requestText(req);
  const b = requestText(req);
  const [lean, router] = await Promise.all([
    raw(server.port, a.text.replaceAll(a.id, 'same-request-id')),
    raw(plainPort, b.text.replaceAll(b.id, 'same-request-id')),
  ]);
  expect(comparable(lean)).toEqual(comparable(router));
  const logged = logLines.filter((l) => l.reqId === 'same-request-id').splice(0);
  logLines.splice(0);
  for (const l of logged) {
    delete l.time;
    delete l.ms;
  }
  expect(logged).toHaveLength(2);
  expect(logged[0]).toEqual(logged[1]);
  return lean;
}

/** Runs the same journey on both routes side by side: each gets its own authIds. */
async function sameStep(bodies: (previous: [Raw, Raw]) => [string, string], req: Req, previous: [Raw, Raw]): Promise<[Raw, Raw]> {
  const [leanBody, routerBody] = bodies(previous);
  const a = requestText({ ...req, body: leanBody });
  const b = requestText({ ...req, body: routerBody });
  const [lean, router] = await Promise.all([
    raw(server.port, a.text.replaceAll(a.id, 'same-request-id')),
    raw(plainPort, b.text.replaceAll(b.id, 'same-request-id')),
  ]);
  expect(comparable(lean)).toEqual(comparable(router));
  logLines.splice(0);
  return [lean, router];
}

const filled = (r: Raw, ...values: unknown[]): string => {
  const step = JSON.parse(r.body) as { callbacks: { input: { value: unknown }[] }[] };
  step.callbacks.forEach((c, i) => {
    if (values[i] !== undefined && c.input[0]) c.input[0].value = values[i];
  });
  return JSON.stringify(step);
};

describe('the lean authenticate route answers as the router does', () => {
  it('takes the authenticate requests and leaves the rest to express', async () => {
    const r = await same({ headers: { Origin: ALLOWED }, body: '' });
    expect(r.statusLine).toBe('HTTP/1.1 200 OK');
    expect(r.headers.map(([k]) => k)).toContain('Access-Control-Allow-Origin');
    expect(JSON.parse(r.body)).toMatchObject({ authId: expect.any(String), callbacks: expect.any(Array) });
    // Not taken (other methods and paths): express answers on both.
    expect((await same({ method: 'GET' })).statusLine).toBe('HTTP/1.1 405 Method Not Allowed');
    expect((await same({ method: 'POST', path: '/am/json/realms/root/sessions?_action=validate', body: '{}' })).statusLine).toMatch(/^HTTP\/1.1 /);
    expect((await same({ method: 'POST', path: '/AM/json/realms/root/authenticate', body: '' })).statusLine).toMatch(/^HTTP\/1.1 /);
  });

  it('a journey to its end: steps, a page shown again, success with the session cookie', async () => {
    const path = '/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=SdkDemo';
    let pair = await sameStep(() => ['', ''], { path, headers: { 'X-Forwarded-For': '10.0.0.1' } }, [] as unknown as [Raw, Raw]);
    // A password the policy refuses: the page again.
    pair = await sameStep(([a, b]) => [filled(a, 'lean-user', 'x'), filled(b, 'lean-user', 'x')], { path }, pair);
    expect(pair[0].statusLine).toBe('HTTP/1.1 200 OK');
    pair = await sameStep(([a, b]) => [filled(a, 'lean-user', 'Correct-Horse-9!'), filled(b, 'lean-user', 'Correct-Horse-9!')], { path }, pair);
    const done = await sameStep(([a, b]) => [filled(a, 0), filled(b, 0)], { path, headers: { Origin: ALLOWED } }, pair);
    expect(done[0].statusLine).toBe('HTTP/1.1 200 OK');
    expect(JSON.parse(done[0].body)).toMatchObject({ tokenId: expect.any(String), successUrl: 'https://app.example.com/home' });
    expect(done[0].headers.filter(([k]) => k === 'Set-Cookie').length).toBeGreaterThan(0);
    // The same step again: refused (the step was claimed), the timeout on both.
    const again = await sameStep(([a, b]) => [filled(a, 0), filled(b, 0)], { path }, pair);
    expect(again[0].statusLine).toBe('HTTP/1.1 401 Unauthorized');
  });

  it('failure, with gotoOnFail', async () => {
    const path = '/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=SdkDemo&gotoOnFail=https://app.example.com/failed';
    let pair = await sameStep(() => ['', ''], { path }, [] as unknown as [Raw, Raw]);
    pair = await sameStep(([a, b]) => [filled(a, 'lean-other', 'Correct-Horse-9!'), filled(b, 'lean-other', 'Correct-Horse-9!')], { path }, pair);
    const failed = await sameStep(([a, b]) => [filled(a, 1), filled(b, 1)], { path }, pair);
    expect(failed[0].statusLine).toBe('HTTP/1.1 401 Unauthorized');
    expect(JSON.parse(failed[0].body)).toMatchObject({ code: 401 });
  });

  it('refusals: bad JSON, unknown journey, other realms, CSRF, media type, size, a forged authId', async () => {
    const statuses: string[] = [];
    for (const req of [
      { body: '{"authId": ' },
      { body: '[1, 2]' },
      { body: '"text"' },
      { path: '/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=NoSuchJourney', body: '' },
      { path: '/am/json/realms/root/authenticate?authIndexType=module&authIndexValue=SdkDemo', body: '' },
      { path: '/am/json/realms/root/realms/alpha/authenticate?authIndexType=service&authIndexValue=NoSuchJourney', body: '' },
      { path: '/am/json/realms/root/realms/beta/authenticate', body: '' },
      { path: '/am/json/authenticate/?realm=/nowhere', body: '' },
      { body: '{}', headers: { 'Content-Type': 'text/plain' } },
      { body: 'a=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Requested-With': 'forgerock-sdk' } },
      { body: JSON.stringify({ padding: 'x'.repeat(70_000) }) },
      { body: JSON.stringify({ authId: 'eyJhbGciOiJIUzI1NiJ9.e30.c2ln', callbacks: [] }) },
      { body: JSON.stringify({ callbacks: [] }) },
      { body: '{}', headers: { 'Content-Type': 'application/json; charset=latin-7' } },
    ]) {
      statuses.push((await same(req)).statusLine);
    }
    expect(statuses.every((s) => /^HTTP\/1.1 (4\d\d|200) /.test(s))).toBe(true);
    expect(statuses).toContain('HTTP/1.1 403 Forbidden');
    expect(statuses).toContain('HTTP/1.1 415 Unsupported Media Type');
  });

  it('CORS preflights, allowed and refused', async () => {
    const preflight = (origin: string) => ({
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect((await same(preflight(ALLOWED))).statusLine).toBe('HTTP/1.1 204 No Content');
    expect((await same(preflight('https://evil.example'))).statusLine).toBe('HTTP/1.1 403 Forbidden');
    expect((await same({ method: 'OPTIONS' })).statusLine).toBe('HTTP/1.1 405 Method Not Allowed');
  });
});
