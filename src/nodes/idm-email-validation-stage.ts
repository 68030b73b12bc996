/**
 * IDM self-service `emailValidation` stage: proves control of a mailbox with an e-mailed link. With an
 * account already identified (reset: userQuery ran) the address is the account's own — never one from the
 * input, so an account without an address gets no mail rather than mail to a stranger's address — and the
 * stage asks nothing: it suspends at once (IDM tag `validateCode`). Without one (registration) it first asks
 * for `mail`. The suspension's resume link (IDM: `verificationLink&token=…&code=…`) replaces the
 * `verificationLinkToken` (`%link%`) in the stage's own translations; the code in it is made, stored hashed
 * and taken once by the protocol adapter. Resuming leaves by `outcome` with the mailbox proven.
 *
 * The answer is the same whether the account exists, is unknown, inactive, has no address, already exists
 * (registration) or is over its e-mail limits: both limit counters run on every path, and only the effects
 * differ (a mail, or an audit event saying why none went out).
 */
import { stringAttributeInputCallback, suspendedTextOutputCallback } from '../callbacks/builders.js';
import { readString } from '../callbacks/readers.js';
import { pseudonym } from '../audit/pseudonym.js';
import { isMailAddress } from '../mail/mailer.js';
import { countMail, mailLocalesOf, templateObjectOf } from './helpers/mail-request.js';
import { getObjectAttribute, setObjectAttribute } from './helpers/object-attributes.js';
import {
  IGNORED_MAIL_KEYS,
  MAIL_TEXT_PROPERTIES,
  identifiedRecipient,
  inlineMail,
  mailTextProblems,
  selfServiceOf,
  stageError,
  type MailSkipReason,
  type MailTexts,
  STAGE_TEXTS,
} from './helpers/self-service.js';
import type { ManagedObject } from '../identity/ports.js';
import { auditEffect, defineNode, type ConfigProblem, type NodeContext, type NodeResult } from './types.js';

export interface EmailValidationStageConfig extends MailTexts {
  identityEmailField: string;
  verificationLink: string;
  verificationLinkToken: string;
}

/** The name this stage's messages go under in logs, limits and the audit log. */
export const EMAIL_VALIDATION_MAIL = 'selfservice-emailValidation';
/** Where the adapter writes the resume link in the template object. */
export const VERIFICATION_LINK_FIELD = 'verificationLink';

/** A link base is an absolute http(s) URL, or a path on this server (resolved against CAIRN_PUBLIC_URL). */
export function verificationLinkProblem(link: string): string | undefined {
  if (link.startsWith('/') && !link.startsWith('//')) return undefined;
  try {
    const u = new URL(link);
    return u.protocol === 'https:' || u.protocol === 'http:' ? undefined : 'must be an http(s) URL or a path starting with "/"';
  } catch {
    return 'must be an http(s) URL or a path starting with "/"';
  }
}

function suspend(
  ctx: NodeContext<EmailValidationStageConfig>,
  recipient: string | undefined,
  object: ManagedObject | Record<string, unknown> | undefined,
  skip: MailSkipReason | undefined,
  audit: Record<string, unknown>,
): NodeResult {
  const base: NodeResult = { kind: 'suspend', callbacks: [suspendedTextOutputCallback(ctx.localize(STAGE_TEXTS.text('emailValidation.waiting')))] };
  if (skip !== undefined || recipient === undefined || object === undefined) {
    return { ...base, effects: [auditEffect('selfservice.email.skipped', { ...audit, reason: skip ?? 'no-recipient' })] };
  }
  return {
    ...base,
    effects: [
      {
        type: 'mail',
        template: EMAIL_VALIDATION_MAIL,
        to: recipient,
        locales: mailLocalesOf(ctx, object),
        object: templateObjectOf(object),
        resumeLinkField: VERIFICATION_LINK_FIELD,
        inline: inlineMail(ctx.config, ctx.config.verificationLinkToken, VERIFICATION_LINK_FIELD),
      },
      auditEffect('selfservice.email.queued', audit),
    ],
  };
}

