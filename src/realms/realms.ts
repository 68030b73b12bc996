/**
 * The realms a server serves: `root` (always, needing no declaration) and those the operator declares
 * (CAIRN_REALMS or `realms` in the config file). A realm has AM's path (`/alpha`), its own journeys
 * (`<journeysDir>/realms/<name>/`, falling back to the shipped set in `<journeysDir>`), its identity
 * resource named as AIC names it (`managed/alpha_user`), its own session cookie, and its own e-mail
 * templates (`<emailTemplatesDir>/realms/<name>/`, over the server's). Pure data: compose.ts builds
 * each realm's parts from it.
 */
import { join } from 'node:path';

export const ROOT_REALM_NAME = 'root';
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
}

export interface RealmSettings {
  realms: readonly string[];
  journeysDir: string;
  emailTemplatesDir: string;
  cookieName: string;
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
