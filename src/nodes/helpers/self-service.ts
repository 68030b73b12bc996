/**
 * What PingIDM's self-service stages (src/nodes/idm-*-stage.ts) share: where IDM's process state lives in
 * the journey state, how a stage refuses input (IDM's 400 with IDM's message), config schema parts with
 * IDM's attribute names, and the e-mail a stage's own translations make.
 *
 * State, after AM's conventions where one exists: the account found → `shared._id`, `shared.username`,
 * `shared.objectAttributes.mail`; a registration's attributes → `shared.objectAttributes` (its password in
 * `transient.objectAttributes.password`); facts only IDM's stages use → `shared.selfService`.
 */
import { pseudonym } from '../../audit/pseudonym.js';
import { defineCatalogue } from '../../i18n/catalogue.js';
import { CairnError } from '../../errors/cairn-error.js';
import { isMailAddress } from '../../mail/mailer.js';
import type { LocalizedText } from '../../journeys/model.js';
import type { InlineTemplate } from '../../mail/types.js';
import type { ManagedObject } from '../../identity/ports.js';
import type { ConfigProblem, NodeContext } from '../types.js';
import { isInactive } from './identity-lookup.js';
import { countMail } from './mail-request.js';

/**
 * What the stages send a person when they run in an AM journey (their prompts, the waiting message, the
 * page's description), in every shipped language; the English descriptions are IDM's own stage
 * descriptions. IDM's protocol builds its requirements from its own fixed texts (src/idm/selfservice/
 * stages.ts) and its refusals stay IDM's English messages, which clients match on; the self-service
 * pages show those in their own language (ui/src/selfservice/texts.ts).
 */
export const STAGE_TEXTS = defineCatalogue('node.idm-stages', {
  en: {
    'prompt.mail': 'Email address',
    'prompt.kba': 'Knowledge based questions',
    'prompt.queryFilter': 'filter string to find account',
    'emailValidation.waiting': 'An email has been sent to your inbox. Follow the link in it to continue.',
    'description.captcha': 'Captcha stage',
    'description.emailValidation': 'Verify your email address',
    'description.kbaDefinition': 'Knowledge based questions',
    'description.kbaVerification': 'Answer security questions',
    'description.parameters': 'Parameters',
    'description.reset': 'Reset password',
    'description.terms': 'Accept Terms and Condition',
    'description.userDetails': 'New user details',
    'description.userQuery': 'Find your account',
  },
  fr: {
    'prompt.mail': 'Adresse e-mail',
    'prompt.kba': 'Questions de sécurité',
    'prompt.queryFilter': 'Filtre pour retrouver le compte',
    'emailValidation.waiting': 'Un e-mail a été envoyé dans votre boîte de réception. Suivez le lien qu’il contient pour continuer.',
    'description.captcha': 'Vérification captcha',
    'description.emailValidation': 'Vérifiez votre adresse e-mail',
    'description.kbaDefinition': 'Questions de sécurité',
    'description.kbaVerification': 'Répondez aux questions de sécurité',
    'description.parameters': 'Paramètres',
    'description.reset': 'Réinitialiser le mot de passe',
    'description.terms': 'Acceptez les conditions générales',
    'description.userDetails': 'Informations du nouveau compte',
    'description.userQuery': 'Retrouvez votre compte',
  },
});

