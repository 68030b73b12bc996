/**
 * Helpers for the PingIDM self-service tests: a client speaking IDM's wire as its clients do (the
 * anonymous headers, JSON bodies), the e-mailed link's token and code, self-service folders written for
 * one test, users created through the admin API, and sign-in through AM's Login journey with the
 * official SDK.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseMail } from './eml.js';
import { asStep, createSdkClient, sdk, type AuthResult, type Sdk } from './forgerock-sdk.js';
import type { SmtpPeer } from './smtp-peer.js';

export const ANONYMOUS = { 'X-OpenIDM-Username': 'anonymous', 'X-OpenIDM-Password': 'anonymous', 'X-OpenIDM-NoSession': 'true' } as const;
export const SHIPPED_SELFSERVICE = join(import.meta.dirname, '..', '..', 'config', 'selfservice');
export const SHIPPED_JOURNEYS = join(import.meta.dirname, '..', '..', 'journeys');

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export interface SelfServiceClient {
  get(headers?: Record<string, string>): Promise<Reply>;
  /** POST `?_action=submitRequirements` (or another action) with a JSON body (or raw text). */
  post(body: unknown, options?: { headers?: Record<string, string>; action?: string; raw?: boolean }): Promise<Reply>;
}

export function selfServiceClient(baseUrl: string, process: string): SelfServiceClient {
  const url = `${baseUrl}/openidm/selfservice/${process}`;
  const read = async (res: Response): Promise<Reply> => ({ status: res.status, body: (await res.json()) as Record<string, unknown> });
  return {
    get: async (headers = {}) => read(await fetch(url, { headers })),
    post: async (body, options = {}) =>
      read(
        await fetch(`${url}?_action=${options.action ?? 'submitRequirements'}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...ANONYMOUS, ...options.headers },
          body: options.raw ? (body as string) : JSON.stringify(body),
        }),
      ),
  };
}

export interface MailedLink {
  url: string;
  token: string;
  code: string;
}

/** The link in an e-mail's text part: `…&token=…&code=…`. */
export function linkIn(raw: string): MailedLink {
  const text = parseMail(raw).text ?? '';
  const url = /https?:\/\/[^\s<>]+&token=[A-Za-z0-9._-]+&code=[A-Za-z0-9_-]+/.exec(text)?.[0];
  expect(url, `a verification link in: ${text.slice(0, 300)}`).toBeDefined();
  const [, token = '', code = ''] = /&token=([^&]+)&code=(.+)$/.exec(url as string) ?? [];
  return { url: url as string, token, code };
}

/** The newest message to `to` once `count` messages have arrived. */
export async function mailTo(smtp: SmtpPeer, to: string, count: number): Promise<string> {
  const mails = await smtp.waitFor(count, 10_000);
  const mine = mails.filter((m) => m.to.includes(to));
  expect(mine.length, `a message to ${to}`).toBeGreaterThan(0);
  return (mine[mine.length - 1] as { raw: string }).raw;
}

/** A temporary self-service folder holding `files` (name → JSON). */
export async function selfServiceDir(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-selfservice-'));
  for (const [name, json] of Object.entries(files)) await writeFile(join(dir, name), JSON.stringify(json, null, 2));
  return dir;
}

export async function createUser(baseUrl: string, adminToken: string, user: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${baseUrl}/openidm/managed/user?_action=create`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(user),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { _id: string })._id;
}

export async function readUser(baseUrl: string, adminToken: string, id: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${baseUrl}/openidm/managed/user/${id}`, { headers: { Authorization: `Bearer ${adminToken}` } });
  return (await res.json()) as Record<string, unknown>;
}

/** Signs in through AM's shipped Login journey with the official SDK (a fresh "browser"). */
export async function amLogin(amUrl: string, userName: string, password: string): Promise<AuthResult> {
  const c = createSdkClient({ baseUrl: amUrl, tree: 'Login' });
  const page = asStep(await c.start({ query: { ForceAuth: 'true' } }));
  page.getCallbackOfType<Sdk.NameCallback>(sdk.CallbackType.NameCallback).setName(userName);
  page.getCallbackOfType<Sdk.PasswordCallback>(sdk.CallbackType.PasswordCallback).setPassword(password);
  return c.next(page);
}
