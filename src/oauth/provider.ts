/**
 * One realm's OpenID provider: oidc-provider (certified; panva's) configured as AM serves it.
 * AM's paths under `{base}/oauth2[/realms/root]` (authorize, access_token, userinfo, token/revoke,
 * introspect, connect/endSession, connect/jwk_uri); authorization code with PKCE S256 only (every
 * client); refresh tokens rotated on each use; opaque access tokens kept (hashed) in Cairn's store;
 * ID tokens signed RS256 with the keystore's rotating `oidc` keys. What AM-compatibility needs and
 * the library does not do by itself is here too, each next to its reason:
 * - the session is Cairn's journey session (session-adapter.ts; cookie of the same name);
 * - consent is implied: registered clients are first-party, so the grant is made on the spot;
 * - an interactive authorize sends the person to the hosted journey page, back through resume.ts;
 * - errors are JSON (`{error, error_description}`), never an HTML page;
 * - a store that cannot answer now (a database outage) is 503 `temporarily_unavailable`, not a
 *   `server_error`: every storage call and account lookup the provider makes is guarded.
 */
import type { Account, Adapter, FindAccount, KoaContextWithOIDC, ClientMetadata, Configuration, Grant, JWK, Provider } from 'oidc-provider';
import type { Settings } from '../config/settings.js';
import { isUnavailable } from '../errors/cairn-error.js';
import type { StoredKey } from '../keys/keystore.js';
import { cookieAttributes } from '../am/cookies.js';
import { CLAIMS, accountFinder, type AccountReader } from './account.js';
import { SUPPORTED_SCOPES } from './clients.js';

/** AM's endpoint paths, relative to a realm's `oauth2` base. */
export const ROUTES = {
  authorization: '/authorize',
  token: '/access_token',
  userinfo: '/userinfo',
  revocation: '/token/revoke',
  introspection: '/introspect',
  end_session: '/connect/endSession',
  jwks: '/connect/jwk_uri',
  pushed_authorization_request: '/par',
} as const;

export const RESUME_COOKIE = 'cairn_oauth_resume';
const INTERACTION_COOKIE = 'cairn_oauth_interaction';
const HOSTED_PAGE = '/login/';

export interface ProviderOptions {
  settings: Readonly<Settings>;
  issuer: string;
  clients: ClientMetadata[];
  /** The retained `oidc` signing keys, current first. */
  keys: readonly StoredKey[];
  adapter: (model: string) => Adapter;
  identity: AccountReader;
  /** The journeys that exist (an authorize may name one with `service` or `acr_values`). */
  journeys: () => readonly string[];
  /** Origins allowed to call the token endpoint from a browser. */
  corsOrigins: ReadonlySet<string>;
  /** The realm (`/`, `/alpha`): its people (`identityResource`) sign in on the hosted page in that realm. */
  realm?: string;
  identityResource?: string;
}

/** The public and private RSA JWK oidc-provider signs with. */
export function signingJwk(key: StoredKey): JWK {
  if (!key.rsa) throw new TypeError(`key ${key.kid} is not an RSA key`);
  return { kty: 'RSA', kid: key.kid, alg: 'RS256', use: 'sig', ...key.rsa };
}

const first = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The journey an authorize asks for: `service` (AM), `authIndexValue`, or the first known `acr_values`; else Login. */
export function journeyOf(params: Record<string, unknown>, journeys: readonly string[]): string {
  const known = new Set(journeys);
  const named = first(params.service) ?? (first(params.authIndexType) === 'service' ? first(params.authIndexValue) : undefined);
  if (named && known.has(named)) return named;
  for (const acr of (first(params.acr_values) ?? '').split(' ')) if (known.has(acr)) return acr;
  return 'Login';
}

/** Implied consent: the grant of this session and client, extended to what is asked now. */
async function impliedGrant(ctx: KoaContextWithOIDC): Promise<Grant | undefined> {
  const { client, session, params, provider } = ctx.oidc;
  const accountId = session?.accountId;
  if (!client || !accountId) return undefined;
  const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  let grant = grantId ? await provider.Grant.find(grantId) : undefined;
  if (grant && (grant.accountId !== accountId || grant.clientId !== client.clientId)) grant = undefined;
  const isNew = !grant;
  grant ??= new provider.Grant({ clientId: client.clientId, accountId });
  const before = grant.getOIDCScope();
  const requested = String(params?.scope ?? '')
    .split(' ')
    .filter(Boolean);
  if (requested.length) grant.addOIDCScope(requested);
  // Saved only when it changes: an authorize the grant already covers writes nothing here.
  if (isNew || grant.getOIDCScope() !== before) await grant.save();
  return grant;
}

/** Whether `error` is a store outage, as it comes out of the provider's storage (or before it was guarded). */
export function isOAuthUnavailable(error: unknown): boolean {
  return isUnavailable(error) || (error instanceof Error && (error as { error?: unknown }).error === 'temporarily_unavailable');
}

/** Rethrows what `fn` throws, a store outage as `unavailable()` instead. */
function guarded<A extends unknown[], R>(fn: (...args: A) => Promise<R>, unavailable: () => Error): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (error) {
      throw isUnavailable(error) ? unavailable() : error;
    }
  };
}

/** The methods of oidc-provider's Adapter interface. */
const ADAPTER_METHODS = ['upsert', 'find', 'findByUserCode', 'findByUid', 'consume', 'destroy', 'revokeByGrantId'] as const;

/** `adapter` (a plain object or a class instance) with every method guarded. */
function guardedAdapter(adapter: Adapter, unavailable: () => Error): Adapter {
  const wrapped: Partial<Record<(typeof ADAPTER_METHODS)[number], unknown>> = {};
  for (const name of ADAPTER_METHODS) {
    const fn = adapter[name] as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (typeof fn === 'function') wrapped[name] = guarded(fn.bind(adapter), unavailable);
  }
  return wrapped as Adapter;
}

