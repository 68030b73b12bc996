/**
 * What the address bar asks for: the journey (query `authIndexValue` or the AM XUI hash route
 * `#/service/<journey>`; the hash wins because in-page links change only the hash), a `suspendedId`
 * from an e-mailed link, `goto` / `gotoOnFail` / `locale` / `realm` / `ForceAuth` passed through to the API, or the
 * landing page `#/success`. Also builds the API URL and the links between journeys. Pure.
 */

export const DEFAULT_JOURNEY = 'Login';

export interface JourneyRoute {
  kind: 'journey';
  journey: string;
  suspendedId?: string;
  goto?: string;
  gotoOnFail?: string;
  locale?: string;
  /** Sub-realm path such as "/alpha"; undefined for the root realm. */
  realm?: string;
  /** AM's `ForceAuth=true`: run the journey even if the browser has a session (an OAuth `prompt=login`). */
  forceAuth?: true;
}

export type Route =
  JourneyRoute | { kind: 'success'; locale?: string } | { kind: 'invalid'; problem: 'journey' | 'authIndexType' | 'realm'; locale?: string };

const JOURNEY_NAME = /^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$/;
const SUSPENDED_ID = /^[A-Za-z0-9_.~-]{1,512}$/;
const LOCALE = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/;
const REALM_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_URL_PARAM = 2048;

const param = (params: URLSearchParams, name: string): string | undefined => {
  const value = params.get(name);
  return value === null || value === '' || value.length > MAX_URL_PARAM ? undefined : value;
};

/** "/alpha", "alpha/beta", "/" → "/alpha", "/alpha/beta", undefined; null when malformed. */
export function normaliseRealm(realm: string | undefined): string | undefined | null {
  if (realm === undefined) return undefined;
  const segments = realm.split('/').filter((s) => s !== '');
  if (segments[0] === 'root') segments.shift();
  if (segments.length === 0) return undefined;
  return segments.every((s) => REALM_SEGMENT.test(s)) ? `/${segments.join('/')}` : null;
}

/** Parses `location.search` and `location.hash` (each with or without its leading ? / #). */
export function parseRoute(search: string, hash: string): Route {
  const query = new URLSearchParams(search.replace(/^\?/, ''));
  const rawHash = hash.replace(/^#/, '');
  const [hashPath = '', hashQuery = ''] = rawHash.split(/[?&](.*)/s, 2);
  // Parameters carried in the hash (XUI style "#/service/Login?goto=…") complete those of the query.
  for (const [name, value] of new URLSearchParams(hashQuery)) if (!query.has(name)) query.set(name, value);

  const localeParam = param(query, 'locale');
  const locale = localeParam !== undefined && LOCALE.test(localeParam) ? localeParam : undefined;
  const withLocale = <T extends object>(route: T): T & { locale?: string } => (locale ? { ...route, locale } : route);

  if (/^\/?success\/?$/.test(hashPath)) return withLocale({ kind: 'success' as const });

  const hashService = /^\/?service\/(.+)$/.exec(hashPath);
  let journey: string;
  if (hashService) {
    journey = safeDecode(hashService[1] ?? '');
  } else {
    const type = param(query, 'authIndexType');
    if (type !== undefined && type !== 'service') return withLocale({ kind: 'invalid' as const, problem: 'authIndexType' as const });
    journey = param(query, 'authIndexValue') ?? DEFAULT_JOURNEY;
  }
  if (!JOURNEY_NAME.test(journey)) return withLocale({ kind: 'invalid' as const, problem: 'journey' as const });

  const realm = normaliseRealm(param(query, 'realm'));
  if (realm === null) return withLocale({ kind: 'invalid' as const, problem: 'realm' as const });

  const route: JourneyRoute = { kind: 'journey', journey };
  const suspendedId = param(query, 'suspendedId');
  // A hash route is an in-page move to another journey: an e-mailed suspendedId belongs to the query's journey.
  if (suspendedId !== undefined && SUSPENDED_ID.test(suspendedId) && !hashService) route.suspendedId = suspendedId;
  const goto = param(query, 'goto');
  if (goto !== undefined) route.goto = goto;
  const gotoOnFail = param(query, 'gotoOnFail');
  if (gotoOnFail !== undefined) route.gotoOnFail = gotoOnFail;
  if (locale !== undefined) route.locale = locale;
  if (realm !== undefined) route.realm = realm;
  if (param(query, 'ForceAuth')?.toLowerCase() === 'true') route.forceAuth = true;
  return route;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface ApiUrlOptions {
  /** Include `suspendedId`: only on the first call of a resumed journey. */
  resume: boolean;
  /** The language the pages are shown in, sent so server texts match. */
  locale?: string;
  /** Parameters a provider sent the person back with (`code`, `state`), forwarded once. */
  extra?: Readonly<Record<string, string>>;
}

/** The authenticate endpoint URL for a route, e.g. "/am/json/realms/root/authenticate?authIndexType=service&…". */
export function apiUrl(amBasePath: string, route: JourneyRoute, options: ApiUrlOptions): string {
  const base = amBasePath.replace(/\/+$/, '');
  const realmPath = (route.realm ?? '')
    .split('/')
    .filter((s) => s !== '')
    .map((s) => `/realms/${encodeURIComponent(s)}`)
    .join('');
  const query = new URLSearchParams();
  if (options.resume && route.suspendedId !== undefined) query.set('suspendedId', route.suspendedId);
  query.set('authIndexType', 'service');
  query.set('authIndexValue', route.journey);
  if (route.goto !== undefined) query.set('goto', route.goto);
  if (route.gotoOnFail !== undefined) query.set('gotoOnFail', route.gotoOnFail);
  const locale = options.locale ?? route.locale;
  if (locale !== undefined) query.set('locale', locale);
  if (route.forceAuth) query.set('ForceAuth', 'true');
  for (const [k, v] of Object.entries(options.extra ?? {})) query.set(k, v);
  return `${base}/json/realms/root${realmPath}/authenticate?${query.toString()}`;
}

/** A link to another journey that keeps `goto`, `gotoOnFail`, `realm` and `locale` (never `suspendedId`). */
export function journeyHref(
  journey: string,
  from: { goto?: string; gotoOnFail?: string; realm?: string; locale?: string; forceAuth?: boolean },
): string {
  const query = new URLSearchParams();
  query.set('authIndexType', 'service');
  query.set('authIndexValue', journey);
  if (from.goto !== undefined) query.set('goto', from.goto);
  if (from.gotoOnFail !== undefined) query.set('gotoOnFail', from.gotoOnFail);
  if (from.realm !== undefined) query.set('realm', from.realm);
  if (from.locale !== undefined) query.set('locale', from.locale);
  if (from.forceAuth) query.set('ForceAuth', 'true');
  return `?${query.toString()}`;
}

/** The search string without `suspendedId` (for history.replaceState once the id was used). */
export function withoutSuspendedId(search: string): string {
  const query = new URLSearchParams(search.replace(/^\?/, ''));
  query.delete('suspendedId');
  const rest = query.toString();
  return rest === '' ? '' : `?${rest}`;
}

/** The search string with `locale` set (the language selector keeps the choice in the address). */
export function withLocale(search: string, locale: string): string {
  const query = new URLSearchParams(search.replace(/^\?/, ''));
  query.set('locale', locale);
  return `?${query.toString()}`;
}
