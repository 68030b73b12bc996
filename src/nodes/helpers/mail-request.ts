/**
 * What the e-mail nodes (Email Suspend, Email Template) share: the rate limits per account and per
 * client address, counted in the store before the step answers (RST-05…07), the template object a
 * message may show (never a password, security answers or internal fields), and its locales.
 */
import type { NodeContext } from '../types.js';
import { mailAccountKey, mailClientKey } from './counter-keys.js';

/** Fields a template object never carries, whatever the source object holds. */
const WITHHELD = new Set(['password', 'kbaInfo', 'passwordSet', '_rev']);

/**
 * A copy of `object` fit for an e-mail template: without the WITHHELD fields and any other
 * top-level field starting with `_` except `_id`.
 */
export function templateObjectOf(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(object)) {
    if (WITHHELD.has(k) || (k.startsWith('_') && k !== '_id')) continue;
    out[k] = structuredClone(v);
  }
  return out;
}

/**
 * The object's own locale preference, if it has one: `preferences.locale`, `preferredLanguage` or
 * `locale` (the managed schema has none by default; deployments add one of these).
 */
export function preferredLocaleOf(object: Record<string, unknown>): string | undefined {
  const prefs = object['preferences'];
  const candidates = [
    typeof prefs === 'object' && prefs !== null ? (prefs as Record<string, unknown>)['locale'] : undefined,
    object['preferredLanguage'],
    object['locale'],
  ];
  return candidates.find((c): c is string => typeof c === 'string' && c.trim() !== '');
}

/** Locales for a message: the recipient's preference first, then the request's. */
export function mailLocalesOf(ctx: NodeContext<unknown>, object: Record<string, unknown>): string[] {
  const preferred = preferredLocaleOf(object);
  return preferred === undefined ? [...ctx.locales] : [preferred, ...ctx.locales.filter((l) => l !== preferred)];
}

export type MailAllowance = 'allowed' | 'rate-limited-account' | 'rate-limited-client';

/**
 * Counts one message for `account` (whatever the template: reset links, forgotten usernames and
 * notices share the account's limit) and for the client address, and says whether
 * both stay within the limits. Both counters are always incremented, whether or not an account exists
 * (callers pass the looked-up value then), so every path does the same store work. Without a known
 * client address only the account limit applies.
 */
export async function countMail(ctx: NodeContext<unknown>, account: string): Promise<MailAllowance> {
  const { counters, mailLimits } = ctx.services;
  const clientIp = ctx.request.clientIp;
  const [perAccount, perClient] = await Promise.all([
    counters.increment(mailAccountKey(account), mailLimits.windowMs),
    clientIp ? counters.increment(mailClientKey(clientIp), mailLimits.windowMs) : Promise.resolve(0),
  ]);
  if (perAccount > mailLimits.perAccount) return 'rate-limited-account';
  if (perClient > mailLimits.perClient) return 'rate-limited-client';
  return 'allowed';
}
