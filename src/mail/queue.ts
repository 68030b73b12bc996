/**
 * The delivery worker: a FIFO of rendered messages sent off the caller's path, at most
 * `concurrency` at a time, each attempt cut off after `timeoutMs`. Transient failures are retried
 * with exponential back-off and jitter; SMTP 5xx answers and malformed messages are not. Log lines
 * carry the template, a hash of the recipient, the attempt and an error code — never the body or link.
 */
import type { MailTransport } from './transport.js';
import type { MailerStats, MailPersistence, PendingMail } from './types.js';
import { pseudonym } from '../audit/pseudonym.js';

export interface QueueSettings {
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  concurrency: number;
  maxQueue: number;
  maxAgeMs: number;
}

export interface MailQueueOptions {
  transport: MailTransport;
  settings: QueueSettings;
  log: (line: string) => void;
  now: () => number;
  random: () => number;
  persistence?: MailPersistence;
  /** Told when a message was delivered or given up on (audit); never given the address or body. */
  onOutcome?: (outcome: MailOutcome) => void;
}

export interface MailOutcome {
  status: 'sent' | 'failed';
  template: string;
  /** A short hash of the recipient, as in the log lines. */
  to: string;
  attempts: number;
  code?: string;
}

export type Counters = Omit<MailerStats, 'pending' | 'inFlight'>;

export interface MailQueue {
  /** Queues a message (replacing a waiting one with the same dedupeKey); never sends in this call. */
  add(mail: PendingMail): { added: true; replaced: boolean } | { added: false; reason: 'queue-full' | 'closed' };
  readonly counters: Counters;
  stats(): MailerStats;
  flush(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

interface Job {
  mail: PendingMail;
  state: 'waiting' | 'sending' | 'delayed';
  timer?: NodeJS.Timeout;
}

class SendTimeout extends Error {
  readonly code = 'ESENDTIMEOUT';
  constructor() {
    super('the message was not sent in time');
  }
}

interface ErrorSummary {
  code: string;
  responseCode?: number;
  /** The socket/TLS error under nodemailer's own (`ECONNREFUSED`, `CERT_HAS_EXPIRED` …). */
  cause?: string;
}

const SAFE_CODE = /^[A-Za-z0-9_]{1,40}$/;

/** Codes safe to log: nodemailer's `code`, its `originalCode` and the SMTP reply number, never the text. */
function describeError(error: unknown): ErrorSummary {
  const e = (error ?? {}) as { code?: unknown; responseCode?: unknown; originalCode?: unknown };
  const summary: ErrorSummary = { code: typeof e.code === 'string' && SAFE_CODE.test(e.code) ? e.code : 'ERROR' };
  if (typeof e.responseCode === 'number' && Number.isInteger(e.responseCode)) summary.responseCode = e.responseCode;
  if (typeof e.originalCode === 'string' && SAFE_CODE.test(e.originalCode) && e.originalCode !== summary.code) summary.cause = e.originalCode;
  return summary;
}

const errorFields = (e: ErrorSummary): string =>
  `code=${e.code}${e.cause === undefined ? '' : ` cause=${e.cause}`}${e.responseCode === undefined ? '' : ` reply=${e.responseCode}`}`;

/** 5xx replies and messages the transport refuses to build will fail the same way next time. */
function isPermanent(error: ErrorSummary): boolean {
  if (error.responseCode !== undefined && error.responseCode >= 400 && error.responseCode < 500) return false;
  if (error.responseCode !== undefined && error.responseCode >= 500 && error.responseCode < 600) return true;
  return error.code === 'ECONFIG' || error.code === 'EMESSAGE' || error.code === 'EENVELOPE';
}

/** Delay before the retry that follows failed attempt `n` (1-based): half fixed, half random. */
export function backoffDelay(n: number, settings: Pick<QueueSettings, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const full = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** Math.min(n - 1, 30));
  return Math.round(full / 2 + random() * (full / 2));
}

function isPendingMail(value: unknown): value is PendingMail {
  const m = value as Partial<PendingMail> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.id === 'string' &&
    typeof m.template === 'string' &&
    typeof m.locale === 'string' &&
    typeof m.from === 'string' &&
    typeof m.to === 'string' &&
    typeof m.subject === 'string' &&
    typeof m.text === 'string' &&
    (m.html === undefined || typeof m.html === 'string') &&
    (m.dedupeKey === undefined || typeof m.dedupeKey === 'string') &&
    typeof m.attempts === 'number' &&
    typeof m.createdAt === 'number'
  );
}

