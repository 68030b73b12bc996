/**
 * OTP Email Sender (AM `OneTimePasswordSmtpSenderNode`): e-mails the one-time password in the journey's
 * state (from the HOTP Generator) through Cairn's mail queue, with the `oneTimePassword` template
 * (`{{object.oneTimePassword}}`, in the recipient's language), off the request path. The recipient is
 * AM's: shared `emailAddress`, else the collected `objectAttributes[emailAttribute]`, else that
 * attribute of the journey's user; it is kept in shared `emailAddress`.
 *
 * AM's mail-server settings (hostName, hostPort, username, password, sslOption, the gateway class)
 * have no effect: Cairn sends through CAIRN_SMTP_URL. Unlike AM, which fails the journey when there is
 * no address, the node always leaves by `outcome` with the same answer — whether the address exists,
 * is missing or is over the e-mail limits (counted per account and client as for Email Suspend) — so
 * a code-by-e-mail journey reveals no account; why nothing was sent goes to the audit log.
 */
import { pseudonym } from '../audit/pseudonym.js';
import { getObjectAttribute } from './helpers/object-attributes.js';
import { identifiedIdOf } from './helpers/identity-lookup.js';
import { countMail, mailLocalesOf, templateObjectOf } from './helpers/mail-request.js';
import { issuedCode, ONE_TIME_PASSWORD } from './helpers/one-time-password.js';
import type { ManagedObject } from '../identity/ports.js';
import { auditEffect, defineNode, type NodeContext, type NodeResult } from './types.js';

export interface OneTimePasswordSmtpSenderConfig {
  emailAttribute: string;
  fromEmailAddress?: string;
  emailSubject: Record<string, string>;
  emailContent: Record<string, string>;
}

/** The template the code is sent with (config/email-templates/oneTimePassword.json). */
export const OTP_TEMPLATE = 'oneTimePassword';
const EMAIL_ADDRESS = 'emailAddress';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

async function userOf(ctx: NodeContext<OneTimePasswordSmtpSenderConfig>): Promise<ManagedObject | undefined> {
  const resource = ctx.journey.identityResource;
  const id = identifiedIdOf(ctx);
  if (id !== undefined) return ctx.services.identity.read(resource, id);
  const username = text(ctx.shared['username']);
  return username === undefined ? undefined : ctx.services.identity.findByAttribute(resource, 'userName', username);
}

const localeMap = (title: string, description: string) => ({
  title,
  description,
  type: 'object',
  additionalProperties: { type: 'string' },
  default: {},
});

export const oneTimePasswordSmtpSenderNode = defineNode<OneTimePasswordSmtpSenderConfig>({
  type: 'OneTimePasswordSmtpSenderNode',
  displayName: 'OTP Email Sender',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      emailAttribute: {
        title: 'Email attribute name',
        description: "The attribute holding the recipient's address (collected, else the user's).",
        type: 'string',
        minLength: 1,
        default: 'mail',
      },
      fromEmailAddress: {
        title: 'Email from address',
        description: 'AM: the sender. Cairn sends as the template or CAIRN_SMTP_FROM says.',
        type: 'string',
      },
      emailSubject: localeMap('Email subject', 'AM: the subject per locale. Cairn uses the oneTimePassword template.'),
      emailContent: localeMap('Email content', 'AM: the message per locale, {{OTP}} the code. Cairn uses the oneTimePassword template.'),
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],

  async process(ctx) {
    const issued = issuedCode(ctx.transient, ctx.shared);
    if (!issued) throw new Error(`OTP Email Sender: no ${ONE_TIME_PASSWORD} in the journey's state (an HOTP Generator must come first).`);
    const { emailAttribute } = ctx.config;
    const given =
      text(ctx.shared[EMAIL_ADDRESS]) ??
      text(getObjectAttribute(ctx.shared, emailAttribute)) ??
      text(getObjectAttribute(ctx.transient, emailAttribute));
    const user = await userOf(ctx);
    const recipient = given ?? text(user?.[emailAttribute]);
    if (recipient !== undefined) ctx.shared[EMAIL_ADDRESS] = recipient;
    // Counted on every path, so the store work does not depend on whether anyone gets the code.
    const allowance = await countMail(ctx, user?._id ?? recipient ?? '');

    const base = {
      journey: ctx.journey.id,
      node: ctx.nodeId,
      template: OTP_TEMPLATE,
      ...(user ? { userId: user._id } : {}),
      ...(recipient ? { recipient: pseudonym(recipient) } : {}),
    };
    const next: NodeResult = { kind: 'outcome', outcome: 'outcome' };
    if (recipient === undefined) return { ...next, effects: [auditEffect('otp.email.skipped', { ...base, reason: 'no-recipient' })] };
    if (allowance !== 'allowed') return { ...next, effects: [auditEffect('otp.email.skipped', { ...base, reason: allowance })] };
    // The user, else what the journey collected in shared state (never transient state: secrets).
    const known = user ?? (isRecord(ctx.shared['objectAttributes']) ? ctx.shared['objectAttributes'] : {});
    const object = { ...templateObjectOf(known), [emailAttribute]: recipient, [ONE_TIME_PASSWORD]: issued.code };
    return {
      ...next,
      effects: [
        { type: 'mail', template: OTP_TEMPLATE, to: recipient, locales: mailLocalesOf(ctx, known), object },
        auditEffect('otp.email.queued', base),
      ],
    };
  },
});
