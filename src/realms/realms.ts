/**
 * The realms a server serves: `root` (always, needing no declaration) and those the operator declares
 * (CAIRN_REALMS or `realms` in the config file). A realm has AM's path (`/alpha`), its own journeys
 * (`<journeysDir>/realms/<name>/`, falling back to the shipped set in `<journeysDir>`), its identity
 * resource named as AIC names it (`managed/alpha_user`), its own session cookie, and its own e-mail
 * templates (`<emailTemplatesDir>/realms/<name>/`, over the server's), and its own attempt and e-mail limits
 * (CAIRN_REALM_LIMITS), counted under keys of its own. Pure data: compose.ts builds each realm's parts from it.
 */
import { join } from 'node:path';
import type { CounterPort } from '../identity/ports.js';

export const ROOT_REALM_NAME = 'root';

/** What `CAIRN_REALM_LIMITS` may set, per realm: the limits a realm has of its own. */
export const REALM_LIMIT_SETTINGS = [
  'loginAttempts',
  'loginAttemptsPerClient',
  'loginAttemptWindowMinutes',
  'mailPerAccount',
  'mailPerClient',
  'mailWindowMinutes',
] as const;
export type RealmLimitName = (typeof REALM_LIMIT_SETTINGS)[number];

/** `alpha.loginAttempts=3` → its parts; undefined when it is not of that shape. */
export function parseRealmLimit(entry: string): { realm: string; name: string; value: number } | undefined {
  const m = /^([a-z][a-z0-9]*)\.([A-Za-z]+)=(\d+)$/.exec(entry.trim());
  return m ? { realm: m[1] as string, name: m[2] as string, value: Number(m[3]) } : undefined;
}
export const ROOT_REALM_PATH = '/';

/** AIC's realm names: a lower-case word (`alpha`, `bravo`). */
export const REALM_NAME = /^[a-z][a-z0-9]{0,31}$/;

export interface RealmSpec {
  /** `root`, `alpha`. */
  name: string;
  /** AM's realm path: `/` for root, `/alpha`. */
  path: string;
  /** The managed object type its people live in: `managed/user` for root, `managed/alpha_user` (AIC) otherwise. */
  identityResource: string;
  /** The realm's own journeys directory; root's is the journeys directory itself. */
  journeysDir: string;
  /** The realm's own e-mail templates, over the server's. */
  emailTemplatesDir?: string;
  /** The session cookie: a session of one realm is never sent to, nor valid in, another. */
  cookieName: string;
  /** Its attempt and e-mail limits (CAIRN_REALM_LIMITS over the server's), counted apart from other realms'. */
  limits: RealmLimits;
}

export type RealmLimits = Record<RealmLimitName, number>;

export interface RealmSettings extends RealmLimits {
  realms: readonly string[];
  journeysDir: string;
  emailTemplatesDir: string;
  cookieName: string;
  realmLimits?: readonly string[];
}

/** A realm's limits: the server's, with the realm's own CAIRN_REALM_LIMITS entries over them. */
export function realmLimitsOf(settings: RealmSettings, name: string): RealmLimits {
  const limits = Object.fromEntries(REALM_LIMIT_SETTINGS.map((k) => [k, settings[k]])) as RealmLimits;
  for (const entry of settings.realmLimits ?? []) {
    const l = parseRealmLimit(entry);
    if (l && l.realm === name && (REALM_LIMIT_SETTINGS as readonly string[]).includes(l.name)) limits[l.name as RealmLimitName] = l.value;
  }
  return limits;
}

/** Why a declared list of realms cannot be served, or undefined. */
export function realmProblems(names: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const n of names) {
    if (n === ROOT_REALM_NAME) problems.push('CAIRN_REALMS: "root" is always served and is not declared.');
    else if (!REALM_NAME.test(n))
      problems.push(`CAIRN_REALMS: "${n}" is not a realm name (a lower-case letter, then letters or digits, at most 32).`);
    else if (seen.has(n)) problems.push(`CAIRN_REALMS: "${n}" is declared twice.`);
    seen.add(n);
  }
  return problems;
}

/** Root first, then the declared realms in the order given. */
export function realmSpecs(settings: RealmSettings): RealmSpec[] {
  const root: RealmSpec = {
    name: ROOT_REALM_NAME,
    path: ROOT_REALM_PATH,
    identityResource: 'managed/user',
    journeysDir: settings.journeysDir,
    cookieName: settings.cookieName,
    limits: realmLimitsOf(settings, ROOT_REALM_NAME),
  };
  return [
    root,
    ...settings.realms.map((name) => ({
      name,
      path: `/${name}`,
      identityResource: `managed/${name}_user`,
      journeysDir: realmJourneysDir(settings.journeysDir, name),
      emailTemplatesDir: join(settings.emailTemplatesDir, 'realms', name),
      cookieName: `${settings.cookieName}-${name}`,
      limits: realmLimitsOf(settings, name),
    })),
  ];
}

export const realmJourneysDir = (journeysDir: string, name: string): string => join(journeysDir, 'realms', name);

/**
 * The realm a request names, as AM reads it: a path (`/alpha`, `alpha`, `/root/alpha`, `root`, `/`)
 * from `?realm=` or the URL's `realms/root/realms/<name>` segments. Undefined: not a realm path at all.
 */
export function realmNameOf(value: string): string | undefined {
  const segments = value.split('/').filter(Boolean);
  if (segments[0] === ROOT_REALM_NAME) segments.shift();
  if (segments.length === 0) return ROOT_REALM_NAME;
  if (segments.length > 1) return segments.join('/');
  return segments[0];
}

/** `/alpha` for the URL `…/realms/root/realms/alpha/…`'s captured `realms/alpha` part. */
export const realmPathOf = (name: string): string => (name === ROOT_REALM_NAME ? ROOT_REALM_PATH : `/${name}`);

/**
 * A realm's view of the store's counters: its keys under a prefix of their own (root's as they are), so
 * retry counts, attempt budgets and e-mail limits of one realm never count in another (AM: each realm
 * has its own lockout and limits), even for people of the same name.
 */
export function realmCounters(counters: CounterPort, name: string): CounterPort {
  if (name === ROOT_REALM_NAME) return counters;
  const k = (key: string): string => `realm:${name}:${key}`;
  return {
    increment: (key: string, windowMs: number) => counters.increment(k(key), windowMs),
    get: (key: string) => counters.get(k(key)),
    reset: (key: string) => counters.reset(k(key)),
  };
}