export interface SelfServiceState {
  /** Set by userQuery: whether one account matched (`none` also when several did). */
  lookup?: 'found' | 'none';
  /** The account found is inactive by its identityAccountStatusField: it gets no e-mail. */
  inactive?: boolean;
  /** emailValidation's code came back: the person controls the mailbox. */
  emailVerified?: boolean;
  /** IDM's `_successAdditions`: returned as `additions` when the process ends. */
  additions?: Record<string, unknown>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `shared.selfService`, created when absent. */
export function selfServiceOf(shared: Record<string, unknown>): SelfServiceState {
  const existing = shared['selfService'];
  if (isRecord(existing)) return existing;
  const created: SelfServiceState = {};
  shared['selfService'] = created;
  return created;
}

/** Adds to the success additions (IDM `_successAdditions`). */
export function addSuccessAddition(shared: Record<string, unknown>, name: string, value: unknown): void {
  const state = selfServiceOf(shared);
  state.additions = { ...(state.additions ?? {}), [name]: value };
}

/** A refused input: IDM's 400 and its message (`Invalid code`, `Unable to find account`, …). */
export function stageError(message: string, detail?: Record<string, unknown>): CairnError {
  return new CairnError({ status: 400, code: 'idm.stage', message, ...(detail ? { detail } : {}) });
}

/** A stage reached without what an earlier stage should have put into the state: the process is misconfigured. */
export function misconfigured(stage: string, missing: string): CairnError {
  return new CairnError({
    status: 500,
    code: 'node_misconfigured',
    message: `${stage}: no ${missing} in the journey state; a stage before it must provide one`,
    expose: false,
  });
}

/** The managed-object resource a stage's `identityServiceUrl` names (`managed/user`, also written `/managed/user`). */
export const resourceOf = (identityServiceUrl: string): string => identityServiceUrl.replace(/^\/+/, '');

/** True when the account must not be served (IDM's identityAccountStatusField; Cairn's accountStatus rule). */
export function accountInactive(object: ManagedObject, statusField: string | undefined): boolean {
  if (statusField === undefined || statusField === 'accountStatus') return isInactive(object) && !hasLockout(object);
  const v = object[statusField];
  return typeof v === 'string' && v.toLowerCase() === 'inactive';
}

/** Locked out by failed sign-ins (Account Lockout): such an account may still reset its password, which reactivates it. */
const hasLockout = (object: ManagedObject): boolean => typeof object['lockoutAt'] === 'string' && object['lockoutAt'] !== '';

export const LOCALE_MAP_SCHEMA = {
  type: 'object',
  minProperties: 1,
  propertyNames: { pattern: '^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$' },
  additionalProperties: { type: 'string' },
} as const;

export const IDENTITY_SERVICE_URL_PROPERTY = {
  title: 'Identity service URL',
  description: 'The managed object the stage reads and writes (IDM `identityServiceUrl`).',
  type: 'string',
  pattern: '^/?managed/[A-Za-z0-9_]+$',
  default: 'managed/user',
} as const;

/** Keys IDM's sample files carry that Cairn has no use for (the mail service URL, a legacy subject). */
export const IGNORED_MAIL_KEYS = {
  emailServiceUrl: { title: 'E-mail service URL', description: 'IDM: the e-mail service; Cairn sends through its own mail queue.', type: 'string' },
  emailServiceParameters: {
    title: 'E-mail service parameters',
    description: 'IDM 7 (e.g. waitForCompletion); Cairn always sends off the request path.',
    type: 'object',
  },
  subject: { title: 'Subject (unused)', description: 'Present in IDM sample files but unused by IDM; subjectTranslations is used.', type: 'string' },
} as const;

export const MAIL_TEXT_PROPERTIES = {
  from: { title: 'From', description: 'Sender address; empty: the server default (CAIRN_SMTP_FROM).', type: 'string', default: '' },
  mimeType: { title: 'MIME type', description: 'text/html or text/plain.', enum: ['text/html', 'text/plain'], default: 'text/html' },
  subjectTranslations: { title: 'Subject translations', description: 'Locale → subject.', ...LOCALE_MAP_SCHEMA },
  messageTranslations: { title: 'Message translations', description: 'Locale → message body.', ...LOCALE_MAP_SCHEMA },
} as const;

export interface MailTexts {
  from: string;
  mimeType: 'text/html' | 'text/plain';
  subjectTranslations: LocalizedText;
  messageTranslations: LocalizedText;
}

/** Cairn's mail renderer reads `{{…}}` as a placeholder; IDM's texts use their own token (`%link%`) instead. */
export function mailTextProblems(config: MailTexts): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const key of ['subjectTranslations', 'messageTranslations'] as const) {
    for (const [locale, text] of Object.entries(config[key] ?? {})) {
      if (text.includes('{{')) {
        problems.push({ pointer: `/${key}/${locale}`, message: 'contains "{{", which the mail renderer would read as a placeholder' });
      }
    }
  }
  return problems;
}

/** The stage's texts as an inline template, every `token` in the message becoming the template object's `field`. */
export function inlineMail(config: MailTexts, token: string, field: string): InlineTemplate {
  const message: Record<string, string> = {};
  for (const [locale, text] of Object.entries(config.messageTranslations)) message[locale] = text.split(token).join(`{{object.${field}}}`);
  return {
    ...(config.from ? { from: config.from } : {}),
    mimeType: config.mimeType,
    subject: { ...config.subjectTranslations },
    message,
  };
}

/** An id no managed object has (store ids are UUIDs or names without "~"). */
const NOBODY = '~nobody~';

/** Why no e-mail went out; recorded in the audit event `selfservice.email.skipped`, never shown. */
export type MailSkipReason = 'no-account' | 'no-recipient' | 'inactive' | 'account-exists' | 'rate-limited-account' | 'rate-limited-client';

export interface Recipient {
  user: ManagedObject | undefined;
  /** The account's address, when it has a usable one. */
  to: string | undefined;
  /** Why nothing may be sent, if so. */
  skip: MailSkipReason | undefined;
  /** Audit fields (pseudonymous). */
  audit: Record<string, unknown>;
}

/**
 * The identified account (`shared._id`, or nobody) as a mail recipient: re-read, its address, and the
 * e-mail limits, counted on every path (nobody under the empty name), so the store work does not tell.
 */
export async function identifiedRecipient(ctx: NodeContext<unknown>, emailField: string): Promise<Recipient> {
  const id = typeof ctx.shared['_id'] === 'string' ? ctx.shared['_id'] : undefined;
  // Nobody identified: an id no account has is read, so the store work is the same on both paths.
  const user = await ctx.services.identity.read(ctx.journey.identityResource, id ?? NOBODY).then((u) => (id === undefined ? undefined : u));
  const address = user?.[emailField];
  const to = typeof address === 'string' && isMailAddress(address.trim()) ? address.trim() : undefined;
  const allowance = await countMail(ctx, user?._id ?? '');
  const audit = { journey: ctx.journey.id, node: ctx.nodeId, ...(user ? { userId: user._id } : {}), ...(to ? { recipient: pseudonym(to) } : {}) };
  const skip: MailSkipReason | undefined = !user
    ? 'no-account'
    : to === undefined
      ? 'no-recipient'
      : selfServiceOf(ctx.shared).inactive
        ? 'inactive'
        : allowance !== 'allowed'
          ? allowance
          : undefined;
  return { user, to, skip, audit };
}

/** The KBA stages' IDM settings: where answers live, and the placeholder IDM fills from selfservice.kba.json. */
export const KBA_PROPERTY_NAME_PROPERTY = {
  title: 'KBA attribute',
  description: 'The attribute holding the security answers.',
  type: 'string',
  minLength: 1,
  default: 'kbaInfo',
} as const;

export const KBA_CONFIG_PROPERTY = {
  title: 'KBA configuration (replaced)',
  description: 'IDM replaces it with selfservice.kba.json; so does Cairn.',
  type: ['object', 'null'],
} as const;
