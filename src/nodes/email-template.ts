/**
 * Email Template Node (AM `EmailTemplateNode`): sends an e-mail template to the journey's user (found
 * by `identityAttribute`, else `shared._id`) at `object[emailAttribute]`, without suspending. Leaves by
 * EMAIL_SENT when the message was queued, EMAIL_NOT_SENT when there is no user or address, or the
 * per-account / per-client limits of the e-mail nodes are reached. The message leaves as a mail effect,
 * sent off the request path once the step is persisted.
 */
import { pseudonym } from '../audit/pseudonym.js';
import { identityValueOf, resolveIdentity } from './helpers/identity-lookup.js';
import { countMail, mailLocalesOf, templateObjectOf } from './helpers/mail-request.js';
import { auditEffect, defineNode, type NodeResult } from './types.js';
import { IDENTITY_ATTRIBUTE_PROPERTY } from './helpers/schema-parts.js';

export interface EmailTemplateConfig {
  emailTemplateName: string;
  emailAttribute: string;
  identityAttribute: string;
}

const SENT: NodeResult = { kind: 'outcome', outcome: 'EMAIL_SENT' };
const NOT_SENT: NodeResult = { kind: 'outcome', outcome: 'EMAIL_NOT_SENT' };

export const emailTemplateNode = defineNode<EmailTemplateConfig>({
  type: 'EmailTemplateNode',
  displayName: 'Email Template Node',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['emailTemplateName'],
    properties: {
      emailTemplateName: {
        title: 'Email template name',
        description: 'The e-mail template (emailTemplate/<name>) to send; the template object is the user.',
        type: 'string',
        minLength: 1,
      },
      emailAttribute: {
        title: 'Email attribute',
        description: "The user's attribute holding the recipient address.",
        type: 'string',
        minLength: 1,
        default: 'mail',
      },
      identityAttribute: IDENTITY_ATTRIBUTE_PROPERTY,
    },
  },
  outcomes: [
    { id: 'EMAIL_SENT', displayName: 'Email Sent' },
    { id: 'EMAIL_NOT_SENT', displayName: 'Email Not Sent' },
  ],

  async process(ctx) {
    const { emailTemplateName: template, emailAttribute, identityAttribute } = ctx.config;
    const object = await resolveIdentity(ctx, ctx.journey.identityResource, identityAttribute);
    const address = object?.[emailAttribute];
    const recipient = typeof address === 'string' && address.trim() !== '' ? address.trim() : undefined;
    const lookedUp = identityValueOf(ctx, identityAttribute);
    const allowance = await countMail(ctx, object?._id ?? lookedUp ?? '');

    const who = recipient ?? lookedUp;
    const base = {
      journey: ctx.journey.id,
      node: ctx.nodeId,
      template,
      ...(object ? { userId: object._id } : {}),
      ...(who === undefined ? {} : { recipient: pseudonym(who) }),
    };
    const skip = (reason: string): NodeResult => ({ ...NOT_SENT, effects: [auditEffect('email.skipped', { ...base, reason })] });
    if (!object) return skip('no-account');
    if (recipient === undefined) return skip('no-recipient');
    if (allowance !== 'allowed') return skip(allowance);

    return {
      ...SENT,
      effects: [
        { type: 'mail', template, to: recipient, locales: mailLocalesOf(ctx, object), object: templateObjectOf(object) },
        auditEffect('email.queued', base),
      ],
    };
  },
});
