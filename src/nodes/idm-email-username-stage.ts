/**
 * IDM self-service `emailUsername` stage (forgotten username): mails the identified account its username,
 * the stage's `usernameToken` (`%username%`) in its own translations replaced. It asks nothing. Whether a
 * message goes out (an account was found, is active, has an address, is within the e-mail limits) changes
 * only the effects — a mail, or an audit event saying why none — never the answer.
 */
import { mailLocalesOf, templateObjectOf } from './helpers/mail-request.js';
import {
  IGNORED_MAIL_KEYS,
  MAIL_TEXT_PROPERTIES,
  identifiedRecipient,
  inlineMail,
  mailTextProblems,
  type MailTexts,
} from './helpers/self-service.js';
import { auditEffect, defineNode, type ConfigProblem } from './types.js';

export interface EmailUsernameStageConfig extends MailTexts {
  identityEmailField: string;
  usernameToken: string;
}

export const EMAIL_USERNAME_MAIL = 'selfservice-emailUsername';

export const idmEmailUsernameStage = defineNode<EmailUsernameStageConfig>({
  type: 'IdmEmailUsernameNode',
  displayName: 'IDM Email Username Stage',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['subjectTranslations', 'messageTranslations'],
    properties: {
      identityEmailField: { title: 'E-mail field', description: "The account's address attribute.", type: 'string', minLength: 1, default: 'mail' },
      usernameToken: {
        title: 'Username token',
        description: 'The text of the message replaced by the username.',
        type: 'string',
        minLength: 1,
        default: '%username%',
      },
      ...MAIL_TEXT_PROPERTIES,
      ...IGNORED_MAIL_KEYS,
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],
  checkConfig: (config): ConfigProblem[] => mailTextProblems(config),

  async process(ctx) {
    const recipient = await identifiedRecipient(ctx, ctx.config.identityEmailField);
    const { user, to, audit } = recipient;
    const username = typeof ctx.shared['username'] === 'string' ? ctx.shared['username'] : undefined;
    const skip = recipient.skip ?? (username === undefined ? 'no-recipient' : undefined);
    if (skip !== undefined || !user || to === undefined) {
      return {
        kind: 'outcome',
        outcome: 'outcome',
        effects: [auditEffect('selfservice.email.skipped', { ...audit, reason: skip ?? 'no-recipient' })],
      };
    }
    return {
      kind: 'outcome',
      outcome: 'outcome',
      effects: [
        {
          type: 'mail',
          template: EMAIL_USERNAME_MAIL,
          to,
          locales: mailLocalesOf(ctx, user),
          object: { ...templateObjectOf(user), userName: username },
          inline: inlineMail(ctx.config, ctx.config.usernameToken, 'userName'),
        },
        auditEffect('selfservice.email.queued', audit),
      ],
    };
  },
});
