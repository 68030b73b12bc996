/**
 * The OAuth 2.0 / OIDC part of a server, composed from Cairn's parts: the store adapter and the
 * session bridge over the store, the session service wrapped so that ending a session revokes its
 * tokens, the clients file, and one provider per realm (the root realm until realms exist), rebuilt
 * whenever the keystore rotates the ID-token signing key (its JWKS keeps the retained keys).
 */
import type { ClientMetadata, KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { Settings } from '../config/settings.js';
import type { Keystore } from '../keys/keystore.js';
import type { SessionService } from '../sessions/session-service.js';
import type { KeyValueStore, SessionStore } from '../stores/types.js';
import type { AuditPort } from '../audit/audit-log.js';
import { pseudonym } from '../audit/pseudonym.js';
import type { AccountReader } from './account.js';
import { loadClients } from './clients.js';
import { createProvider } from './provider.js';
import { createSessionBridge } from './session-adapter.js';
import { withTokenRevocation, type RevokingSessions } from './session-revocation.js';
import { createOidcStorage, type OidcStorage } from './store-adapter.js';
import { realmSessions } from '../realms/sessions.js';

export const ROOT_REALM = '/';

export interface OAuth {
  /** The session service every protocol must use: ending a session revokes its tokens. */
  sessions: RevokingSessions;
  /** The store key of the session an ID token's `sid` names. */
  sessionOfSid(sid: string): Promise<string | undefined>;
  storage: OidcStorage;
  clients: readonly ClientMetadata[];
  /** The issuer of a realm, e.g. `https://id.example.com/am/oauth2` for the root realm (AM's form). */
  issuer(realm: string): string;
  /** The realm's provider; undefined for a realm that does not exist. */
  provider(realm: string): Promise<Provider | undefined>;
  /** The realm's settings (its session cookie), and its view of the sessions; undefined for a realm not served. */
  realm(realm: string): { settings: Readonly<Settings>; sessions: RevokingSessions } | undefined;
}

export interface OAuthDeps {
  settings: Readonly<Settings>;
  kv: KeyValueStore;
  sessionStore: SessionStore;
  sessions: SessionService;
  keystore: Keystore;
  identity: AccountReader;
  journeys: () => readonly string[];
  now: () => number;
  /** Audit events (`oauth.token.issued`, `oauth.grant.revoked`); secret-free, the person pseudonymised. */
  audit?: AuditPort;
  /** Internal errors inside the provider (answered as `server_error`). */
  onError?: (error: unknown) => void;
  /** The realms served besides root (default: root alone, from `settings`, `identity` and `journeys`). */
  realms?: readonly OAuthRealm[];
}

/** What a realm's provider is made of. */
export interface OAuthRealm {
  /** `/alpha`. */
  path: string;
  cookieName: string;
  identityResource: string;
  journeys: () => readonly string[];
}

export async function createOAuth(deps: OAuthDeps): Promise<{ oauth: OAuth; problems: string[] }> {
  const { settings, kv, keystore, now } = deps;
  const { clients, problems } = await loadClients(settings.oauthClientsFile);
  const storage = createOidcStorage({ kv, now });
  // `sessions` is defined below; the provider only ends sessions while serving requests.
  const bridge = createSessionBridge({
    sessions: deps.sessions,
    store: deps.sessionStore,
    kv,
    end: (tokenId) => sessions.logout(tokenId).then(() => undefined),
  });
  const sessions = withTokenRevocation(deps.sessions, { bridge, storage, store: deps.sessionStore });
  const issuer = (realm: string): string =>
    `${settings.publicUrl}${settings.amBasePath}/oauth2${realm === ROOT_REALM ? '' : `/realms/root${realm.replace(/\//g, '/realms/')}`}`;
  const corsOrigins = new Set(settings.corsOrigins.map((o) => o.replace(/\/$/, '')));
  const root: OAuthRealm = { path: ROOT_REALM, cookieName: settings.cookieName, identityResource: 'managed/user', journeys: deps.journeys };
  // Each realm's provider sees only the sessions of its realm (its cookie, its people).
  const served = new Map(
    [root, ...(deps.realms ?? []).filter((r) => r.path !== ROOT_REALM)].map((r) => {
      const own = realmSessions(sessions, r.path) as RevokingSessions;
      const realmBridge =
        r.path === ROOT_REALM && !deps.realms
          ? bridge
          : createSessionBridge({ sessions: own, store: deps.sessionStore, kv, end: (tokenId) => sessions.logout(tokenId).then(() => undefined) });
      return [
        r.path,
        {
          spec: r,
          settings: Object.freeze({ ...settings, cookieName: r.cookieName }),
          sessions: { ...sessions, ...own },
          adapter: (model: string) => (model === 'Session' ? realmBridge.adapter : storage.adapter(model)),
        },
      ] as const;
    }),
  );

  const built = new Map<string, { kids: string; provider: Provider }>();
  async function provider(realm: string): Promise<Provider | undefined> {
    const r = served.get(realm);
    if (!r) return undefined;
    const keys = await keystore.all('oidc');
    const kids = keys.map((k) => k.kid).join(' ');
    if (built.get(realm)?.kids !== kids) {
      const p = await createProvider({
        settings: r.settings,
        issuer: issuer(realm),
        clients,
        keys,
        adapter: r.adapter,
        identity: deps.identity,
        journeys: r.spec.journeys,
        corsOrigins,
        realm,
        identityResource: r.spec.identityResource,
      });
      const who = (accountId: string | undefined) => (accountId ? { subject: pseudonym(accountId) } : {});
      p.on('grant.success', (ctx: KoaContextWithOIDC) => {
        const fields = { clientId: ctx.oidc.client?.clientId, grantType: ctx.oidc.params?.grant_type, ...who(ctx.oidc.account?.accountId) };
        deps.audit?.record('oauth.token.issued', fields);
      });
      p.on('grant.revoked', (ctx: KoaContextWithOIDC) => {
        deps.audit?.record('oauth.grant.revoked', { clientId: ctx.oidc.client?.clientId });
      });
      p.on('server_error', (_ctx: unknown, error: unknown) => deps.onError?.(error));
      built.set(realm, { kids, provider: p });
    }
    return built.get(realm)?.provider;
  }

  const oauth: OAuth = {
    sessions,
    sessionOfSid: (sid) => bridge.sessionOfSid(sid),
    storage,
    clients,
    issuer,
    provider,
    realm: (realm) => {
      const r = served.get(realm);
      return r ? { settings: r.settings, sessions: r.sessions } : undefined;
    },
  };
  if (!problems.length && clients.length) {
    // oidc-provider checks client metadata when a client is first used: check every one now instead.
    const p = (await provider(ROOT_REALM)) as Provider;
    for (const c of clients) {
      try {
        await p.Client.find(c.client_id);
      } catch (e) {
        const detail = (e as { error_description?: string }).error_description ?? (e as Error).message;
        problems.push(`${settings.oauthClientsFile}: client ${JSON.stringify(c.client_id)}: ${detail}.`);
      }
    }
  }
  return { oauth, problems };
}
