/**
 * Signing in with an OpenID Connect provider, done by openid-client (panva's, certified): discovery
 * from the well-known endpoint (cached per provider), the authorization request with PKCE (S256),
 * `state` and `nonce`, and on the way back the code exchange with every check the library makes —
 * state, the ID token's issuer, audience, expiry, nonce and signature (JWKS) — then userinfo. What
 * the journey must keep between the two (state, nonce, PKCE verifier) is returned to the node, which
 * keeps it in its own state inside the encrypted authId; the client secret never leaves this module.
 */
import * as oidc from 'openid-client';
import type { SocialProvider, SocialProviderSet } from './providers.js';

/** What a sign-in started with and must be checked against when the provider sends the person back. */
export interface SocialChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface SocialSignIn {
  /** The provider's subject (`sub`). */
  subject: string;
  /** The ID token's claims with userinfo's over them: the raw profile the normalisation script reads. */
  profile: Record<string, unknown>;
}

export class SocialSignInError extends Error {
  constructor(
    readonly reason: 'unknown-provider' | 'discovery' | 'no-code' | 'rejected' | 'replayed',
    message: string,
    /** The provider it was about. */
    readonly provider?: string,
  ) {
    super(message);
    this.name = 'SocialSignInError';
  }
}

export interface SocialPort {
  /** The enabled providers, for Select Identity Provider. */
  providers(): { name: string; uiConfig?: Record<string, unknown> }[];
  /** The provider's normalisation script id (`transform`). */
  transformOf(name: string): string | undefined;
  begin(name: string): Promise<{ url: string; checks: SocialChecks }>;
  /** `query`: the parameters the person came back with (`code`, `state`, `error`, …). */
  complete(name: string, query: Readonly<Record<string, string | undefined>>, checks: SocialChecks): Promise<SocialSignIn>;
}

/** openid-client's error, its OAuth error code and the check that failed (no token or secret is in them). */
function reasonOf(e: unknown): string {
  const err = e as { message?: string; code?: string; error?: string; cause?: { message?: string; error?: string } };
  const parts = [err.message ?? String(e)];
  if (err.error) parts.push(err.error);
  if (err.cause?.error) parts.push(err.cause.error);
  else if (err.cause?.message) parts.push(err.cause.message);
  return parts.join(': ');
}

const isLoopback = (url: URL): boolean => url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';

export function createSocialPort(set: SocialProviderSet, options: { timeoutMs?: number } = {}): SocialPort {
  const configs = new Map<string, Promise<oidc.Configuration>>();

  function providerOf(name: string): SocialProvider {
    const p = set.get(name);
    if (!p || p.config.enabled === false)
      throw new SocialSignInError('unknown-provider', `There is no enabled social identity provider "${name}".`, name);
    return p;
  }

  function configOf(p: SocialProvider): Promise<oidc.Configuration> {
    const name = p.config._id;
    let c = configs.get(name);
    if (!c) {
      const wellKnown = new URL(p.config.wellKnownEndpoint);
      const auth =
        p.clientSecret === undefined
          ? oidc.None()
          : p.config.clientAuthenticationMethod === 'CLIENT_SECRET_BASIC'
            ? oidc.ClientSecretBasic(p.clientSecret)
            : oidc.ClientSecretPost(p.clientSecret);
      c = oidc
        .discovery(wellKnown, p.config.clientId, undefined, auth, {
          // Plain http only for a provider on this machine (development, tests).
          ...(wellKnown.protocol === 'http:' && isLoopback(wellKnown) ? { execute: [oidc.allowInsecureRequests] } : {}),
          timeout: Math.ceil((options.timeoutMs ?? 10_000) / 1000),
        })
        .catch((e: unknown) => {
          configs.delete(name); // try again next time
          throw new SocialSignInError('discovery', `The provider ${name} cannot be reached at ${wellKnown.href}: ${(e as Error).message}`, name);
        });
      configs.set(name, c);
    }
    return c;
  }

  return {
    providers: () => set.enabled().map((p) => ({ name: p.config._id, ...(p.config.uiConfig ? { uiConfig: p.config.uiConfig } : {}) })),
    transformOf: (name) => set.get(name)?.config.transform,

    async begin(name) {
      const p = providerOf(name);
      const config = await configOf(p);
      const checks: SocialChecks = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
      const params: Record<string, string> = {
        redirect_uri: p.config.redirectURI,
        scope: (p.config.scopes ?? ['openid']).join(' '),
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
      };
      if (p.config.acrValues?.length) params.acr_values = p.config.acrValues.join(' ');
      return { url: oidc.buildAuthorizationUrl(config, params).href, checks };
    },

    async complete(name, query, checks) {
      const p = providerOf(name);
      const config = await configOf(p);
      if (query.error !== undefined) throw new SocialSignInError('rejected', `The provider ${name} answered ${query.error}.`, name);
      if (query.code === undefined) throw new SocialSignInError('no-code', `The provider ${name} sent no code.`, name);
      const back = new URL(p.config.redirectURI);
      for (const k of ['code', 'state', 'iss', 'session_state']) {
        const v = query[k];
        if (v !== undefined) back.searchParams.set(k, v);
      }
      // The SDK's FRAuth.resume forwards code and state, not RFC 9207's `iss`: the state is bound to
      // the provider chosen in this journey, which is what `iss` protects (mix-up), so it is its issuer.
      if (!back.searchParams.has('iss') && config.serverMetadata().authorization_response_iss_parameter_supported) {
        back.searchParams.set('iss', config.serverMetadata().issuer);
      }
      try {
        const tokens = await oidc.authorizationCodeGrant(config, back, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (!claims) throw new Error('no ID token');
        const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        const {
          aud: _aud,
          exp: _exp,
          iat: _iat,
          nonce: _nonce,
          at_hash: _ath,
          c_hash: _ch,
          auth_time: _at,
          azp: _azp,
          sid: _sid,
          ...identity
        } = claims;
        return { subject: claims.sub, profile: { ...identity, ...info } };
      } catch (e) {
        throw new SocialSignInError('rejected', `Signing in with ${name} failed: ${reasonOf(e)}`, name);
      }
    },
  };
}
