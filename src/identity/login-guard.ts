/**
 * Which attempt budgets (attempt-budgets.ts) a password check spends, so that guesses stay bounded
 * per account and per attacker while someone who knows only a username cannot stop the owner
 * signing in (OWASP "Slow Down Online Guessing Attacks with Device Cookies"):
 *
 * - a client that signed in to the account before — it shows a device cookie issued then, or comes
 *   from an address (IPv6: its /64) the account signed in from — checks under a budget of its own
 *   for that device or address;
 * - any other client checks under the account's shared budget for unknown clients *and* a budget
 *   of its client address, which bounds a spray over many accounts.
 *
 * An account that does not exist has the same budgets, named after the login typed, and every path
 * does the same store work, so neither refusals nor timing tell accounts apart. Device tokens are
 * 128-bit random values; the store keeps only their hashes, each bound to one account (a cookie
 * holds up to three, for devices shared by several people). Trust markers lapse on their own; a
 * password change starts an account's budgets afresh and forgets its devices and addresses (every
 * name embeds the account's generation, which the change increments).
 */
import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { pseudonym } from '../audit/pseudonym.js';
import { createAttemptBudgets, type AttemptBudgets, type Budget, type Ticket } from './attempt-budgets.js';
import type { CounterPort, LoginClient } from './ports.js';

/** How the client of a check was recognised. */
export type Trust = 'device' | 'address' | 'none';

/** Who a check is about: an existing account (its `_id`), or the login typed when there is none. */
export type AccountRef = { id: string } | { login: string };

export interface LoginAttempt {
  ticket: Ticket;
  trust: Trust;
}

export interface LoginGuard {
  /** Takes the tickets of one password check for `account` of `resource` from `client`. */
  begin(resource: string, account: AccountRef, client: LoginClient): Promise<LoginAttempt>;
  /**
   * After `client` signed in to account `id`: remembers its address and, unless one of its device
   * tokens is already bound to the account (or the account bound MAX_NEW_DEVICES_PER_DAY today), binds
   * a new one. Resolves to the device cookie value to set, or undefined when the client keeps the one it has.
   */
  remember(resource: string, id: string, client: LoginClient): Promise<string | undefined>;
  /** After a password change of account `id`: fresh budgets, no known devices or addresses. */
  forget(resource: string, id: string): Promise<void>;
}

export interface LoginGuardOptions {
  counters: CounterPort;
  /** Budget of each account for unknown clients, and of each known device or address. */
  perAccount: number;
  /** Budget of each client address checking accounts it is not known to. */
  perClient: number;
  /** The budgets' window. */
  windowMs: number;
  now: () => number;
  /** The budgets themselves (default: attempt budgets on `counters` with `windowMs`). */
  budgets?: AttemptBudgets;
}

/** How long a device, and an address, stays known after the sign-in that made it so. */
export const DEVICE_TRUST_MS = 180 * 24 * 60 * 60_000;
export const ADDRESS_TRUST_MS = 90 * 24 * 60 * 60_000;
/** Device tokens one cookie keeps (one per account signed in from that browser, newest first). */
export const MAX_DEVICE_TOKENS = 3;
/**
 * New devices an account binds per day at most. A client that never returns the cookie (an API
 * integration without a cookie jar) would otherwise leave a 180-day marker at every sign-in: with
 * the cap an account holds at most this many times 180 markers, however often it signs in.
 */
export const MAX_NEW_DEVICES_PER_DAY = 10;
const DAY_MS = 24 * 60 * 60_000;
/** Lifetime of an account's generation counter: longer than any trust marker made under it. */
const GENERATION_MS = 400 * 24 * 60 * 60_000;
const TOKEN = /^[A-Za-z0-9_-]{22}$/;

/** The device tokens a cookie value holds (well-formed ones, at most MAX_DEVICE_TOKENS). */
export function deviceTokensOf(cookie: string | undefined): string[] {
  if (!cookie) return [];
  return cookie
    .split('.')
    .filter((t) => TOKEN.test(t))
    .slice(0, MAX_DEVICE_TOKENS);
}

