/**
 * The rest of the AM surface over HTTP: logout ends a session and clears the cookie, goto and
 * gotoOnFail are honoured only on the allow-list, the cookie is Secure behind an https public URL,
 * and a journey edited while a client is in it goes on, on the version it started on.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_JOURNEYS, startTestServer, type TestServer } from '../support/server.js';

type Json = Record<string, any>;

async function post(url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Json; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Json, headers: res.headers };
}

/** Walks SdkDemo to its end: `choice` 0 succeeds, 1 fails. */
async function walk(server: TestServer, query: string, choice: 0 | 1) {
  const url = `${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=SdkDemo${query}`;
  const page = (await post(url)).json;
  page.callbacks[0].input[0].value = 'redirect-user';
  page.callbacks[1].input[0].value = 'a long enough passphrase';
  const next = (await post(url, page)).json;
  next.callbacks[0].input[0].value = choice;
  return post(url, next);
}

describe('sessions and redirects', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ CAIRN_REDIRECT_ALLOWLIST: 'https://app.example.com/welcome,https://app.example.com/oops' });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('logout ends the session and clears the cookie', async () => {
    const done = await walk(server, '', 0);
    const token = done.json.tokenId as string;
    expect(done.headers.get('set-cookie')).toBe(`iPlanetDirectoryPro=${token}; Path=/; HttpOnly; SameSite=Lax`);
    const sessions = `${server.amUrl}/json/realms/root/sessions`;
    expect((await post(`${sessions}?_action=validate`, undefined, { iPlanetDirectoryPro: token })).json).toMatchObject({
      valid: true,
      uid: 'redirect-user',
    });
    const out = await post(`${sessions}?_action=logout`, undefined, { Cookie: `iPlanetDirectoryPro=${token}` });
    expect(out.json).toEqual({ result: 'Successfully logged out' });
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await post(`${sessions}?_action=validate`, { tokenId: token })).json).toEqual({ valid: false });
    expect(await post(`${sessions}?_action=logout`, undefined, { iPlanetDirectoryPro: token })).toMatchObject({
      status: 401,
      json: { message: 'Access Denied' },
    });
    expect(await post(`${sessions}?_action=nope`)).toMatchObject({ status: 400 });
  });

  it('honours goto and gotoOnFail only on the allow-list or on this server', async () => {
    // SdkDemo sets its own success URL, which wins over goto; a journey without one uses goto.
    const allowedFail = await walk(server, `&gotoOnFail=${encodeURIComponent('https://app.example.com/oops?x=1')}`, 1);
    expect(allowedFail.json).toMatchObject({ code: 401, detail: { failureUrl: 'https://app.example.com/oops?x=1' } });
    const refusedFail = await walk(server, `&gotoOnFail=${encodeURIComponent('https://evil.example/oops')}`, 1);
    expect(refusedFail.json.detail).toEqual({ failureUrl: '' });
    const local = await walk(server, `&gotoOnFail=${encodeURIComponent('/login/?again=1')}`, 1);
    expect(local.json.detail).toEqual({ failureUrl: '/login/?again=1' });
    const protocolRelative = await walk(server, `&gotoOnFail=${encodeURIComponent('//evil.example/x')}`, 1);
    expect(protocolRelative.json.detail).toEqual({ failureUrl: '' });
  });
});

describe('an https public URL', () => {
  it('marks the session cookie Secure', async () => {
    const server = await startTestServer({ CAIRN_PUBLIC_URL: 'https://id.example.test' });
    try {
      const done = await walk(server, '', 0);
      expect(done.headers.get('set-cookie')).toMatch(/; Secure$/);
    } finally {
      await server.stop();
    }
  });
});

describe('a journey edited while a client is in it', () => {
  it('goes on with the version the client started on (kept in the store); a new start runs the edit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-edit-'));
    const dataDir = await mkdtemp(join(tmpdir(), 'cairn-edit-data-'));
    await cp(FIXTURE_JOURNEYS, dir, { recursive: true });
    let server = await startTestServer({ CAIRN_JOURNEYS_DIR: dir, CAIRN_DATA_DIR: dataDir });
    try {
      const url = () => `${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=SdkDemo`;
      const page = (await post(url())).json;
      // The administrator edits the journey and restarts (same keys, so the authId itself is still valid).
      const file = join(dir, 'SdkDemo.json');
      const journey = JSON.parse(await readFile(file, 'utf8'));
      journey.nodes.signIn.config.pageHeader.en = 'Welcome back';
      await writeFile(file, JSON.stringify(journey));
      await server.close();
      server = await startTestServer({ CAIRN_JOURNEYS_DIR: dir, CAIRN_DATA_DIR: dataDir });
      page.callbacks[0].input[0].value = 'someone';
      page.callbacks[1].input[0].value = 'a long enough passphrase';
      const next = await post(url(), page);
      expect(next.status).toBe(200);
      expect(next.json.callbacks[0].type).toBe('ChoiceCallback');
      expect((await post(url())).json.header).toBe('Welcome back');
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