/** Reset: the account identified by an earlier stage (or nobody, when the lookup found none). */
async function identified(ctx: NodeContext<EmailValidationStageConfig>): Promise<NodeResult> {
  const { user, to, skip, audit } = await identifiedRecipient(ctx, ctx.config.identityEmailField);
  return suspend(ctx, to, user, skip, audit);
}

/** Registration: the address the person typed; an address that already has an account gets no code. */
async function typed(ctx: NodeContext<EmailValidationStageConfig>): Promise<NodeResult> {
  const returned = ctx.callbacks?.find((cb) => cb.type === 'StringAttributeInputCallback');
  if (!returned) {
    return {
      kind: 'callbacks',
      callbacks: [stringAttributeInputCallback({ name: 'mail', prompt: ctx.localize(STAGE_TEXTS.text('prompt.mail')), required: true, value: '' })],
      description: ctx.localize(STAGE_TEXTS.text('description.emailValidation')),
      stage: 'initial',
    };
  }
  const mail = readString(returned).trim();
  if (mail === '') throw stageError('mail should not be empty');
  const known = getObjectAttribute(ctx.shared, 'mail');
  if (typeof known === 'string' && known !== '' && known.toLowerCase() !== mail.toLowerCase()) throw stageError('Email address mismatch');
  if (!isMailAddress(mail)) throw stageError('mail should be an e-mail address');
  setObjectAttribute(ctx.shared, 'mail', mail);
  const existing = await ctx.services.identity.findByAttribute(ctx.journey.identityResource, ctx.config.identityEmailField, mail);
  const allowance = await countMail(ctx, mail);
  const audit = { journey: ctx.journey.id, node: ctx.nodeId, recipient: pseudonym(mail) };
  const skip: MailSkipReason | undefined = existing ? 'account-exists' : allowance !== 'allowed' ? allowance : undefined;
  return suspend(ctx, mail, { mail }, skip, audit);
}

export const idmEmailValidationStage = defineNode<EmailValidationStageConfig>({
  type: 'IdmEmailValidationNode',
  displayName: 'IDM Email Validation Stage',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['verificationLink', 'subjectTranslations', 'messageTranslations'],
    properties: {
      identityEmailField: { title: 'E-mail field', description: "The account's address attribute.", type: 'string', minLength: 1, default: 'mail' },
      verificationLink: {
        title: 'Verification link',
        description:
          'Start of the e-mailed link; "&token=…&code=…" is appended (e.g. https://id.example.com/#/passwordreset/, or a path on this server).',
        type: 'string',
        minLength: 1,
      },
      verificationLinkToken: {
        title: 'Link token',
        description: 'The text of the message replaced by the link.',
        type: 'string',
        minLength: 1,
        default: '%link%',
      },
      ...MAIL_TEXT_PROPERTIES,
      ...IGNORED_MAIL_KEYS,
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],
  allowedInPage: false,
  checkConfig(config): ConfigProblem[] {
    const problems = mailTextProblems(config);
    const link = verificationLinkProblem(config.verificationLink);
    if (link) problems.push({ pointer: '/verificationLink', message: link });
    for (const [locale, text] of Object.entries(config.messageTranslations)) {
      if (!text.includes(config.verificationLinkToken)) {
        problems.push({
          pointer: `/messageTranslations/${locale}`,
          message: `has no ${config.verificationLinkToken}: the message would not carry the link`,
          severity: 'warning',
        });
      }
    }
    return problems;
  },

  async process(ctx) {
    if (ctx.resumed) {
      selfServiceOf(ctx.shared).emailVerified = true;
      return { kind: 'outcome', outcome: 'outcome' };
    }
    const isIdentified = typeof ctx.shared['_id'] === 'string' || selfServiceOf(ctx.shared).lookup !== undefined;
    return isIdentified ? identified(ctx) : typed(ctx);
  },
});
