/**
 * Raw HTTP helpers for tests that attack a running server the way a script would: start a journey,
 * fill a step's callbacks, sign in, call the admin API — each request optionally through a cookie
 * jar (one browser) and with extra headers (X-Forwarded-For through a trusted proxy, AM's headers).
 */
import type { TestServer } from './server.js';

export interface Answer {
  status: number;
  // AM and CREST bodies, inspected field by field by the tests.
  json: any;
  headers: Headers;
}

export interface Via {
  /** A fetch bound to a cookie jar (createJarFetch), i.e. one browser; plain fetch by default. */
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

export const authUrl = (s: TestServer, journey: string, query = ''): string =>
  `${s.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=${journey}${query}`;

export async function post(url: string, body?: unknown, via: Via = {}): Promise<Answer> {
  const res = await (via.fetch ?? fetch)(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1, protocol=1.0', ...via.headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Sets the first input of each callback, in order (a NameCallback, then a PasswordCallback…). */
export function fill<T extends { callbacks: { input: { value: unknown }[] }[] }>(step: T, ...values: unknown[]): T {
  values.forEach((v, i) => {
    const input = step.callbacks[i]?.input[0];
    if (input) input.value = v;
  });
  return step;
}

/** Starts `journey` and answers its first step with `values`; the second answer. */
export async function startAndSubmit(s: TestServer, journey: string, values: unknown[], via: Via = {}, query = ''): Promise<Answer> {
  const page = await post(authUrl(s, journey, query), undefined, via);
  if (page.status !== 200 || !page.json?.authId) throw new Error(`${journey} did not start: ${page.status} ${JSON.stringify(page.json)}`);
  return post(authUrl(s, journey, query), fill(page.json, ...values), via);
}

/** Signs in through `journey` (default Login) with ForceAuth, so a browser's session never short-cuts it. */
export function signIn(s: TestServer, userName: string, password: string, via: Via = {}, journey = 'Login'): Promise<Answer> {
  return startAndSubmit(s, journey, [userName, password], via, '&ForceAuth=true');
}

/** The admin API under /openidm with the bearer token (or the given headers). */
export async function admin(
  s: TestServer,
  token: string,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const res = await fetch(`${s.url}/openidm${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Creates a user through the admin API, with any `extra` attributes; its `_id`. */
export async function createUser(
  s: TestServer,
  token: string,
  userName: string,
  password?: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const r = await admin(s, token, '/managed/user?_action=create', {
    method: 'POST',
    // Preferences chosen, so Login's ProgressiveProfile does not stop the third sign-in to ask for them.
    body: {
      userName,
      mail: `${userName}@example.com`,
      givenName: 'Test',
      sn: 'User',
      preferences: { marketing: true, updates: true },
      ...(password ? { password } : {}),
      ...extra,
    },
  });
  if (r.status !== 201) throw new Error(`create ${userName}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json._id as string;
}

/** Validates a session token through AM's sessions endpoint. */
export async function validSession(s: TestServer, tokenId: string): Promise<boolean> {
  const r = await post(`${s.amUrl}/json/realms/root/sessions?_action=validate`, { tokenId });
  return r.json?.valid === true;
}

/** Audit events captured by a server started with `{ audit: (line) => lines.push(line) }`. */
export const eventsOf = (lines: readonly string[], event: string): Record<string, unknown>[] =>
  lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === event);
