/**
 * Back from the hosted journey page to an interactive authorize. oidc-provider sent the person to
 * `/login/?…&goto=<this path>`; the journey's success set Cairn's session cookie and the page followed
 * `goto` here. The interaction (the stored authorize request) is taken once — it must belong to this
 * browser (its resume cookie) — and the browser is sent to the same authorize request again, which
 * the new session now satisfies without interaction. `prompt` is dropped only when the session is not
 * the one the request started with (a journey ran and made a new one), so `prompt=login` or
 * `max_age` are met by a real, new login; a person who comes back without signing in just gets the
 * sign-in page again.
 */
import type { Request, Response } from 'express';
import type { Provider } from 'oidc-provider';
import type { Settings } from '../config/settings.js';
import { cookieAttributes, parseCookies, readSessionToken } from '../am/cookies.js';
import { sessionKey, type SessionService } from '../sessions/session-service.js';
import { sendOAuthError } from './oauth-error.js';
import { RESUME_COOKIE } from './provider.js';

const UID = /^[A-Za-z0-9_-]{10,64}$/;

export async function resumeAuthorize(
  req: Request,
  res: Response,
  deps: { provider: Provider; settings: Readonly<Settings>; sessions: Pick<SessionService, 'validate'>; mount: string },
): Promise<void> {
  const uid = String(req.params.uid ?? '');
  if (!UID.test(uid) || parseCookies(req.get('cookie')).get(RESUME_COOKIE) !== uid) {
    sendOAuthError(res, 400, 'invalid_request', 'This sign-in request has expired or belongs to another browser; start again from the application.');
    return;
  }
  const interaction = await deps.provider.Interaction.find(uid);
  if (!interaction) {
    sendOAuthError(res, 400, 'invalid_request', 'This sign-in request has expired; start again from the application.');
    return;
  }
  await interaction.destroy();
  const session = await deps.sessions.validate(readSessionToken(req, deps.settings.cookieName));
  const before = (interaction.session as { uid?: string } | undefined)?.uid;
  const fresh = !!session && sessionKey(session.tokenId) !== before;
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(interaction.params)) {
    if (name === 'prompt' && fresh) continue;
    for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') query.append(name, v);
  }
  // Cleared with the attributes it was set with (a partitioned cookie is only replaced by a partitioned one).
  const a = cookieAttributes(deps.settings);
  const attributes = `SameSite=${a.sameSite}${a.secure ? '; Secure' : ''}${a.partitioned ? '; Partitioned' : ''}`;
  res.setHeader('Set-Cookie', `${RESUME_COOKIE}=; Path=${req.baseUrl}${req.path}; HttpOnly; ${attributes}; Max-Age=0`);
  res.setHeader('Cache-Control', 'no-store');
  res.redirect(303, `${deps.mount}/authorize?${query.toString()}`);
}
