// A small in-memory cookie jar (RFC 6265 §5.2–5.4 subset) plus a fetch wrapper using it: one jar =
// one browser. Decides which Set-Cookie headers are kept (Domain must match the host, Max-Age beats
// Expires, expired = delete) and what a request carries (host/domain, path, Secure only over https
// or to loopback). Not modelled: public suffixes, SameSite, size limits. Clock is injected.

export interface StoredCookie {
  readonly name: string;
  readonly value: string;
  /** Lower-case host (host-only cookie) or Domain attribute without its leading dot. */
  readonly domain: string;
  readonly hostOnly: boolean;
  readonly path: string;
  /** Epoch ms; undefined for a session cookie. */
  readonly expiresAt: number | undefined;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite: string | undefined;
  readonly createdAt: number;
}

export interface CookieJar {
  /** Stores one Set-Cookie header value received from `requestUrl`; returns the stored cookie, or undefined if rejected/deleted. */
  setCookie(setCookieHeader: string, requestUrl: string | URL): StoredCookie | undefined;
  /** Stores every Set-Cookie header of a response (uses `headers.getSetCookie()`). */
  storeFromResponse(response: Response, requestUrl: string | URL): void;
  /** The `Cookie` header value a browser would send to `url` ('' when none). */
  cookieHeader(url: string | URL): string;
  /** Value of the cookie `name` that would be sent to `url` (or, without url, any live cookie of that name). */
  get(name: string, url?: string | URL): string | undefined;
  /** Live (unexpired) cookies, optionally only those sent to `url`. */
  list(url?: string | URL): StoredCookie[];
  clear(): void;
}

export interface CookieJarOptions {
  /** Clock in epoch ms; defaults to Date.now. */
  now?: () => number;
}

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

/** True for 127.0.0.0/8, ::1 and localhost: there a Secure cookie is stored and sent over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return LOOPBACK_HOSTS.has(host) || /^127(?:\.\d{1,3}){3}$/.test(host);
}

function isIpAddress(host: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || host.startsWith('[') || host.includes(':');
}

function toUrl(url: string | URL): URL {
  return url instanceof URL ? url : new URL(url);
}

/** RFC 6265 §5.1.4 default-path: the request path up to (not including) its last '/'. */
function defaultPath(url: URL): string {
  const path = url.pathname;
  if (!path.startsWith('/')) return '/';
  const lastSlash = path.lastIndexOf('/');
  return lastSlash <= 0 ? '/' : path.slice(0, lastSlash);
}

/** RFC 6265 §5.1.3 domain-match. */
function domainMatches(host: string, domain: string): boolean {
  if (host === domain) return true;
  return !isIpAddress(host) && host.endsWith(`.${domain}`);
}

/** RFC 6265 §5.1.4 path-match. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

interface ParsedSetCookie {
  name: string;
  value: string;
  domain: string | undefined;
  path: string | undefined;
  maxAgeSeconds: number | undefined;
  expires: number | undefined;
  secure: boolean;
  httpOnly: boolean;
  sameSite: string | undefined;
}

/** RFC 6265 §5.2 parsing; returns undefined for a header the algorithm says to ignore. */
export function parseSetCookie(header: string): ParsedSetCookie | undefined {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq < 0) return undefined;
  const name = pair.slice(0, eq).trim();
  if (name === '') return undefined;
  const parsed: ParsedSetCookie = {
    name,
    value: pair.slice(eq + 1).trim(),
    domain: undefined,
    path: undefined,
    maxAgeSeconds: undefined,
    expires: undefined,
    secure: false,
    httpOnly: false,
    sameSite: undefined,
  };
  for (const attribute of attributes) {
    const aeq = attribute.indexOf('=');
    const key = (aeq < 0 ? attribute : attribute.slice(0, aeq)).trim().toLowerCase();
    const value = aeq < 0 ? '' : attribute.slice(aeq + 1).trim();
    switch (key) {
      case 'expires': {
        const time = Date.parse(value);
        if (!Number.isNaN(time)) parsed.expires = time;
        break;
      }
      case 'max-age':
        if (/^-?\d+$/.test(value)) parsed.maxAgeSeconds = Number(value);
        break;
      case 'domain':
        if (value !== '') parsed.domain = value.replace(/^\./, '').toLowerCase();
        break;
      case 'path':
        parsed.path = value.startsWith('/') ? value : undefined;
        break;
      case 'secure':
        parsed.secure = true;
        break;
      case 'httponly':
        parsed.httpOnly = true;
        break;
      case 'samesite':
        parsed.sameSite = value;
        break;
      default:
        break; // unknown attributes are ignored, as browsers do
    }
  }
  return parsed;
}