const digest = (token: string): string => createHash('sha256').update(token).digest('base64url').slice(0, 32);

/**
 * The group an address counts in: an IPv4 address itself (also when IPv4-mapped), an IPv6 address
 * by its /64 (one subscriber's prefix, whose interface ids may change at will).
 */
export function addressGroup(ip: string | undefined): string | undefined {
  if (!ip) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  if (mapped && isIP(mapped) === 4) return mapped;
  if (isIP(ip) === 4) return ip;
  if (isIP(ip) !== 6) return undefined;
  const [head = '', tail = ''] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.padStart(4, '0'))
    .join(':')}::/64`;
}

export function createLoginGuard(options: LoginGuardOptions): LoginGuard {
  const { counters, perAccount, perClient } = options;
  const budgets = options.budgets ?? createAttemptBudgets({ counters, windowMs: options.windowMs, now: options.now });

  const accountName = (resource: string, account: AccountRef): string =>
    'id' in account ? `${resource}:id:${pseudonym(account.id)}` : `${resource}:name:${pseudonym(account.login.normalize('NFKC'))}`;
  const generationKey = (name: string): string => `login:generation:${name}`;
  /** The account's name in budget and marker keys, in its current generation. */
  const accountKey = async (resource: string, account: AccountRef): Promise<string> => {
    const name = accountName(resource, account);
    return `${name}:g${await counters.get(generationKey(name))}`;
  };
  const deviceMarker = (token: string, account: string): string => `login:known-device:${digest(token)}:${account}`;
  const addressMarker = (group: string, account: string): string => `login:known-address:${pseudonym(group)}:${account}`;

  return {
    async begin(resource, account, client) {
      const key = await accountKey(resource, account);
      const tokens = deviceTokensOf(client.deviceCookie);
      const group = addressGroup(client.clientIp);
      // Read every marker, whatever is found first: the same store work for any account and client.
      const [devices, known] = await Promise.all([
        Promise.all(tokens.map((t) => counters.get(deviceMarker(t, key)))),
        group === undefined ? Promise.resolve(0) : counters.get(addressMarker(group, key)),
      ]);
      const device = tokens.find((_, i) => (devices[i] ?? 0) > 0);
      let trust: Trust = 'none';
      let chosen: Budget[];
      if (device !== undefined) {
        trust = 'device';
        chosen = [{ key: `login:device:${digest(device)}:${key}`, max: perAccount }];
      } else if (group !== undefined && known > 0) {
        trust = 'address';
        chosen = [{ key: `login:address:${pseudonym(group)}:${key}`, max: perAccount }];
      } else {
        chosen = [{ key: `login:account:${key}`, max: perAccount }];
        if (group !== undefined) chosen.push({ key: `login:client:${pseudonym(group)}`, max: perClient });
      }
      return { ticket: await budgets.take(chosen), trust };
    },

    async remember(resource, id, client) {
      const key = await accountKey(resource, { id });
      const tokens = deviceTokensOf(client.deviceCookie);
      const group = addressGroup(client.clientIp);
      const [devices, known] = await Promise.all([
        Promise.all(tokens.map((t) => counters.get(deviceMarker(t, key)))),
        group === undefined ? Promise.resolve(1) : counters.get(addressMarker(group, key)),
      ]);
      if (known === 0 && group !== undefined) await counters.increment(addressMarker(group, key), ADDRESS_TRUST_MS);
      if (devices.some((n) => n > 0)) return undefined;
      if ((await counters.increment(`login:devices-bound:${key}`, DAY_MS)) > MAX_NEW_DEVICES_PER_DAY) return undefined;
      // A fresh token (never one the client chose), kept in front of the ones other accounts use.
      const token = randomBytes(16).toString('base64url');
      await counters.increment(deviceMarker(token, key), DEVICE_TRUST_MS);
      return [token, ...tokens].slice(0, MAX_DEVICE_TOKENS).join('.');
    },

    async forget(resource, id) {
      await counters.increment(generationKey(accountName(resource, { id })), GENERATION_MS);
    },
  };
}
