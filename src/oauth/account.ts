/**
 * The account behind a token: `sub` is the managed user's `_id`; the `profile` and `email` claims
 * come from the managed object (AM's default OIDC claims script maps the same attributes). An
 * account that no longer exists, or is inactive, gets no tokens and no userinfo.
 */
import type { Account, AccountClaims, FindAccount } from 'oidc-provider';

export interface AccountReader {
  read(resource: string, id: string): Promise<Record<string, unknown> | undefined>;
  findByAttribute(resource: string, attribute: string, value: string): Promise<Record<string, unknown> | undefined>;
}

export const CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'given_name', 'family_name', 'preferred_username', 'updated_at'],
  email: ['email', 'email_verified'],
};

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function claimsOf(sub: string, user: Record<string, unknown>): Record<string, unknown> {
  const given = text(user.givenName);
  const family = text(user.sn);
  const name = text(user.cn) ?? ([given, family].filter(Boolean).join(' ') || undefined);
  const meta = user._meta as { lastChanged?: { date?: unknown } } | undefined;
  const changed = typeof meta?.lastChanged?.date === 'string' ? Date.parse(meta.lastChanged.date) : Number.NaN;
  const claims: Record<string, unknown> = {
    sub,
    name,
    given_name: given,
    family_name: family,
    preferred_username: text(user.userName),
    email: text(user.mail),
    updated_at: Number.isFinite(changed) ? Math.floor(changed / 1000) : undefined,
  };
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
}

export function accountFinder(identity: AccountReader, resource = 'managed/user'): FindAccount {
  return async (_ctx, sub) => {
    const user = (await identity.read(resource, sub)) ?? (await identity.findByAttribute(resource, 'userName', sub));
    if (!user || user.accountStatus === 'inactive') return undefined;
    const account: Account = { accountId: sub, claims: () => claimsOf(sub, user) as AccountClaims };
    return account;
  };
}
