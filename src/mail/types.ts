/**
 * The mail module's public contract: the IDM-format e-mail template, the request a node hands to
 * the mailer, and the Mailer port itself. Nodes and the app depend on these types only; the
 * factory in mailer.ts decides the transport (SMTP or the development outbox) and runs the queue.
 */

/** A locale → text map, as IDM stores `subject` and `message` (`{"en": "…", "fr": "…"}`). */
export type LocaleMap = Readonly<Record<string, string>>;

/** One loaded `emailTemplate/<name>` (IDM/AIC config object), checked by loadEmailTemplates. */
export interface EmailTemplate {
  /** The name after `emailTemplate/`, e.g. `resetPassword`. */
  readonly name: string;
  /** The file it came from, for messages. */
  readonly source: string;
  readonly defaultLocale: string;
  /** A disabled template sends nothing (IDM semantics). */
  readonly enabled: boolean;
  /** Sender for this template; empty means the mailer's configured from-address. */
  readonly from: string;
  /** `text/html`: `message` (or `html`) is HTML and a text part is derived; `text/plain`: plain text only. */
  readonly mimeType: 'text/html' | 'text/plain';
  readonly subject: LocaleMap;
  readonly message: LocaleMap;
  /** AIC's compiled full-page HTML; preferred over `message` for the HTML part when present. */
  readonly html?: LocaleMap;
  /** Optional hand-written plain-text part; otherwise derived from the HTML. */
  readonly text?: LocaleMap;
  /** Optional CSS (AIC `styles`), placed in a <style> element of the HTML part. */
  readonly styles?: string;
}

/** Templates by name, as returned by loadEmailTemplates. */
export type EmailTemplates = ReadonlyMap<string, EmailTemplate>;

/**
 * A template given inline rather than by file (IDM self-service stages carry their texts in their
 * own configuration: `subjectTranslations`, `messageTranslations`). The same placeholders and escaping
 * as a template file apply; the texts come from the operator's configuration, checked at start.
 */
export interface InlineTemplate {
  readonly defaultLocale?: string;
  /** Empty or absent: the mailer's configured from-address. */
  readonly from?: string;
  readonly mimeType: 'text/html' | 'text/plain';
  readonly subject: LocaleMap;
  readonly message: LocaleMap;
}

/** What a node asks for; `object` is the IDM template object (`{{object.resumeURI}}` …). */
export interface MailRequest {
  /** A loaded template's name; with `inline`, only the message's name in logs and the audit log. */
  template: string;
  inline?: InlineTemplate;
  to: string;
  /** Preferred locales, most preferred first: the user's preference, then the request's. */
  locales?: readonly string[];
  object: Readonly<Record<string, unknown>>;
  /**
   * Messages with the same key replace each other while still waiting: a newer reset link makes an
   * older, not yet sent one useless. A message already being sent is not affected.
   */
  dedupeKey?: string;
}

export type EnqueueResult =
  | { queued: true; id: string; replaced: boolean }
  | {
      queued: false;
      reason: 'unknown-template' | 'template-disabled' | 'invalid-recipient' | 'invalid-request' | 'queue-full' | 'closed';
    };

/** A rendered message waiting to be sent: the unit kept across restarts by MailPersistence. */
export interface PendingMail {
  id: string;
  template: string;
  locale: string;
  from: string;
  to: string;
  subject: string;
  /** Absent for text/plain templates. */
  html?: string;
  text: string;
  dedupeKey?: string;
  /** Attempts already made. */
  attempts: number;
  /** Epoch milliseconds when it was first queued (messages older than `maxAgeMs` are dropped). */
  createdAt: number;
}

/**
 * Optional durable storage of unsent messages. `save` receives the complete current list (replace,
 * do not append) and is called after every change and on close; `load` runs once at creation.
 * The messages contain the e-mailed links: store them where tokens may be stored, with a lifetime.
 */
export interface MailPersistence {
  save(messages: readonly PendingMail[]): Promise<void> | void;
  load(): Promise<readonly PendingMail[]> | readonly PendingMail[];
}