export function createMailQueue(options: MailQueueOptions): MailQueue {
  const { transport, settings, log, now, random, persistence } = options;
  const jobs = new Map<string, Job>();
  const counters: Counters = { queued: 0, sent: 0, failed: 0, retried: 0, dropped: 0, replaced: 0 };
  const idleWaiters = new Set<() => void>();
  let inFlight = 0;
  let closed = false;
  let pumpScheduled = false;
  let dirty = false;
  let saving: Promise<void> | undefined;

  const describeMail = (mail: PendingMail, attempt: number): string =>
    `template=${mail.template} to=${pseudonym(mail.to)} attempt=${attempt}/${settings.attempts}`;

  const loading: Promise<void> = (async () => {
    if (!persistence) return;
    try {
      const stored = await persistence.load();
      let restored = 0;
      for (const mail of Array.isArray(stored) ? stored : []) {
        if (!isPendingMail(mail) || jobs.has(mail.id)) continue;
        jobs.set(mail.id, { mail: { ...mail }, state: 'waiting' });
        restored += 1;
      }
      if (restored > 0) log(`mail: restored ${restored} unsent message(s)`);
    } catch (e) {
      log(`mail: could not load the unsent messages code=${describeError(e).code}`);
    }
    schedulePump();
  })();

  function persist(): void {
    if (!persistence) return;
    dirty = true;
    saving ??= (async () => {
      await loading; // never overwrite stored messages before they were read
      await new Promise<void>((resolve) => setImmediate(resolve)); // coalesce, and stay off the caller's path
      while (dirty) {
        dirty = false;
        try {
          await persistence.save([...jobs.values()].map((j) => ({ ...j.mail })));
        } catch (e) {
          log(`mail: could not save the unsent messages code=${describeError(e).code}`);
        }
      }
      saving = undefined;
    })();
  }

  function settle(): void {
    if (jobs.size === 0 || (closed && inFlight === 0)) {
      for (const resolve of [...idleWaiters]) resolve();
    }
  }

  function schedulePump(): void {
    if (pumpScheduled || closed) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      pump();
    });
  }

  function pump(): void {
    for (const job of jobs.values()) {
      if (closed || inFlight >= settings.concurrency) return;
      if (job.state === 'waiting') void attempt(job);
    }
  }

  function giveUp(job: Job, line: string, code: string): void {
    jobs.delete(job.mail.id);
    counters.failed += 1;
    log(line);
    options.onOutcome?.({ status: 'failed', template: job.mail.template, to: pseudonym(job.mail.to), attempts: job.mail.attempts, code });
  }

  async function attempt(job: Job): Promise<void> {
    const mail = job.mail;
    if (now() - mail.createdAt > settings.maxAgeMs) {
      giveUp(job, `mail: failed ${describeMail(mail, mail.attempts)} code=EXPIRED final=true`, 'EXPIRED');
      persist();
      settle();
      return;
    }
    job.state = 'sending';
    inFlight += 1;
    mail.attempts += 1;
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const reason = new SendTimeout();
        controller.abort(reason);
        reject(reason);
      }, settings.timeoutMs);
    });
    try {
      await Promise.race([transport.send(mail, controller.signal), timedOut]);
      jobs.delete(mail.id);
      counters.sent += 1;
      log(`mail: sent ${describeMail(mail, mail.attempts)}`);
      options.onOutcome?.({ status: 'sent', template: mail.template, to: pseudonym(mail.to), attempts: mail.attempts });
    } catch (e) {
      const error = describeError(e);
      if (isPermanent(error) || mail.attempts >= settings.attempts) {
        giveUp(job, `mail: failed ${describeMail(mail, mail.attempts)} ${errorFields(error)} final=true`, error.code);
      } else if (closed) {
        job.state = 'waiting'; // kept for the next start
      } else {
        const delay = backoffDelay(mail.attempts, settings, random);
        counters.retried += 1;
        job.state = 'delayed';
        job.timer = setTimeout(() => {
          job.state = 'waiting';
          delete job.timer;
          schedulePump();
        }, delay);
        job.timer.unref();
        log(`mail: retrying ${describeMail(mail, mail.attempts)} ${errorFields(error)} in=${delay}ms`);
      }
    } finally {
      clearTimeout(timer);
      controller.abort(); // releases anything the transport still holds
      inFlight -= 1;
    }
    persist();
    settle();
    schedulePump();
  }

  return {
    counters,
    add(mail) {
      if (closed) return { added: false, reason: 'closed' };
      let replaced = false;
      if (mail.dedupeKey !== undefined) {
        for (const job of jobs.values()) {
          if (job.mail.dedupeKey !== mail.dedupeKey || job.state === 'sending') continue;
          clearTimeout(job.timer);
          jobs.delete(job.mail.id);
          counters.replaced += 1;
          replaced = true;
          break;
        }
      }
      if (jobs.size >= settings.maxQueue) return { added: false, reason: 'queue-full' };
      jobs.set(mail.id, { mail, state: 'waiting' });
      counters.queued += 1;
      persist();
      schedulePump();
      return { added: true, replaced };
    },
    stats: () => ({ ...counters, pending: jobs.size, inFlight }),
    async flush(timeoutMs) {
      await loading;
      if (jobs.size === 0) return true;
      if (closed && inFlight === 0) return false;
      return new Promise<boolean>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          idleWaiters.delete(done);
          resolve(jobs.size === 0);
        };
        const timer = setTimeout(done, timeoutMs);
        idleWaiters.add(done);
      });
    },
    async close() {
      if (!closed) {
        closed = true;
        for (const job of jobs.values()) {
          if (job.state !== 'delayed') continue;
          clearTimeout(job.timer);
          delete job.timer;
          job.state = 'waiting';
        }
      }
      await loading;
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            if (inFlight > 0) return;
            idleWaiters.delete(done);
            resolve();
          };
          idleWaiters.add(done);
        });
      }
      settle();
      persist();
      await saving;
      transport.close();
    },
  };
}
