/**
 * The signed-in person, for the success page: who the session belongs to (AM's
 * `sessions?_action=getSessionInfo`), their name from their own profile (`users/<name>`), and signing
 * out (`sessions?_action=logout`, which also clears the session cookie). The session cookie is
 * HttpOnly: these calls carry it, the page never sees it. `fetch` is injected, as in api.ts.
 */
import { AM_HEADERS, type FetchLike } from './api.js';
import { isRecord } from './types.js';

export interface SignedInUser {
  username: string;
  /** "Barbara Jensen" when the profile has a name, else undefined. */
  displayName?: string;
}

/** Sessions live in the root realm (Cairn has no other). */
const rootBase = (amBasePath: string): string => `${amBasePath.replace(/\/+$/, '')}/json/realms/root`;

async function json(fetch: FetchLike, url: string, method: 'GET' | 'POST'): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { method, headers: { ...AM_HEADERS }, credentials: 'same-origin', cache: 'no-store' });
  const text = await response.text();
  try {
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  } catch {
    return { status: response.status, body: undefined };
  }
}

const first = (value: unknown): string | undefined => {
  const v: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};

/** The session's user, or undefined when there is no session (or the server cannot say). */
export async function signedInUser(fetch: FetchLike, amBasePath: string): Promise<SignedInUser | undefined> {
  try {
    const base = rootBase(amBasePath);
    const info = await json(fetch, `${base}/sessions?_action=getSessionInfo`, 'POST');
    const username = isRecord(info.body) ? first(info.body.username) : undefined;
    if (info.status !== 200 || username === undefined) return undefined;
    const profile = await json(fetch, `${base}/users/${encodeURIComponent(username)}`, 'GET').catch(() => ({ status: 0, body: undefined }));
    const body = profile.status === 200 && isRecord(profile.body) ? profile.body : {};
    const named = [first(body.givenName), first(body.sn)].filter((v): v is string => v !== undefined).join(' ');
    const displayName = named || first(body.cn);
    return displayName && displayName !== username ? { username, displayName } : { username };
  } catch {
    return undefined;
  }
}

/** Ends the session; true when the server confirmed (or there was no session left to end). */
export async function signOut(fetch: FetchLike, amBasePath: string): Promise<boolean> {
  try {
    const result = await json(fetch, `${rootBase(amBasePath)}/sessions?_action=logout`, 'POST');
    return result.status === 200 || result.status === 401;
  } catch {
    return false;
  }
}
