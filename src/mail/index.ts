/**
 * The mail module's public surface: load templates, create the mailer, and the types nodes use.
 * Everything else in src/mail is internal.
 */
export { createMailer, DEFAULT_RETRY, isMailAddress } from './mailer.js';
export { EmailTemplateError, loadEmailTemplates, loadOptionalTemplates, parseEmailTemplate, type TemplateProblem } from './templates.js';
export { renderTemplate, type RenderedMail } from './render.js';
export { MailConfigError, parseSmtpUrl } from './transport.js';
export type * from './types.js';
