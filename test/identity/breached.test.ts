/**
 * Breached-password range check (RST-34) against a real HTTP server on 127.0.0.1 that records every request:
 * only the 5-character SHA-1 prefix is sent, with Add-Padding; a hit fails the policy; a dead, slow or failing
 * endpoint fails open or closed as configured.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createBreachChecker } from '../../src/identity/breached.js';
import { createPolicyService, loadCommonPasswords } from '../../src/identity/policy.js';
import { loadManagedSchema } from '../../src/identity/schema.js';

const BREACHED = 'Tr0ub4dour&3 horse';
const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex').toUpperCase();

interface Recorded {
  url: string;
  headers: IncomingHttpHeaders;
}

/** Answers /range/<prefix> like the Pwned Passwords API: the breached password's suffix plus padding lines. */
function rangeServer(mode: { status?: number; hang?: boolean } = {}) {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    if (mode.hang) return; // never answers
    if (mode.status !== undefined) {
      res.writeHead(mode.status).end('nope');
      return;
    }
    const prefix = /^\/range\/([0-9A-F]{5})$/.exec(req.url ?? '')?.[1];
    if (prefix === undefined) {
      res.writeHead(400).end();
      return;
    }
    const lines = ['0018A45C4D1DEF81644B54AB7F969B88D65:1', '00D4F6E8FA6EECAD2A3AA415EEC418D38EC:2', 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0'];
    const target = sha1(BREACHED);
    if (target.startsWith(prefix)) lines.splice(1, 0, `${target.slice(5)}:4242`);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(lines.join('\r\n'));
  });
  return { server, requests };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** An address nothing listens on: a port just released by a server we opened and closed. */
async function deadEndpoint(): Promise<string> {
  const server = createServer();
  const url = await listen(server);
  await close(server);
  return url;
}

describe('breached-password checker', () => {
  const { server, requests } = rangeServer();
  let endpoint: string;
  beforeAll(async () => {
    endpoint = await listen(server);
  });
  afterAll(async () => {
    await close(server);
  });

  it('sends only the 5-character prefix, with Add-Padding, and finds the breached suffix', async () => {
    const checker = createBreachChecker({ endpoint });
    const before = requests.length;
    expect(await checker.check(BREACHED)).toEqual({ status: 'breached', count: 4242 });
    const sent = requests.slice(before);
    expect(sent).toHaveLength(1);
    const hash = sha1(BREACHED);
    expect(sent[0]?.url).toBe(`/range/${hash.slice(0, 5)}`);
    expect(sent[0]?.headers['add-padding']).toBe('true');
    const everything = JSON.stringify(sent);
    expect(everything).not.toContain(hash.slice(5, 15));
    expect(everything).not.toContain(hash.slice(5, 15).toLowerCase());
    expect(everything).not.toContain(BREACHED);
  });

  it('reports clean when the suffix is absent (padding lines with count 0 never match)', async () => {
    const checker = createBreachChecker({ endpoint: `${endpoint}/` });
    expect(await checker.check('an unbreached passphrase of mine')).toEqual({ status: 'clean' });
    expect(requests.at(-1)?.url).toMatch(/^\/range\/[0-9A-F]{5}$/);
  });

  it('counts below minCount as clean', async () => {
    expect(await createBreachChecker({ endpoint, minCount: 5_000 }).check(BREACHED)).toEqual({ status: 'clean' });
  });

  it('rejects a bad endpoint configuration', () => {
    expect(() => createBreachChecker({ endpoint: 'ftp://example.com' })).toThrow(/http/);
    expect(() => createBreachChecker({ endpoint: 'not a url' })).toThrow(/not a URL/);
    expect(() => createBreachChecker({ endpoint, timeoutMs: 0 })).toThrow(/timeoutMs/);
  });
});

describe('breached-password failures', () => {
  it('a dead endpoint is unavailable', async () => {
    expect(await createBreachChecker({ endpoint: await deadEndpoint() }).check(BREACHED)).toEqual({ status: 'unavailable' });
  });

  it('a server error and a hung server are unavailable (the latter after the timeout)', async () => {
    const failing = rangeServer({ status: 503 });
    const hanging = rangeServer({ hang: true });
    const failingUrl = await listen(failing.server);
    const hangingUrl = await listen(hanging.server);
    try {
      expect(await createBreachChecker({ endpoint: failingUrl }).check(BREACHED)).toEqual({ status: 'unavailable' });
      // Without the timeout this call would never return (the server never answers).
      expect(await createBreachChecker({ endpoint: hangingUrl, timeoutMs: 200 }).check(BREACHED)).toEqual({ status: 'unavailable' });
      expect(hanging.requests).toHaveLength(1);
    } finally {
      await close(failing.server);
      await close(hanging.server);
    }
  });
});

describe('CANNOT_BE_BREACHED policy', () => {
  const { server } = rangeServer();
  let endpoint: string;
  beforeAll(async () => {
    endpoint = await listen(server);
  });
  afterAll(async () => {
    await close(server);
  });

  const service = async (checkerEndpoint: string, failClosed: boolean) =>
    createPolicyService({
      schema: await loadManagedSchema(),
      commonPasswords: await loadCommonPasswords(),
      passwordPolicy: { rejectBreached: true },
      breachChecker: createBreachChecker({ endpoint: checkerEndpoint, failClosed }),
    });
  const ctx = { attributes: {} };

  it('fails a breached password and passes a clean one', async () => {
    const policy = await service(endpoint, false);
    expect(await policy.check('managed/user', 'password', BREACHED, ctx)).toEqual([{ policyRequirement: 'CANNOT_BE_BREACHED' }]);
    expect(await policy.check('managed/user', 'password', 'an unbreached passphrase of mine', ctx)).toEqual([]);
    expect((policy.describe('managed/user', 'password') as { policyRequirements: string[] }).policyRequirements).toContain('CANNOT_BE_BREACHED');
  });

  it('fails open or closed on a dead endpoint, as configured', async () => {
    const dead = await deadEndpoint();
    expect(await (await service(dead, false)).check('managed/user', 'password', 'an unbreached passphrase of mine', ctx)).toEqual([]);
    expect(await (await service(dead, true)).check('managed/user', 'password', 'an unbreached passphrase of mine', ctx)).toEqual([
      { policyRequirement: 'CANNOT_BE_BREACHED', params: { checkUnavailable: true } },
    ]);
  });
});