/**
 * Builds the provider. oidc-provider is loaded here, on first use, not when the server's modules
 * load: command-line tools that never serve OAuth do not load it (nor print its runtime notice).
 */
export async function createProvider(options: ProviderOptions): Promise<Provider> {
  const { Provider, errors } = await import('oidc-provider');
  // Shown to the client (expose), with the status oidc-provider answers and redirects with (RFC 6749 §4.1.2.1, §5.2 by analogy).
  const unavailable = (): Error => {
    const e = new errors.OIDCProviderError(503, 'temporarily_unavailable');
    e.error_description = 'The server cannot answer this request now; try again.';
    e.expose = true;
    return e;
  };
  const { settings, issuer } = options;
  const attributes = cookieAttributes(settings);
  const sameSite = attributes.sameSite.toLowerCase() as 'lax' | 'strict' | 'none';
  const partitioned = attributes.partitioned;
  const domain = settings.cookieDomain;
  const accessTtl = settings.oauthAccessTokenSeconds;
  const refreshTtl = settings.oauthRefreshTokenDays * 86_400;

  const configuration: Configuration = {
    adapter: (model: string) => guardedAdapter(options.adapter(model), unavailable),
    clients: options.clients,
    jwks: { keys: options.keys.map(signingJwk) },
    findAccount: guarded(
      accountFinder(options.identity, options.identityResource) as (...args: Parameters<FindAccount>) => Promise<Account | undefined>,
      unavailable,
    ),
    acrValues: [...options.journeys()],
    // The login's facts (which journey, when, which session) go in every ID token, as AM puts them.
    claims: { ...CLAIMS, openid: [...CLAIMS.openid, 'acr', 'auth_time', 'sid'], iss: null },
    scopes: [...SUPPORTED_SCOPES],
    responseTypes: ['code'],
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
    pkce: { required: () => true },
    clientDefaults: { grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], id_token_signed_response_alg: 'RS256' },
    extraParams: ['service', 'authIndexType', 'authIndexValue', 'locale'],
    routes: { ...ROUTES },
    cookies: {
      // The provider's session cookie is Cairn's session cookie: the same name and attributes.
      names: { session: settings.cookieName, interaction: INTERACTION_COOKIE, resume: RESUME_COOKIE },
      long: { httpOnly: true, sameSite, partitioned, path: '/', ...(domain ? { domain } : {}) },
      short: { httpOnly: true, sameSite, partitioned, path: '/' },
    },
    ttl: {
      AccessToken: accessTtl,
      IdToken: accessTtl,
      AuthorizationCode: settings.oauthCodeSeconds,
      RefreshToken: (ctx, token, client) => {
        // A rotated public-client refresh token does not outlive the one it replaced.
        const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
        return rotated && client.clientAuthMethod === 'none' ? rotated.remainingTTL : refreshTtl;
      },
      Grant: refreshTtl,
      Interaction: settings.authIdLifetimeSeconds * 6,
      // The provider's view of a session lives exactly as long as the Cairn session.
      Session: (_ctx, session) => Math.max(1, (session.exp ?? 0) - Math.floor(Date.now() / 1000)),
    },
    // AM issues refresh tokens to clients allowed the grant, without asking for offline_access.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    loadExistingGrant: impliedGrant,
    interactions: {
      url(_ctx, interaction) {
        const q = new URLSearchParams({
          ...(options.realm && options.realm !== '/' ? { realm: options.realm } : {}),
          authIndexType: 'service',
          authIndexValue: journeyOf(interaction.params, options.journeys()),
        });
        q.set('goto', new URL(interaction.returnTo).pathname);
        // A fresh login is asked for: the page must not answer with the session it already has.
        if (interaction.prompt.reasons.some((r) => r === 'login_prompt' || r === 'max_age' || r === 'id_token_hint')) q.set('ForceAuth', 'true');
        const locale = first(interaction.params.locale) ?? first(interaction.params.ui_locales)?.split(' ')[0];
        if (locale) q.set('locale', locale);
        return `${HOSTED_PAGE}?${q.toString()}`;
      },
    },
    clientBasedCORS: (_ctx, origin) => options.corsOrigins.has(origin),
    renderError(ctx, out) {
      ctx.type = 'json';
      ctx.body = { error: out.error, ...(out.error_description ? { error_description: out.error_description } : {}) };
    },
    features: {
      devInteractions: { enabled: false },
      // A resource server (confidential client) may introspect any token; a public client only its own.
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => client.clientAuthMethod !== 'none' || token.clientId === client.clientId,
      },
      // A client revokes only its own tokens; another's is left alone (and, per RFC 7009, still answered 200).
      revocation: { enabled: true, allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId },
      // Served by end-session.ts ahead of the provider (by fetch and by redirect); enabled so discovery lists it.
      rpInitiatedLogout: { enabled: true },
      userinfo: { enabled: true },
      registration: { enabled: false },
    },
    discovery: { claim_types_supported: ['normal'] },
    clockTolerance: 5,
  };
  const provider = new Provider(issuer, configuration);
  // AM's ID tokens name the session they came from, so that endSession with only an id_token_hint
  // (the SDK's logout, after it revoked the access token) ends the right session; oidc-provider
  // includes `sid` only for clients registered for back-channel logout.
  (provider.Client.prototype as { includeSid: () => boolean }).includeSid = () => true;
  // Requests reach it with X-Forwarded-Proto/Host set from CAIRN_PUBLIC_URL by the router.
  provider.proxy = true;
  return provider;
}
