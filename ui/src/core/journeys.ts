/**
 * What the pages know about the shipped journeys: their default titles, the links between the
 * sign-in, forgotten-password and forgotten-username journeys, and which landing text follows a
 * success. Any other journey still works, with its name as the title and no extra links. Pure.
 */
import type { MessageKey } from '../i18n/en.js';

export const LOGIN = 'Login';
export const RESET_PASSWORD = 'ResetPassword';
export const FORGOTTEN_USERNAME = 'ForgottenUsername';

const TITLES: Readonly<Record<string, MessageKey>> = {
  Login: 'title.Login',
  ResetPassword: 'title.ResetPassword',
  ResetPasswordByUsername: 'title.ResetPasswordByUsername',
  ForgottenUsername: 'title.ForgottenUsername',
  Registration: 'title.Registration',
};

/** The message key of a journey's default page title (used when the step has no `header`). */
export const titleKey = (journey: string): MessageKey => TITLES[journey] ?? 'title.default';

export interface JourneyLink {
  journey: string;
  key: MessageKey;
}

const SIGN_IN: JourneyLink = { journey: LOGIN, key: 'link.signIn' };
const FORGOT_PASSWORD: JourneyLink = { journey: RESET_PASSWORD, key: 'link.forgotPassword' };
const FORGOT_USERNAME: JourneyLink = { journey: FORGOTTEN_USERNAME, key: 'link.forgotUsername' };

const LINKS: Readonly<Record<string, JourneyLink[]>> = {
  Login: [FORGOT_PASSWORD, FORGOT_USERNAME],
  ResetPassword: [SIGN_IN, FORGOT_USERNAME],
  ResetPasswordByUsername: [SIGN_IN, FORGOT_USERNAME],
  ForgottenUsername: [SIGN_IN, FORGOT_PASSWORD],
};

/**
 * The links shown under a shipped journey's page, minus those the page description already offers
 * (stock descriptions link "#/service/ResetPassword" and the like).
 */
export function journeyLinks(journey: string, descriptionHrefs: readonly string[] = []): JourneyLink[] {
  const offered = new Set(
    descriptionHrefs.flatMap((href) => {
      const hash = /#\/?service\/([^?&#]+)/.exec(href);
      const query = /[?&]authIndexValue=([^&#]+)/.exec(href);
      return [hash?.[1], query?.[1]].filter((v): v is string => v !== undefined).map(safeDecode);
    }),
  );
  return (LINKS[journey] ?? []).filter((link) => !offered.has(link.journey));
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export type Landing = 'signedIn' | 'passwordChanged' | 'registered' | 'done';

/** Which landing text follows a successful journey. */
export function landingFor(journey: string | undefined): Landing {
  if (journey === undefined || journey === LOGIN) return 'signedIn';
  if (/^ResetPassword/.test(journey) || /password/i.test(journey)) return 'passwordChanged';
  if (/^Registration/.test(journey)) return 'registered';
  return 'done';
}

/**
 * Whether a successUrl leads back to this page's landing route (Cairn's default successUrl is
 * "/login/#/success"), or is empty: then the landing is shown in place, with the journey's own text.
 * `pageUrl` is the current page's absolute URL.
 */
export function isLandingUrl(successUrl: string, pageUrl: string): boolean {
  if (successUrl.trim() === '') return true;
  try {
    const target = new URL(successUrl, pageUrl);
    const page = new URL(pageUrl);
    const samePath = target.pathname === page.pathname || target.pathname === `${page.pathname}index.html`;
    return target.origin === page.origin && samePath && /^#\/?success\/?$/.test(target.hash);
  } catch {
    return false;
  }
}
