/**
 * AM's `GET {base}/json[/realms/root]/serverinfo/{*|version|cookieDomains}`: the server facts the
 * SDKs, AM's UI and admin tools (frodo) read before anything else — the session cookie's name and
 * domains, which self-service features exist, and the AM version Cairn is compatible with.
 */
import type { RequestHandler } from 'express';
import type { Settings } from '../config/settings.js';
import { cookieAttributes } from './cookies.js';
import { amError, sendAmError } from './wire.js';

/** The AM release whose REST API Cairn answers like (tools choose API versions from it). */
export const AM_COMPATIBLE_VERSION = '7.5.0';
const CAIRN_VERSION = '0.1.0';

export function serverinfoHandler(deps: { settings: Readonly<Settings>; journeys: () => readonly string[] }): RequestHandler {
  const { settings } = deps;
  const domains = settings.cookieDomain ? [settings.cookieDomain] : [];
  return (req, res) => {
    const id = String(req.params.id ?? '');
    const has = (journey: string): 'true' | 'false' => (deps.journeys().includes(journey) ? 'true' : 'false');
    switch (id) {
      case '*':
        res.json({
          _id: '*',
          _rev: CAIRN_VERSION,
          domains,
          protectedUserAttributes: ['telephoneNumber', 'mail'],
          cookieName: settings.cookieName,
          secureCookie: cookieAttributes(settings).secure,
          forgotPassword: has('ResetPassword'),
          forgotUsername: has('ForgottenUsername'),
          kbaEnabled: 'false',
          selfRegistration: has('Registration'),
          lang: 'en-US',
          successfulUserRegistrationDestination: 'default',
          socialImplementations: [],
          referralsEnabled: 'false',
          zeroPageLogin: { enabled: false, refererWhitelist: [], allowedWithoutReferer: true },
          realm: '/',
          xuiUserSessionValidationEnabled: true,
          fileBasedConfiguration: true,
          userIdAttributes: [],
        });
        return;
      case 'version':
        res.json({
          _id: 'version',
          _rev: CAIRN_VERSION,
          version: AM_COMPATIBLE_VERSION,
          fullVersion: `Cairn ${CAIRN_VERSION} (ForgeRock Access Management ${AM_COMPATIBLE_VERSION} compatible)`,
          revision: CAIRN_VERSION,
          date: '',
        });
        return;
      case 'cookieDomains':
        res.json({ _id: 'cookieDomains', _rev: CAIRN_VERSION, domains });
        return;
      default:
        sendAmError(res, amError(404, `Not Found: serverinfo/${id}`));
    }
  };
}
