// A tiny fake AM authenticate endpoint (express 5, 127.0.0.1, port 0) used only to prove the SDK
// harness. It replays the recorded exchanges in shared/reference/examples (wire_aic_alpha_
// PasswordGrant_two_step.json, wire_classic_am_zpl_success.json, wire_aic_unknown_tree_400.json)
// plus the §3.5 suspendedId resume, and records every request (including bodies, i.e. test
// passwords) for assertions. It is not a model of AM: one journey shape, in-memory, no signing.

import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Request, type Response } from 'express';

export interface FakeAmOptions {
  /** username → password accepted by the NameCallback+PasswordCallback journey. */
  users?: Readonly<Record<string, string>>;
  /** Journeys that exist (all run the two-step login); others answer 400 "No Configuration found". */
  trees?: readonly string[];
  /** Single-use suspendedIds that resume into a "Change password" step. */
  suspendedIds?: readonly string[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Raw query string without '?', to check parameter order. */
  readonly rawQuery: string;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Raw body text ('' when the request had no body). */
  readonly body: string;
  readonly cookies: Readonly<Record<string, string>>;
}

export interface FakeAm {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** `http://127.0.0.1:<port>/am` — what to pass as the SDK baseUrl. */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Milliseconds to wait before answering any request (to exercise client timeouts). */
  delayMs: number;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

/** Callbacks exactly as in the recorded AIC PasswordGrant step (wire_aic_alpha_PasswordGrant_two_step.json). */
const LOGIN_CALLBACKS = [
  {
    type: 'NameCallback',
    output: [{ name: 'prompt', value: 'User Name' }],
    input: [{ name: 'IDToken1', value: '' }],
    _id: 0,
  },
  {
    type: 'PasswordCallback',
    output: [{ name: 'prompt', value: 'Password' }],
    input: [{ name: 'IDToken2', value: '' }],
    _id: 1,
  },
];

/** The "Change password" page after a suspendedId resume (ValidatedCreatePasswordCallback, protocol §2.2). */
const CHANGE_PASSWORD_CALLBACKS = [
  {
    type: 'ValidatedCreatePasswordCallback',
    output: [
      { name: 'echoOn', value: false },
      { name: 'policies', value: {} },
      { name: 'failedPolicies', value: [] },
      { name: 'validateOnly', value: false },
      { name: 'prompt', value: 'Password' },
    ],
    input: [
      { name: 'IDToken1', value: '' },
      { name: 'IDToken1validateOnly', value: false },
    ],
    _id: 0,
  },
];

const AM_HEADERS = {
  'cache-control': 'private',
  'content-api-version': 'resource=2.1',
  expires: '0',
  pragma: 'no-cache',
};
const SESSION_COOKIE = 'iPlanetDirectoryPro';
const LB_COOKIE = 'amlbcookie=01; Path=/; HttpOnly';

const errorBody = (code: number, reason: string, message: string, detail?: Json): Json => ({
  code,
  reason,
  message,
  ...(detail && { detail }),
});
const NO_CONFIGURATION = errorBody(400, 'Bad Request', 'No Configuration found');
const LOGIN_FAILURE = errorBody(401, 'Unauthorized', 'Login failure', { failureUrl: '' });
const TIMED_OUT = errorBody(401, 'Unauthorized', 'Session has timed out', { errorCode: '110' });
const SUSPENDED_NOT_FOUND = errorBody(
  401,
  'Unauthorized',
  'org.forgerock.openam.auth.nodes.framework.token.SuspendedAuthSessionException: Token not found. It may have expired.',
);

type Flow = { kind: 'login'; tree: string; realm: string } | { kind: 'resume'; realm: string };

const AUTHENTICATE_PATH = /^\/am\/json\/realms\/root((?:\/realms\/[^/]+)*)\/authenticate$/;

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An authId shaped like AM's (JWT with authIndexType/Value, realm, iat, exp); the "signature" is random. */
function newAuthId(tree: string, realm: string): string {
  const iat = Math.floor(Date.now() / 1000);
  const claims = { authIndexValue: tree, otk: randomBytes(12).toString('hex'), authIndexType: 'service', realm, exp: iat + 300, iat };
  return `${b64url({ typ: 'JWT', alg: 'HS256' })}.${b64url(claims)}.${randomBytes(32).toString('base64url')}`;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return cookies;
}

/** Value of input[0] of the first callback of `type`, or undefined when absent/not a string. */
function inputValue(body: Json, type: string): string | undefined {
  const callbacks = Array.isArray(body.callbacks) ? (body.callbacks as unknown[]) : [];
  const callback = callbacks.find((cb): cb is Json => typeof cb === 'object' && cb !== null && (cb as Json).type === type);
  const input = Array.isArray(callback?.input) ? (callback.input as unknown[]) : [];
  const first = input[0] as Json | undefined;
  return typeof first?.value === 'string' ? first.value : undefined;
}

export async function startFakeAm(options: FakeAmOptions = {}): Promise<FakeAm> {
  const users = new Map(Object.entries(options.users ?? { demo: 'Ch4ng3it!' }));
  const trees = new Set(options.trees ?? ['Login', 'PasswordGrant']);
  const suspendedIds = new Set(options.suspendedIds ?? ['abc']);
  const flows = new Map<string, Flow>();
  const requests: RecordedRequest[] = [];
  let delayMs = 0;

  const send = (res: Response, status: number, body: Json, cookies: string[] = []): void => {
    res.status(status).set(AM_HEADERS);
    if (cookies.length > 0) res.append('Set-Cookie', cookies);
    res.json(body);
  };

  const succeed = (res: Response, realm: string): void => {
    const tokenId = `${randomBytes(20).toString('base64url')}.*AAJTSQACMDEAAlNLABwrS0Z0bzBaUkRHbkxiVEtYaTJ6b1NISWZVWXc9AAR0eXBlAANDVFMAAlMxAAA.*`;
    send(res, 200, { tokenId, successUrl: '/am/console', realm }, [`${SESSION_COOKIE}=${tokenId}; Path=/; HttpOnly`, LB_COOKIE]);
  };

  const authenticate = (req: Request, res: Response, realm: string): void => {
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    let body: Json = {};
    if (raw.trim() !== '') {
      if (!(req.headers['content-type'] ?? '').includes('application/json')) {
        send(res, 415, errorBody(415, 'Unsupported Media Type', 'Unsupported Media Type'));
        return;
      }
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        body = parsed as Json;
      } catch {
        send(res, 400, errorBody(400, 'Bad Request', 'Invalid JSON body'));
        return;
      }
    }
    const query = req.query as Record<string, unknown>;
    const isInitiate = Object.keys(body).length === 0;

    if (isInitiate && typeof query.suspendedId === 'string') {
      if (!suspendedIds.delete(query.suspendedId)) {
        send(res, 401, SUSPENDED_NOT_FOUND);
        return;
      }
      const authId = newAuthId(typeof query.authIndexValue === 'string' ? query.authIndexValue : 'ResetPassword', realm);
      flows.set(authId, { kind: 'resume', realm });
      send(res, 200, { authId, callbacks: CHANGE_PASSWORD_CALLBACKS, header: 'Change password', description: '', stage: '' });
      return;
    }
    if (isInitiate) {
      const tree = typeof query.authIndexValue === 'string' ? query.authIndexValue : 'Login';
      if (!trees.has(tree)) {
        send(res, 400, NO_CONFIGURATION);
        return;
      }
      const authId = newAuthId(tree, realm);
      flows.set(authId, { kind: 'login', tree, realm });
      send(res, 200, { authId, callbacks: LOGIN_CALLBACKS }, [LB_COOKIE]);
      return;
    }

    const flow = typeof body.authId === 'string' ? flows.get(body.authId) : undefined;
    if (!flow) {
      send(res, 401, TIMED_OUT);
      return;
    }
    flows.delete(body.authId as string);
    if (flow.kind === 'resume') {
      const password = inputValue(body, 'ValidatedCreatePasswordCallback');
      if (password) succeed(res, flow.realm);
      else send(res, 401, LOGIN_FAILURE);
      return;
    }
    const username = inputValue(body, 'NameCallback');
    const password = inputValue(body, 'PasswordCallback');
    if (username !== undefined && password !== undefined && users.get(username) === password) succeed(res, flow.realm);
    else send(res, 401, LOGIN_FAILURE);
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(express.raw({ type: () => true, limit: '100kb' }));
  app.use((req, _res, next) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const url = new URL(req.originalUrl, 'http://fake-am.invalid');
    requests.push({
      method: req.method,
      path: url.pathname,
      rawQuery: url.search.replace(/^\?/, ''),
      query: Object.fromEntries(url.searchParams),
      headers,
      body: Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '',
      cookies: parseCookies(req.headers.cookie),
    });
    if (delayMs > 0) setTimeout(next, delayMs);
    else next();
  });
  app.use((req, res) => {
    const match = AUTHENTICATE_PATH.exec(req.path);
    if (req.method === 'POST' && match) {
      const realm = (match[1] ?? '').replace(/\/realms\//g, '/') || '/';
      authenticate(req, res, realm);
      return;
    }
    send(res, 404, errorBody(404, 'Not Found', 'Resource not found'));
  });

  const server: Server = await new Promise((resolve, reject) => {
    const listening = app.listen(0, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    baseUrl: `${origin}/am`,
    requests,
    get delayMs() {
      return delayMs;
    },
    set delayMs(ms: number) {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
