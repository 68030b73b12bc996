/**
 * createMailer: checks the options at construction, picks the transport (SMTP when a URL is given,
 * else the development outbox) and returns the Mailer port. `enqueue` renders at once — so only the
 * rendered message, not the whole identity object, is held and persisted — and never throws nor
 * waits: whatever happens to the mail, the caller's response is the same.
 */
import { randomUUID } from 'node:crypto';
import { pseudonym } from '../audit/pseudonym.js';
import { createMailQueue, type QueueSettings } from './queue.js';
import { renderTemplate } from './render.js';
import { isSender } from './templates.js';
import { createOutboxTransport, createSmtpTransport, MailConfigError } from './transport.js';
import type {
  EmailTemplate,
  EnqueueResult,
  InlineTemplate,
  Mailer,
  MailerOptions,
  MailRequest,
  MailTheme,
  PendingMail,
  RetryOptions,
} from './types.js';

export const DEFAULT_RETRY: Readonly<QueueSettings> = Object.freeze({
  attempts: 6,
  baseDelayMs: 2000,
  maxDelayMs: 60_000,
  timeoutMs: 20_000,
  concurrency: 4,
  maxQueue: 10_000,
  maxAgeMs: 60 * 60_000,
});

/** The hosted pages' default colours (ui/theme.json), used when no theme is given. */
export const DEFAULT_MAIL_THEME: Readonly<MailTheme> = Object.freeze({ primary: '#1d4f91', onPrimary: '#ffffff' });

/** One address, no display name, no list, no header-breaking characters. */
const ADDRESS = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+$/;

export const isMailAddress = (value: unknown): value is string => typeof value === 'string' && value.length <= 254 && ADDRESS.test(value);

/** An inline template (IDM self-service stage texts) as a loaded one; a sender that is not an address falls back to the default. */
function inlineTemplate(name: string, inline: InlineTemplate): EmailTemplate {
  const locales = Object.keys(inline.message);
  return {
    name: typeof name === 'string' ? name : 'inline',
    source: 'inline',
    defaultLocale: inline.defaultLocale ?? (locales.includes('en') ? 'en' : (locales[0] ?? 'en')),
    enabled: true,
    from: typeof inline.from === 'string' && isSender(inline.from) ? inline.from : '',
    mimeType: inline.mimeType === 'text/plain' ? 'text/plain' : 'text/html',
    subject: inline.subject,
    message: inline.message,
  };
}

function retrySettings(retry: RetryOptions | undefined): QueueSettings {
  const settings: QueueSettings = { ...DEFAULT_RETRY, ...retry };
  for (const [key, value] of Object.entries(settings)) {
    const minimum = key === 'attempts' || key === 'concurrency' || key === 'maxQueue' || key === 'timeoutMs' ? 1 : 0;
    if (!Number.isInteger(value) || value < minimum) {
      throw new MailConfigError(`mail retry option "${key}" must be a whole number of at least ${minimum}, got ${JSON.stringify(value)}`);
    }
  }
  return settings;
}

export function createMailer(options: MailerOptions): Mailer {
  if (typeof options.from !== 'string' || !isSender(options.from)) {
    throw new MailConfigError('the mail from-address must be an address or "Name <address>", e.g. "Cairn <no-reply@example.com>"');
  }
  if (typeof options.dataDir !== 'string' || options.dataDir === '') throw new MailConfigError('the mail data directory is missing');
  const settings = retrySettings(options.retry);
  const { log, templates } = options;
  const now = options.now ?? Date.now;
  const transport =
    options.smtpUrl !== undefined && options.smtpUrl.trim() !== ''
      ? createSmtpTransport({ url: options.smtpUrl, timeoutMs: settings.timeoutMs, maxConnections: settings.concurrency, log, ...options.smtp })
      : createOutboxTransport({ dataDir: options.dataDir, log, ...(options.announceOutbox === false ? { announce: false } : {}) });
  const queue = createMailQueue({
    ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
    transport,
    settings,
    log,
    now,
    random: options.random ?? Math.random,
    ...(options.persistence ? { persistence: options.persistence } : {}),
  });

  const refuse = (reason: Extract<EnqueueResult, { queued: false }>['reason'], request: MailRequest): EnqueueResult => {
    queue.counters.dropped += 1;
    const to = typeof request?.to === 'string' ? pseudonym(request.to) : '-';
    const template = typeof request?.template === 'string' ? request.template.replace(/[^\w-]/g, '?').slice(0, 64) : '-';
    log(`mail: not queued template=${template} to=${to} reason=${reason}`);
    return { queued: false, reason };
  };

  return {
    transport: transport.kind,
    hasTemplate: (name) => templates.has(name),
    stats: () => queue.stats(),
    flush: (timeoutMs = 30_000) => queue.flush(timeoutMs),
    close: () => queue.close(),
    enqueue(request) {
      try {
        const template = request?.inline
          ? inlineTemplate(request.template, request.inline)
          : typeof request?.template === 'string'
            ? templates.get(request.template)
            : undefined;
        if (!template) return refuse('unknown-template', request);
        if (!template.enabled) return refuse('template-disabled', request);
        if (!isMailAddress(request.to)) return refuse('invalid-recipient', request);
        const locales = Array.isArray(request.locales) ? request.locales.filter((l) => typeof l === 'string') : [];
        const object = typeof request.object === 'object' && request.object !== null ? request.object : {};
        const rendered = renderTemplate(template, locales, object, { theme: { ...DEFAULT_MAIL_THEME, ...options.theme?.() } });
        const mail: PendingMail = {
          id: randomUUID(),
          template: template.name,
          locale: rendered.locale,
          from: template.from !== '' ? template.from.trim() : options.from.trim(),
          to: request.to,
          subject: rendered.subject,
          ...(rendered.html !== undefined ? { html: rendered.html } : {}),
          text: rendered.text,
          ...(typeof request.dedupeKey === 'string' ? { dedupeKey: request.dedupeKey } : {}),
          attempts: 0,
          createdAt: now(),
        };
        const added = queue.add(mail);
        return added.added ? { queued: true, id: mail.id, replaced: added.replaced } : refuse(added.reason, request);
      } catch {
        return refuse('invalid-request', request);
      }
    },
  };
}
