/**
 * The PingIDM End User UI routes the hosted pages answer, so that IDM's e-mailed links open them:
 * `#/passwordreset`, `#/passwordreset/&token=…&code=…` (IDM 6.5/7 Vue UI), `#passwordReset/&token=…&code=…`
 * (IDM 4/5 UI), and likewise for registration (`#/registration`, `#register/`) and forgotten usernames
 * (`#/forgotusername`, `#forgotUsername/`). Parameters follow the route as `&name=value` pairs, URI-decoded
 * (IDM concatenates them unencoded; its tokens are URL-safe). Pure.
 */

export interface SelfServiceRoute {
  /** The process: `reset`, `registration` or `username`. */
  process: string;
  /** The IDM route name as it appeared, to rebuild the address ("passwordreset", "passwordReset", …). */
  routeName: string;
  /** `&token=…&code=…` and any other pairs after the route. */
  params: Record<string, string>;
}

const ROUTES: Readonly<Record<string, string>> = {
  passwordreset: 'reset',
  register: 'registration',
  registration: 'registration',
  forgotusername: 'username',
};
const ROUTE = /^#\/?([A-Za-z]+)\/?([^&]*)(&.*)?$/s;
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_PARAM = 8192;

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** The self-service route in `hash` (with its "#"), or undefined when the hash is not one. */
export function parseSelfServiceRoute(hash: string): SelfServiceRoute | undefined {
  const m = ROUTE.exec(hash);
  if (!m) return undefined;
  const routeName = m[1] as string;
  const process = ROUTES[routeName.toLowerCase()];
  if (!process) return undefined;
  const params: Record<string, string> = {};
  for (const pair of (m[3] ?? '').split('&')) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const name = at < 0 ? pair : pair.slice(0, at);
    const value = decode(at < 0 ? '' : pair.slice(at + 1));
    if (NAME.test(name) && value !== undefined && value.length <= MAX_PARAM) params[name] = value;
  }
  return { process, routeName, params };
}

/** The route without its parameters (once the e-mailed code was used, the address should not keep it). */
export function routeWithoutParams(route: SelfServiceRoute): string {
  return `#/${route.routeName.toLowerCase() === 'passwordreset' ? 'passwordreset' : route.routeName}/`;
}
