/**
 * Email Suspend Node (AM `EmailSuspendNode`): suspends with one SuspendedTextOutputCallback and mails the
 * resume link to the identified object; resuming leaves by `outcome`. The answer is identical whether the
 * account exists, not, is locked or over its limits (RST-01…07): lookup and both counters run on every
 * path before answering; only the effects differ, which never reach the client: a mail effect whose
 * `resumeURI` the adapter fills in once the suspension is stored (sent off the request path), and audit.
 */
import { suspendedTextOutputCallback } from '../callbacks/builders.js';
import { nodeText, stockEnglish, withStockTranslations } from '../i18n/node-texts.js';
import type { LocalizedText } from '../journeys/model.js';
import { pseudonym } from '../audit/pseudonym.js';
import { identityValueOf, isDisabled } from './helpers/identity-lookup.js';
import { countMail, mailLocalesOf, templateObjectOf } from './helpers/mail-request.js';
import type { ManagedObject } from '../identity/ports.js';
import { auditEffect, defineNode, type NodeContext, type NodeResult } from './types.js';

export interface EmailSuspendConfig {
  emailTemplateName: string;
  emailAttribute: string;
  emailSuspendMessage: LocalizedText;
  objectLookup: boolean;
  identityAttribute: string;
  suspendDuration?: number;
}

export const DEFAULT_EMAIL_SUSPEND_MESSAGE = stockEnglish('emailSuspend.message');
/** The template object's field holding the resume link (`{{object.resumeURI}}`), as in IDM's templates. */
export const RESUME_LINK_FIELD = 'resumeURI';

/** The message in the request's language; AM's bundle fallback when the configured map has no usable text. */
function suspendMessage(ctx: NodeContext<EmailSuspendConfig>): string {
  const configured = ctx.config.emailSuspendMessage;
  const fallback = ctx.localize(nodeText('emailSuspend.fallback'));
  if (!configured || Object.keys(configured).length === 0) return fallback;
  return ctx.localize(withStockTranslations(configured, 'emailSuspend.message'), fallback) || fallback;
}

/** Why no message goes out; recorded in the audit event `reset.email.skipped`, never shown to the client. */
export type EmailSkipReason = 'no-account' | 'no-recipient' | 'inactive' | 'rate-limited-account' | 'rate-limited-client';

interface Target {
  object: Record<string, unknown> | undefined;
  /** The value looked up (objectLookup), for counting and pseudonymous audit when nobody is found. */
  lookedUp: string | undefined;
}

async function findTarget(ctx: NodeContext<EmailSuspendConfig>): Promise<Target> {
  if (!ctx.config.objectLookup) {
    const attrs = ctx.shared['objectAttributes'];
    const object = typeof attrs === 'object' && attrs !== null && Object.keys(attrs).length > 0 ? (attrs as Record<string, unknown>) : undefined;
    return { object, lookedUp: undefined };
  }
  const value = identityValueOf(ctx, ctx.config.identityAttribute);
  const found: ManagedObject | undefined =
    value === undefined ? undefined : await ctx.services.identity.findByAttribute(ctx.journey.identityResource, ctx.config.identityAttribute, value);
  return { object: found, lookedUp: value };
}

export const emailSuspendNode = defineNode<EmailSuspendConfig>({
  type: 'EmailSuspendNode',
  displayName: 'Email Suspend Node',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      emailTemplateName: {
        title: 'Email template name',
        description: 'The e-mail template (emailTemplate/<name>) sent with the resume link as {{object.resumeURI}}.',
        type: 'string',
        minLength: 1,
        default: 'registration',
      },
      emailAttribute: {
        title: 'Email attribute',
        description: 'The attribute of the template object holding the recipient address.',
        type: 'string',
        minLength: 1,
        default: 'mail',
      },
      emailSuspendMessage: {
        title: 'Email suspend message',
        description: 'Locale → text of the SuspendedTextOutputCallback shown while the journey waits.',
        type: 'object',
        additionalProperties: { type: 'string' },
        default: { en: DEFAULT_EMAIL_SUSPEND_MESSAGE },
      },
      objectLookup: {
        title: 'Object lookup',
        description: 'Look the object up by identityAttribute (true) or use the collected objectAttributes (false) as template object.',
        type: 'boolean',
        default: false,
      },
      identityAttribute: {
        title: 'Identity attribute',
        description: 'The attribute used to look the object up, with the value collected for it (else the username).',
        type: 'string',
        minLength: 1,
        default: 'userName',
      },
      suspendDuration: {
        title: 'Suspend duration (optional)',
        description: 'Minutes the resume link stays valid; absent: the server default.',
        type: 'integer',
        minimum: 1,
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],
  allowedInPage: false,

  async process(ctx) {
    if (ctx.resumed) return { kind: 'outcome', outcome: 'outcome' };
    const { emailTemplateName: template, emailAttribute, suspendDuration } = ctx.config;

    const { object, lookedUp } = await findTarget(ctx);
    const address = object?.[emailAttribute];
    const recipient = typeof address === 'string' && address.trim() !== '' ? address.trim() : undefined;
    const objectId = typeof object?.['_id'] === 'string' ? object['_id'] : undefined;
    // Count on every path (for nobody, under the looked-up value) so the store work is the same.
    const allowance = await countMail(ctx, objectId ?? recipient ?? lookedUp ?? '');

    const answer: NodeResult = {
      kind: 'suspend',
      callbacks: [suspendedTextOutputCallback(suspendMessage(ctx))],
      ...(suspendDuration === undefined ? {} : { durationMinutes: suspendDuration }),
      // For nobody, the value looked up stands in: a newer request supersedes it just the same.
      subject: objectId ?? `nobody:${pseudonym(recipient ?? lookedUp ?? '')}`,
    };

    const who = recipient ?? lookedUp;
    const base = {
      journey: ctx.journey.id,
      node: ctx.nodeId,
      template,
      ...(objectId === undefined ? {} : { userId: objectId }),
      ...(who === undefined ? {} : { recipient: pseudonym(who) }),
    };
    const skip = (reason: EmailSkipReason): NodeResult => ({ ...answer, effects: [auditEffect('reset.email.skipped', { ...base, reason })] });
    if (!object) return skip('no-account');
    if (recipient === undefined) return skip('no-recipient');
    // A locked-out account may still reset (and the reset reactivates it); a disabled one may not.
    if (ctx.config.objectLookup && isDisabled(object)) return skip('inactive');
    if (allowance !== 'allowed') return skip(allowance);

    return {
      ...answer,
      effects: [
        {
          type: 'mail',
          template,
          to: recipient,
          locales: mailLocalesOf(ctx, object),
          object: templateObjectOf(object),
          resumeLinkField: RESUME_LINK_FIELD,
        },
        auditEffect('reset.email.queued', base),
      ],
    };
  },
});
