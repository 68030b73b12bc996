/**
 * Where rendered messages go. With an SMTP URL: nodemailer over SMTP/SMTPS, certificate checks on,
 * socket timeouts bounded by the per-message timeout, no file or URL access from message content.
 * Without one: the development outbox, which writes each message as an RFC 822 `.eml` file under
 * `<dataDir>/outbox/` and logs its links so a developer can follow them without a mail server.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport, type SendMailOptions } from 'nodemailer';
import type { PendingMail, SmtpOptions } from './types.js';

export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  /** Delivers one message; rejects with the transport's error. Must stop work when `signal` aborts. */
  send(mail: PendingMail, signal: AbortSignal): Promise<void>;
  close(): void;
}

export class MailConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MailConfigError';
  }
}

export interface SmtpEndpoint {
  host: string;
  port: number;
  /** TLS from the first byte (smtps://). */
  secure: boolean;
  user?: string;
  pass?: string;
}

/**
 * Reads `smtp://[user[:pass]@]host[:port]` (default port 587, STARTTLS when offered) or
 * `smtps://…` (default 465, implicit TLS). User and password are percent-decoded. Error messages
 * never repeat the URL, which holds the password.
 */
export function parseSmtpUrl(url: string): SmtpEndpoint {
  const shape = 'the SMTP URL must look like smtp://user:password@host:587 or smtps://user:password@host:465';
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new MailConfigError(`${shape} (it is not a URL)`);
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new MailConfigError(`${shape} (unsupported scheme "${parsed.protocol.replace(/:$/, '')}")`);
  }
  if (parsed.hostname === '') throw new MailConfigError(`${shape} (no host)`);
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '' || parsed.hash !== '') {
    throw new MailConfigError(`${shape} (no path, query or fragment; TLS options are separate settings)`);
  }
  const secure = parsed.protocol === 'smtps:';
  const port = parsed.port === '' ? (secure ? 465 : 587) : Number(parsed.port);
  let user: string | undefined;
  let pass: string | undefined;
  try {
    user = parsed.username === '' ? undefined : decodeURIComponent(parsed.username);
    pass = parsed.password === '' ? undefined : decodeURIComponent(parsed.password);
  } catch {
    throw new MailConfigError(`${shape} (the user or password is not correctly percent-encoded)`);
  }
  if (pass !== undefined && user === undefined) throw new MailConfigError(`${shape} (a password without a user)`);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port, secure, ...(user !== undefined ? { user } : {}), ...(pass !== undefined ? { pass } : {}) };
}

/** The nodemailer message for a rendered mail: never reads files or URLs, marks itself automatic. */
function composed(mail: PendingMail): SendMailOptions {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html !== undefined ? { html: mail.html } : {}),
    headers: {
      'Auto-Submitted': 'auto-generated', // RFC 3834: no auto-replies, no vacation loops
      'X-Auto-Response-Suppress': 'All',
      'Content-Language': mail.locale,
    },
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

export interface SmtpTransportOptions extends SmtpOptions {
  /** smtp:// or smtps:// URL, see parseSmtpUrl. */
  url: string;
  /** Upper bound for connecting, the greeting and socket inactivity. */
  timeoutMs: number;
  /** Connections kept open and reused (the queue's concurrency); 0 or absent: one connection per message. */
  maxConnections?: number;
  log: (line: string) => void;
}

const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || /^127\./.test(host);

export function createSmtpTransport(options: SmtpTransportOptions): MailTransport {
  const endpoint = parseSmtpUrl(options.url);
  if (options.rejectUnauthorized === false) {
    options.log('mail: WARNING the SMTP server certificate is not verified (rejectUnauthorized=false); use only with a test server');
  }
  if (!endpoint.secure && !options.requireTLS && !isLoopback(endpoint.host)) {
    options.log('mail: WARNING smtp:// without requireTLS sends in clear text if the server offers no STARTTLS; prefer smtps:// or requireTLS');
  }
  // A pool reuses connections: one TCP + TLS + greeting per message made resets wait on the mail server.
  const pooled = (options.maxConnections ?? 0) > 0 ? { pool: true as const, maxConnections: options.maxConnections, maxMessages: 100 } : {};
  const transporter = createTransport({
    ...pooled,
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.secure,
    requireTLS: options.requireTLS ?? false,
    ...(endpoint.user !== undefined ? { auth: { user: endpoint.user, pass: endpoint.pass ?? '' } } : {}),
    tls: { rejectUnauthorized: options.rejectUnauthorized ?? true, minVersion: 'TLSv1.2' },
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    socketCloseTimeout: 1000,
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
  return {
    kind: 'smtp',
    async send(mail, signal) {
      await transporter.sendMail({ ...composed(mail), signal });
    },
    close() {
      transporter.close();
    },
  };
}

/** The http(s) links of a message, from its text part (where derived links stay visible). */
export function linksOf(mail: PendingMail): string[] {
  const found = mail.text.match(/https?:\/\/[^\s<>"']+/g) ?? [];
  return [...new Set(found.map((u) => u.replace(/[).,;:!?]+$/, '')))];
}

export interface OutboxOptions {
  dataDir: string;
  log: (line: string) => void;
  /** Say once, now, that messages go to the outbox (default true). */
  announce?: boolean;
}

/**
 * The development outbox. Its files and log lines contain the links (tokens): it exists for a
 * developer's machine, and says so once when created.
 */
export function createOutboxTransport(options: OutboxOptions): MailTransport {
  const dir = join(options.dataDir, 'outbox');
  const composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  let counter = 0;
  if (options.announce !== false)
    options.log(`mail: no SMTP server configured; messages are written to ${dir} and their links logged (development only)`);
  return {
    kind: 'outbox',
    async send(mail, signal) {
      const info = await composer.sendMail({ ...composed(mail), signal });
      signal.throwIfAborted();
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      counter += 1;
      const file = join(dir, `${stamp}-${String(counter).padStart(4, '0')}-${mail.template}.eml`);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await writeFile(file, info.message as Buffer, { mode: 0o600, flag: 'wx' });
      options.log(`mail (dev outbox): ${mail.template} to ${mail.to} written to ${file}`);
      for (const link of linksOf(mail)) options.log(`mail (dev outbox): link ${link}`);
    },
    close() {
      composer.close();
    },
  };
}
