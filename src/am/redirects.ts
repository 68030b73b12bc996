/**
 * `goto` / `gotoOnFail` validation: only relative paths on this server and URLs under a configured
 * prefix are honoured; anything else is ignored (AM falls back to the default URL), so the
 * authenticate API cannot be used as an open redirector. "Under" respects path segments: the prefix
 * `https://app.example/cb` admits `/cb`, `/cb/…` and `/cb?…`, never `/cbevil`.
 */

/** Whether `path` is `prefix` or inside it, segment-wise (a prefix ending in `/` covers what follows). */
export function underPath(path: string, prefix: string): boolean {
  if (prefix === '' || prefix === '/' || path === prefix) return true;
  return path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

export function allowedRedirect(value: string | undefined, allowlist: readonly string[]): string | undefined {
  if (!value || value.length > 2048) return undefined;
  // A path on this server: one leading slash, not protocol-relative, no backslash tricks.
  // eslint-disable-next-line no-control-regex -- a path with control characters is refused
  if (/^\/(?![/\\])/.test(value) && !/[\\\u0000-\u001f]/.test(value)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username || url.password) return undefined;
  for (const prefix of allowlist) {
    let p: URL;
    try {
      p = new URL(prefix);
    } catch {
      continue;
    }
    const samePlace = url.origin === p.origin && underPath(url.pathname, p.pathname);
    if (samePlace) return url.href;
  }
  return undefined;
}