export function createCookieJar(options: CookieJarOptions = {}): CookieJar {
  const now = options.now ?? Date.now;
  let cookies: StoredCookie[] = [];

  const isLive = (cookie: StoredCookie): boolean => cookie.expiresAt === undefined || cookie.expiresAt > now();
  const prune = (): void => {
    cookies = cookies.filter(isLive);
  };
  const sameSlot = (a: StoredCookie, b: { name: string; domain: string; path: string }): boolean =>
    a.name === b.name && a.domain === b.domain && a.path === b.path;

  const sentTo = (cookie: StoredCookie, url: URL): boolean => {
    const host = url.hostname.toLowerCase();
    const hostOk = cookie.hostOnly ? host === cookie.domain : domainMatches(host, cookie.domain);
    const secureOk = !cookie.secure || url.protocol === 'https:' || isLoopbackHost(host);
    return hostOk && secureOk && pathMatches(url.pathname || '/', cookie.path);
  };

  const list = (url?: string | URL): StoredCookie[] => {
    prune();
    if (url === undefined) return [...cookies];
    const target = toUrl(url);
    return cookies.filter((cookie) => sentTo(cookie, target)).sort((a, b) => b.path.length - a.path.length); // stable: ties stay in creation order
  };

  const setCookie = (header: string, requestUrl: string | URL): StoredCookie | undefined => {
    const parsed = parseSetCookie(header);
    if (!parsed) return undefined;
    const url = toUrl(requestUrl);
    const host = url.hostname.toLowerCase();
    if (parsed.domain !== undefined && !domainMatches(host, parsed.domain)) return undefined;
    if (parsed.secure && url.protocol !== 'https:' && !isLoopbackHost(host)) return undefined;
    const created = now();
    let expiresAt: number | undefined;
    if (parsed.maxAgeSeconds !== undefined) {
      expiresAt = parsed.maxAgeSeconds <= 0 ? Number.NEGATIVE_INFINITY : created + parsed.maxAgeSeconds * 1000;
    } else if (parsed.expires !== undefined) {
      expiresAt = parsed.expires;
    }
    const slot = { name: parsed.name, domain: parsed.domain ?? host, path: parsed.path ?? defaultPath(url) };
    const index = cookies.findIndex((c) => sameSlot(c, slot));
    const previous = index >= 0 ? cookies[index] : undefined;
    const cookie: StoredCookie = {
      ...slot,
      value: parsed.value,
      hostOnly: parsed.domain === undefined,
      expiresAt,
      secure: parsed.secure,
      httpOnly: parsed.httpOnly,
      sameSite: parsed.sameSite,
      createdAt: previous?.createdAt ?? created,
    };
    if (!isLive(cookie)) {
      if (index >= 0) cookies.splice(index, 1); // an expired Set-Cookie is a deletion
      return undefined;
    }
    if (index >= 0)
      cookies[index] = cookie; // a replacement keeps its creation order
    else cookies.push(cookie);
    return cookie;
  };

  return {
    setCookie,
    storeFromResponse(response, requestUrl) {
      for (const header of response.headers.getSetCookie()) setCookie(header, requestUrl);
    },
    cookieHeader(url) {
      return list(url)
        .map((c) => `${c.name}=${c.value}`)
        .join('; ');
    },
    get(name, url) {
      return list(url).find((c) => c.name === name)?.value;
    },
    list,
    clear() {
      cookies = [];
    },
  };
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 20;

/**
 * A fetch that sends the jar's cookies and stores every Set-Cookie it receives, including on
 * redirect hops (followed here, by hand, so intermediate cookies are not lost). `credentials:
 * 'omit'` bypasses the jar; `redirect: 'manual'` returns the 3xx as is, `'error'` rejects on it.
 */
export function createJarFetch(jar: CookieJar, baseFetch: typeof fetch): typeof fetch {
  return async function jarFetch(input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const useJar = request.credentials !== 'omit';
    const redirectMode = request.redirect;
    let url = new URL(request.url);
    let method = request.method;
    let body: ArrayBuffer | null = request.body ? await request.arrayBuffer() : null;
    const headers = new Headers(request.headers);
    const explicitCookie = headers.get('cookie');

    for (let hop = 0; ; hop += 1) {
      if (useJar) {
        const fromJar = jar.cookieHeader(url);
        const cookie = [fromJar, explicitCookie].filter((part) => part).join('; ');
        if (cookie) headers.set('cookie', cookie);
        else headers.delete('cookie');
      }
      const response = await baseFetch(url, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: request.signal,
      });
      if (useJar) jar.storeFromResponse(response, url);
      const location = response.headers.get('location');
      if (redirectMode === 'manual' || !REDIRECT_STATUSES.has(response.status) || location === null) return response;
      if (redirectMode === 'error') throw new TypeError(`jarFetch: redirect from ${url.href} with redirect: 'error'`);
      if (hop >= MAX_REDIRECTS) throw new TypeError(`jarFetch: more than ${MAX_REDIRECTS} redirects from ${request.url}`);
      await response.body?.cancel();
      url = new URL(location, url);
      const becomesGet = (response.status === 303 && method !== 'HEAD') || ([301, 302].includes(response.status) && method === 'POST');
      if (becomesGet) {
        method = 'GET';
        body = null;
        headers.delete('content-type');
        headers.delete('content-length');
      }
    }
  };
}
