/**
 * Journeys with Scripted Decision nodes of both engines, driven by the official ForgeRock SDK against
 * a real Cairn on loopback: callbacks built by a script and read back on the next step, a branch on
 * shared state, the user read and patched through openidm / idRepository, an allow-listed HTTP peer
 * called and another refused, a script inside a Page Node, and hostile scripts failing only their own
 * journey while another journey keeps answering.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asFailure, asStep, asSuccess, createSdkClient, sdk, type Sdk } from '../support/forgerock-sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';

const { CallbackType } = sdk;
const JOURNEYS = join(import.meta.dirname, '..', 'fixtures', 'script-journeys');
const ADMIN_TOKEN = 'scripts-admin-token-0123456789abcdefghijkl';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

async function listen(
  handler: (req: IncomingMessage, body: string) => { status: number; json: unknown },
): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const answer = handler(req, body);
      res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

let server: TestServer;
let peer: Awaited<ReturnType<typeof listen>>;
let blocked: Awaited<ReturnType<typeof listen>>;
const audit: Record<string, unknown>[] = [];
let userId: string;

beforeAll(async () => {
  peer = await listen(() => ({ status: 200, json: { tier: 'gold' } }));
  blocked = await listen(() => ({ status: 200, json: { tier: 'stolen' } }));
  server = await startTestServer(
    {
      CAIRN_JOURNEYS_DIR: JOURNEYS,
      CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
      CAIRN_SCRIPT_HTTP_ALLOWLIST: `${peer.url}/tier`,
      // Generous for the well-behaved scripts on a busy test machine; the hostile loop never ends anyway.
      CAIRN_SCRIPT_CPU_MS: '4000',
    },
    {
      env: { ESV_PEER_URL: peer.url, ESV_BLOCKED_URL: `${blocked.url}/tier`, SECRET_NOT_EXPOSED: 'x' },
      audit: (line) => audit.push(JSON.parse(line)),
    },
  );
  const res = await fetch(`${server.url}/openidm/managed/user?_action=create`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      userName: 'bjensen',
      mail: 'bjensen@example.com',
      givenName: 'Barbara',
      sn: 'Jensen',
      password: 'correct horse battery staple',
    }),
  });
  expect(res.status).toBe(201);
  userId = ((await res.json()) as { _id: string })._id;
});
afterAll(async () => {
  await server?.stop();
  peer?.server.close();
  blocked?.server.close();
});

const client = (tree: string) => createSdkClient({ baseUrl: server.amUrl, tree, timeout: 20_000 });

async function readUser(): Promise<Record<string, unknown>> {
  const res = await fetch(`${server.url}/openidm/managed/user/${userId}`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
  return (await res.json()) as Record<string, unknown>;
}

async function signIn(tree: string, role: 'user' | 'admin'): Promise<Sdk.FRLoginSuccess> {
  const c = client(tree);
  const step = asStep(await c.start());
  expect(step.getHeader()).toBe('Who are you?');
  expect(step.callbacks.map((cb) => cb.getType())).toEqual(['NameCallback', 'ChoiceCallback']);
  const choice = step.getCallbackOfType<Sdk.ChoiceCallback>(CallbackType.ChoiceCallback);
  expect(choice.getPrompt()).toBe('Role');
  expect(choice.getChoices()).toEqual(['user', 'admin']);
  step.getCallbackOfType<Sdk.NameCallback>(CallbackType.NameCallback).setName('bjensen');
  choice.setChoiceIndex(role === 'admin' ? 1 : 0);
  return asSuccess(await c.next(step));
}

describe('Scripted Decision journeys through the ForgeRock SDK', () => {
  it('next-generation: builds callbacks, reads them back, branches on shared state, reads and patches the user with openidm', async () => {
    const success = await signIn('NextGenSignIn', 'admin');
    expect(success.getSessionToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await readUser()).description).toBe('patched by a next-generation script; mail was bjensen@example.com');
    // The other branch skips the profile script.
    await fetch(`${server.url}/openidm/managed/user/${userId}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify([{ operation: 'remove', field: '/description' }]),
    });
    expect((await signIn('NextGenSignIn', 'user')).getSessionToken()).toBeTruthy();
    expect((await readUser()).description).toBeUndefined();
  });

  it('legacy: Java callbacks through JavaImporter, sharedState, and idRepository attributes', async () => {
    const success = await signIn('LegacySignIn', 'admin');
    expect(success.getSessionToken()).toBeTruthy();
    expect((await readUser()).description).toBe('patched by a legacy script; mail was bjensen@example.com');
  });

  it('calls the allow-listed HTTP peer from both engines and refuses the other without sending anything', async () => {
    const c = client('ScriptHttp');
    const step = asStep(await c.start());
    const text = step.getCallbackOfType<Sdk.TextOutputCallback>(CallbackType.TextOutputCallback).getMessage();
    const summary = JSON.parse(text) as { next: string; legacy: string; refused: string };
    expect(summary.next).toBe('gold');
    expect(summary.legacy).toBe('gold');
    expect(summary.refused).toMatch(/is not on the operator's allow-list \(CAIRN_SCRIPT_HTTP_ALLOWLIST\); the request was not sent/);
    expect(blocked.seen).toEqual([]);
    expect(peer.seen.map((s) => [s.method, s.url])).toEqual([
      ['POST', '/tier?user=anonymous'],
      ['GET', '/tier?user=legacy'],
    ]);
    expect(peer.seen[0]!.headers['x-script']).toBe('next-http');
    expect(JSON.parse(peer.seen[0]!.body)).toEqual({ journey: 'ScriptHttp' });
    step.getCallbackOfType<Sdk.ConfirmationCallback>(CallbackType.ConfirmationCallback).setOptionIndex(0);
    const done = await c.next(step);
    expect(done.type).toBe('LoginSuccess');
  });

  it('runs a Scripted Decision node inside a Page Node, with the other nodes of the page', async () => {
    const c = client('ScriptPage');
    const page = asStep(await c.start());
    expect(page.getHeader()).toBe('Sign up');
    expect(page.callbacks.map((cb) => cb.getType())).toEqual(['NameCallback', 'ConfirmationCallback']);
    page.getCallbackOfType<Sdk.NameCallback>(CallbackType.NameCallback).setName('bjensen');
    page.getCallbackOfType<Sdk.ConfirmationCallback>(CallbackType.ConfirmationCallback).setOptionIndex(0);
    expect((await c.next(page)).type).toBe('LoginSuccess');
  });

  it('hostile scripts fail only their own journey, with AM\'s "Login failure", while another journey keeps answering', async () => {
    const loop = fetch(`${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=ScriptLoop`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1, protocol=1.0' },
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
    // Meanwhile a whole journey runs through the SDK (its scripts run on the other sandbox thread).
    const success = await signIn('NextGenSignIn', 'user');
    const looped = await loop;
    expect(success.getSessionToken()).toBeTruthy();
    expect(looped.status).toBe(401);
    expect(looped.body).toMatchObject({ code: 401, reason: 'Unauthorized', message: 'Login failure' });

    const escape = asFailure(await client('ScriptEscape').start());
    expect(escape.getCode()).toBe(401);
    expect(escape.getMessage()).toBe('Login failure');
    expect(audit.filter((e) => e.event === 'script.failed').map((e) => [e.script, e.reason])).toEqual(
      expect.arrayContaining([
        ['hostile-loop', 'cpu'],
        ['hostile-escape', 'script'],
      ]),
    );
    // The server is unharmed.
    expect((await fetch(`${server.url}/health`)).status).toBeLessThan(500);
  });

  it('fails the journey when a script picks an outcome its node does not have', async () => {
    const failure = asFailure(await client('ScriptBadOutcome').start());
    expect(failure.getCode()).toBe(401);
    expect(failure.getMessage()).toBe('Login failure');
  });
});
