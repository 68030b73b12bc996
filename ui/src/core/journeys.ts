/**
 * What the pages know about the shipped journeys: their default titles, the links between the
 * sign-in, forgotten-password and forgotten-username journeys (and where each sits: "Forgot
 * password?" by the password field), AM's stock failure messages, and which landing text follows a
 * success. Any other journey still works, with its name as the title and no extra links. Pure.
 */
import type { MessageKey } from '../i18n/en.js';
import type { FieldModel } from './form-model.js';
import type { SafeNode } from './sanitize.js';

export const LOGIN = 'Login';
export const RESET_PASSWORD = 'ResetPassword';
/** The signed-in person's own password change (current password, then a new one), run with ForceAuth. */
export const UPDATE_PASSWORD = 'UpdatePassword';
export const FORGOTTEN_USERNAME = 'ForgottenUsername';

const TITLES: Readonly<Record<string, MessageKey>> = {
  Login: 'title.Login',
  ResetPassword: 'title.ResetPassword',
  ResetPasswordByUsername: 'title.ResetPasswordByUsername',
  ResetPasswordByCode: 'title.ResetPasswordByCode',
  ResetPasswordByQuestions: 'title.ResetPasswordByQuestions',
  ForgottenUsername: 'title.ForgottenUsername',
  Registration: 'title.Registration',
  UpdatePassword: 'title.UpdatePassword',
  HelpdeskReset: 'title.HelpdeskReset',
  ProgressiveProfile: 'title.ProgressiveProfile',
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

/** The journey a link leads to ("#/service/Login", "?authIndexValue=Login"), if it names one. */
export function linkedJourney(href: string): string | undefined {
  const hash = /#\/?service\/([^?&#]+)/.exec(href);
  const query = /[?&]authIndexValue=([^&#]+)/.exec(href);
  const found = hash?.[1] ?? query?.[1];
  return found === undefined ? undefined : safeDecode(found);
}

/**
 * The links shown under a shipped journey's page, minus those the page description already offers
 * (stock descriptions link "#/service/ResetPassword" and the like).
 */
export function journeyLinks(journey: string, descriptionHrefs: readonly string[] = []): JourneyLink[] {
  const offered = new Set(descriptionHrefs.map(linkedJourney).filter((j): j is string => j !== undefined));
  return (LINKS[journey] ?? []).filter((link) => !offered.has(link.journey));
}

/** A recovery link that belongs next to a field: "Forgot password?" by the password, "Forgot username?" by the username. */
const recoveryOf = (journey: string): 'password' | 'username' | undefined =>
  /password/i.test(journey) ? 'password' : /username/i.test(journey) ? 'username' : undefined;

/** The field a recovery link sits by: the sign-in password (not a new one), the sign-in username (not a new one). */
function anchorOf(fields: readonly FieldModel[], recovery: 'password' | 'username'): number | undefined {
  const field =
    recovery === 'password'
      ? fields.find((f) => f.kind === 'password' && f.autocomplete === 'current-password')
      : fields.find((f) => f.type === 'NameCallback');
  return field?.index;
}

export interface PlacedLink {
  journey: string;
  /** The catalogue's text (one wording on every page), else the description's own. */
  key?: MessageKey;
  text?: string;
}

export interface LinkPlacement {
  /** The description without the links moved next to fields. */
  description: SafeNode[];
  /** Field index → the links shown right after that field. */
  byField: Map<number, PlacedLink[]>;
  /** The links under the form (the neighbouring shipped journeys not offered elsewhere). */
  nav: PlacedLink[];
}

const KNOWN_LINK_KEYS: Readonly<Record<string, MessageKey>> = {
  [LOGIN]: 'link.signIn',
  [RESET_PASSWORD]: 'link.forgotPassword',
  ResetPasswordByUsername: 'link.forgotPassword',
  [FORGOTTEN_USERNAME]: 'link.forgotUsername',
};

/**
 * Where each link to another journey goes on this page. Recovery links — from the description (AIC's
 * stock Login lists "Forgot username? Forgot password?" above the form) or from the shipped
 * neighbours — move next to the field they are about when the page has it; the description keeps
 * everything else; the remaining shipped neighbours go under the form.
 */
export function placeLinks(journey: string, description: readonly SafeNode[], fields: readonly FieldModel[]): LinkPlacement {
  const byField = new Map<number, PlacedLink[]>();
  const placed = new Set<string>();
  const place = (link: PlacedLink): boolean => {
    const recovery = recoveryOf(link.journey);
    const anchor = recovery === undefined ? undefined : anchorOf(fields, recovery);
    if (anchor === undefined || placed.has(link.journey)) return anchor !== undefined;
    placed.add(link.journey);
    byField.set(anchor, [...(byField.get(anchor) ?? []), link]);
    return true;
  };
  const prune = (nodes: readonly SafeNode[]): SafeNode[] =>
    nodes.flatMap((node): SafeNode[] => {
      if (node.kind === 'link') {
        const target = linkedJourney(node.href);
        if (target !== undefined && !node.external) {
          const key = KNOWN_LINK_KEYS[target];
          const text = plainText(node.children).trim();
          if (place(key ? { journey: target, key } : { journey: target, text })) return [];
        }
        return [node];
      }
      return node.kind === 'element' ? [{ ...node, children: prune(node.children) }] : [node];
    });
  const kept = tidy(prune(description));
  const offered = [...kept.flatMap(hrefsOf), ...[...placed].map((j) => `#/service/${j}`)];
  const nav = journeyLinks(journey, offered).filter((link) => !place(link));
  return { description: kept, byField, nav };
}

const plainText = (nodes: readonly SafeNode[]): string =>
  nodes.map((n) => (n.kind === 'text' ? n.text : n.kind === 'br' ? ' ' : plainText(n.children))).join('');

const hrefsOf = (node: SafeNode): string[] => (node.kind === 'link' ? [node.href] : node.kind === 'element' ? node.children.flatMap(hrefsOf) : []);

/** Drops what removing links left at the edges: blank text, line breaks, empty elements. */
function tidy(nodes: SafeNode[]): SafeNode[] {
  const blank = (n: SafeNode): boolean =>
    n.kind === 'br' || (n.kind === 'text' && n.text.trim() === '') || (n.kind === 'element' && n.children.every(blank));
  let start = 0;
  let end = nodes.length;
  while (start < end && blank(nodes[start] as SafeNode)) start += 1;
  while (end > start && blank(nodes[end - 1] as SafeNode)) end -= 1;
  return nodes.slice(start, end);
}

/** AM's stock failure messages (English on the wire, as AM sends them), in the page's language. */
const AM_FAILURES: Readonly<Record<string, MessageKey | null>> = {
  'login failure': null, // the generic "details not correct": nothing more to say
  'user locked out.': 'error.locked',
  'user locked out': 'error.locked',
  'session has timed out': 'error.timeout',
  'authentication failed': null,
};

/**
 * What to show for a journey's failure message: a catalogue text for AM's stock messages (`null`:
 * nothing beyond the generic sentence), else the journey's own message as it came.
 */
export function failureMessage(message: string): { key: MessageKey } | { text: string } | null {
  const trimmed = message.trim();
  if (trimmed === '') return null;
  const known = AM_FAILURES[trimmed.toLowerCase()];
  if (known === undefined) return { text: trimmed };
  return known === null ? null : { key: known };
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
