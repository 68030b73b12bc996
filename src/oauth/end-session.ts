/**
 * RP-initiated logout (`connect/endSession`), served by Cairn ahead of oidc-provider because the
 * ForgeRock SDK calls it by fetch (`FRUser.logout()` default) and expects the session to end without
 * a confirmation page. Either way — fetch or navigation — it ends the session named by the session
 * cookie (or, when a cross-site fetch carries no cookie, by the access token's session), revokes
 * what was issued in it, and clears the cookie. `id_token_hint` must verify (signature, issuer;
 * expiry ignored, as OIDC RP-Initiated Logout allows); `post_logout_redirect_uri` must be registered
 * for the client and is then followed (with `state`); without one, a fetch gets 204 and a navigation
 * the sign-in page.
 */
import express, { type Request, type Response } from 'express';
import { decodeJwt } from 'jose';
import type { Provider } from 'oidc-provider';
import type { Settings } from '../config/settings.js';
import { clearedSessionCookie, readSessionToken } from '../am/cookies.js';
import { sendOAuthError } from './oauth-error.js';
import type { RevokingSessions } from './session-revocation.js';

const form = express.urlencoded({ extended: false, limit: 16 * 1024, parameterLimit: 20 });
const one = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function parseBody(req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => form(req, res, (e?: unknown) => (e ? reject(e instanceof Error ? e : new Error(String(e))) : resolve())));
}

export interface EndSessionDeps {
  provider: Provider;
  settings: Readonly<Settings>;
  sessions: RevokingSessions;
  sessionOfSid(sid: string): Promise<string | undefined>;
}

export async function endSession(req: Request, res: Response, deps: EndSessionDeps): Promise<void> {
  const { provider, settings, sessions } = deps;
  if (req.method === 'POST') await parseBody(req, res);
  const params = (req.method === 'POST' ? req.body : req.query) as Record<string, unknown>;
  const hint = one(params.id_token_hint);
  const clientId = one(params.client_id);
  const redirect = one(params.post_logout_redirect_uri);

  let client = undefined as Awaited<ReturnType<Provider['Client']['find']>>;
  let hinted: { sub?: unknown; sid?: unknown } | undefined;
  if (hint) {
    let aud: unknown;
    try {
      aud = decodeJwt(hint).aud;
    } catch {
      sendOAuthError(res, 400, 'invalid_request', 'id_token_hint is not a JWT');
      return;
    }
    const audience: unknown = Array.isArray(aud) ? aud[0] : aud;
    client = typeof audience === 'string' ? await provider.Client.find(audience).catch(() => undefined) : undefined;
    hinted = client
      ? await provider.IdToken.validate(hint, client).then(
          (verified) => verified.payload as { sub?: unknown; sid?: unknown },
          () => undefined,
        )
      : undefined;
    if (!client || !hinted) {
      sendOAuthError(res, 400, 'invalid_request', 'id_token_hint could not be validated');
      return;
    }
    if (clientId && clientId !== client.clientId) {
      sendOAuthError(res, 400, 'invalid_request', 'client_id does not match the id_token_hint audience');
      return;
    }
  } else if (clientId) {
    client = await provider.Client.find(clientId).catch(() => undefined);
    if (!client) {
      sendOAuthError(res, 400, 'invalid_client', 'client is invalid');
      return;
    }
  }
  if (redirect && (!client || !client.postLogoutRedirectUriAllowed(redirect))) {
    sendOAuthError(res, 400, 'invalid_request', 'post_logout_redirect_uri not registered');
    return;
  }

  // The session: the cookie's; else (a cross-site fetch without it) the access token's; else the ID token's `sid`.
  const token = readSessionToken(req, settings.cookieName);
  if (!(token && (await sessions.logout(token)))) {
    const bearer = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(req.get('authorization') ?? '')?.[1];
    const accessToken = bearer ? await provider.AccessToken.find(bearer).catch(() => undefined) : undefined;
    const byToken = accessToken?.sessionUid && (!client || accessToken.clientId === client.clientId) ? accessToken.sessionUid : undefined;
    const bySid = !byToken && typeof hinted?.sid === 'string' ? await deps.sessionOfSid(hinted.sid) : undefined;
    const key = byToken ?? bySid;
    if (key) await sessions.endByKey(key);
  }

  res.setHeader('Set-Cookie', clearedSessionCookie(settings));
  res.setHeader('Cache-Control', 'no-store');
  if (redirect) {
    const target = new URL(redirect);
    const state = one(params.state);
    if (state) target.searchParams.set('state', state);
    res.redirect(302, target.href);
    return;
  }
  const navigation = req.get('sec-fetch-mode') === 'navigate' || (!req.get('authorization') && (req.get('accept') ?? '').includes('text/html'));
  if (navigation) res.redirect(302, '/login/');
  else res.status(204).end();
}