/** Counters (monotonic, for metrics) and two gauges. */
export interface MailerStats {
  /** Messages accepted by enqueue (counter). */
  queued: number;
  /** Messages delivered to the SMTP server or written to the outbox (counter). */
  sent: number;
  /** Messages given up after their last attempt, a permanent error, or expiry (counter). */
  failed: number;
  /** Retries scheduled after a failed attempt (counter). */
  retried: number;
  /** Requests refused by enqueue: unknown/disabled template, bad recipient, full queue, closed (counter). */
  dropped: number;
  /** Waiting messages replaced by a newer one with the same dedupeKey (counter). */
  replaced: number;
  /** Messages waiting or being sent right now (gauge). */
  pending: number;
  /** Messages being sent right now (gauge). */
  inFlight: number;
}

export interface RetryOptions {
  /** Total attempts per message, first included. Default 6. */
  attempts?: number;
  /** Delay before the first retry; doubles each time, with jitter. Default 2000 ms. */
  baseDelayMs?: number;
  /** Cap on one delay. Default 60000 ms. */
  maxDelayMs?: number;
  /** One attempt is abandoned after this long, so a slow server cannot pile up work. Default 20000 ms. */
  timeoutMs?: number;
  /** Messages sent at the same time. Default 4. */
  concurrency?: number;
  /** Messages allowed to wait; more are refused (a flood of requests must not exhaust memory). Default 10000. */
  maxQueue?: number;
  /** A message not sent within this long after it was queued is dropped (its link has expired). Default 1 hour. */
  maxAgeMs?: number;
}

export interface SmtpOptions {
  /** Upgrade with STARTTLS or fail (for smtp:// URLs). Default false (opportunistic STARTTLS). */
  requireTLS?: boolean;
  /** Verify the server certificate. Default true; turn off only for a test server. */
  rejectUnauthorized?: boolean;
}

export interface MailerOptions {
  /** `smtp://user:pass@host:587` or `smtps://user:pass@host:465`; absent: development outbox. */
  smtpUrl?: string;
  smtp?: SmtpOptions;
  /** Default sender, e.g. `Cairn <no-reply@example.com>`; a template's non-empty `from` wins. */
  from: string;
  /** The outbox is `<dataDir>/outbox/`. */
  dataDir: string;
  templates: EmailTemplates;
  /** One line per call; never receives message bodies, links or tokens (except the dev outbox links). */
  log: (line: string) => void;
  /** Told when a message was delivered or given up on (for the audit log); never given the address or body. */
  onOutcome?: (outcome: { status: 'sent' | 'failed'; template: string; to: string; attempts: number; code?: string }) => void;
  retry?: RetryOptions;
  persistence?: MailPersistence;
  /** Clock (epoch ms) for message age. */
  now?: () => number;
  /** Source of jitter in [0, 1). */
  random?: () => number;
  /**
   * The hosted pages' colours, read when a message is rendered, so templates can write
   * `{{theme.primary}}` / `{{theme.onPrimary}}` (the e-mail's button looks like the pages' buttons).
   */
  theme?: () => MailTheme;
  /** Say at construction that the development outbox is in use (default true; the user commands keep quiet). */
  announceOutbox?: boolean;
}

/** Colours a template may use as `{{theme.<name>}}`. */
export interface MailTheme {
  primary: string;
  onPrimary: string;
}

/** What queues a message (the identity service's notices, the adapters' mail effects). */
export interface MailPort {
  enqueue(request: MailRequest): unknown;
}

/** The mailer the server composes. Sending never happens on the caller's path. */
export interface Mailer extends MailPort {
  /** Renders and queues a message; returns at once, without waiting for any server. */
  enqueue(request: MailRequest): EnqueueResult;
  /** Whether an enabled-or-not template of this name is loaded (for journey validation). */
  hasTemplate(name: string): boolean;
  /** `smtp` or `outbox`. */
  readonly transport: 'smtp' | 'outbox';
  stats(): MailerStats;
  /** Waits until nothing is waiting or being sent; resolves false if `timeoutMs` passes first. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Stops the worker: refuses new messages, lets the sends in progress end, saves what is unsent. */
  close(): Promise<void>;
}
