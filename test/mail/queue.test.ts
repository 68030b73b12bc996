/**
 * The queue against real SMTP peers keeps mail off the request path: with a dead or slow SMTP server
 * `enqueue` returns before any connection is made; attempts are retried, cut off by the per-message
 * timeout, counted, and logged without links or addresses. Also: de-duplication, the queue limit,
 * expiry, flush/close, and persistence across a restart. The exact delays, timeouts and concurrency
 * are tested on simulated time in queue-timing.test.ts; nothing here asserts a duration.
 */
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMailer } from '../../src/mail/mailer.js';
import { pseudonym as recipientHash } from '../../src/audit/pseudonym.js';
import { backoffDelay } from '../../src/mail/queue.js';
import { loadEmailTemplates } from '../../src/mail/templates.js';
import type { EmailTemplates, Mailer, MailerOptions, MailPersistence, PendingMail } from '../../src/mail/types.js';
import { parseMail } from '../support/eml.js';
import { deadPort, startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const SHIPPED = fileURLToPath(new URL('../../config/email-templates', import.meta.url));
const TOKEN = 'Zq3kP0e9xYw2Lr8sT1uV4b';
const LINK = `https://cairn.example/am/XUI/?suspendedId=${TOKEN}&authIndexType=service&authIndexValue=ResetPassword`;
const REQUEST = { template: 'resetPassword', to: 'ada@example.com', locales: ['en'], object: { givenName: 'Ada', resumeURI: LINK } };

let templates: EmailTemplates;
let dataDir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  templates = await loadEmailTemplates(SHIPPED);
});
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-mail-queue-'));
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await rm(dataDir, { recursive: true, force: true });
});

async function peer(options: Parameters<typeof startSmtpPeer>[0] = {}): Promise<SmtpPeer> {
  const p = await startSmtpPeer(options);
  cleanups.push(() => p.close());
  return p;
}

function mailer(over: Partial<MailerOptions>): Mailer {
  const m = createMailer({ from: 'no-reply@cairn.example', dataDir, templates, log: () => {}, ...over });
  cleanups.push(() => m.close());
  return m;
}

function memoryStore(initial: PendingMail[] = []): MailPersistence & { saved: PendingMail[]; saves: number } {
  const store = {
    saved: initial,
    saves: 0,
    save(messages: readonly PendingMail[]) {
      store.saves += 1;
      store.saved = structuredClone([...messages]);
    },
    load: () => structuredClone(store.saved),
  };
  return store;
}

describe('a dead SMTP server', () => {
  it('does not connect during enqueue; retries; counts and logs the failure without the link', async () => {
    const port = await deadPort();
    const lines: string[] = [];
    const outcomes: unknown[] = [];
    const m = mailer({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      log: (line) => lines.push(line),
      onOutcome: (o) => outcomes.push(o),
      random: () => 0,
      retry: { attempts: 4, baseDelayMs: 2, maxDelayMs: 1000, timeoutMs: 10_000 },
    });
    expect(m.enqueue(REQUEST).queued).toBe(true);
    expect(m.stats()).toMatchObject({ queued: 1, pending: 1, inFlight: 0, sent: 0 }); // nothing attempted yet

    expect(await m.flush(10_000)).toBe(true);
    expect(m.stats()).toEqual({ queued: 1, sent: 0, failed: 1, retried: 3, dropped: 0, replaced: 0, pending: 0, inFlight: 0 });
    const hash = recipientHash('ada@example.com');
    expect(lines).toEqual([
      `mail: retrying template=resetPassword to=${hash} attempt=1/4 code=ESOCKET cause=ECONNREFUSED in=1ms`,
      `mail: retrying template=resetPassword to=${hash} attempt=2/4 code=ESOCKET cause=ECONNREFUSED in=2ms`,
      `mail: retrying template=resetPassword to=${hash} attempt=3/4 code=ESOCKET cause=ECONNREFUSED in=4ms`,
      `mail: failed template=resetPassword to=${hash} attempt=4/4 code=ESOCKET cause=ECONNREFUSED final=true`,
    ]);
    const all = lines.join('\n');
    for (const secret of [TOKEN, 'https://', 'ada@example.com', 'Ada', 'suspendedId']) expect(all).not.toContain(secret);
    // The final failure is reported once, for the audit log, with the recipient hashed.
    expect(outcomes).toEqual([{ status: 'failed', template: 'resetPassword', to: hash, attempts: 4, code: 'ESOCKET' }]);
  });

  it('jitters each delay between half and all of the doubled base, capped', () => {
    const settings = { baseDelayMs: 100, maxDelayMs: 500 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, settings, () => 0))).toEqual([50, 100, 200, 250, 250]);
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, settings, () => 0.999999))).toEqual([100, 200, 400, 500, 500]);
  });

  it('recovers when the server answers 451 once', async () => {
    const server = await peer({ tempFailures: 1 });
    const lines: string[] = [];
    const m = mailer({ smtpUrl: server.url, log: (l) => lines.push(l), retry: { attempts: 3, baseDelayMs: 20 } });
    m.enqueue(REQUEST);
    await server.waitFor(1);
    expect(await m.flush(5000)).toBe(true);
    expect(m.stats()).toMatchObject({ sent: 1, failed: 0, retried: 1 });
    expect(lines[0]).toMatch(/^mail: retrying .* attempt=1\/3 code=EENVELOPE reply=451 in=\d+ms$/);
    expect(lines[1]).toMatch(/^mail: sent template=resetPassword to=[0-9a-f]{16} attempt=2\/3$/);
  });
});

describe('a slow SMTP server (it holds its answer to DATA)', () => {
  it('is not waited for by enqueue, and the message still arrives', async () => {
    const server = await peer({ delayMs: 300 });
    const m = mailer({ smtpUrl: server.url, retry: { timeoutMs: 10_000 } });
    expect(m.enqueue(REQUEST).queued).toBe(true);
    expect(server.connections).toBe(0); // enqueue returned before any connection
    expect(await m.flush(10_000)).toBe(true);
    expect(m.stats()).toMatchObject({ sent: 1, failed: 0 });
    expect(parseMail(server.received[0]!.raw).subject).toBe('Reset your password');
  });

  it('abandons an attempt the server does not finish within the per-message timeout', async () => {
    const server = await peer({ delayMs: 5000 });
    const lines: string[] = [];
    const m = mailer({ smtpUrl: server.url, log: (l) => lines.push(l), retry: { attempts: 1, timeoutMs: 200 } });
    m.enqueue(REQUEST);
    expect(await m.flush(10_000)).toBe(true);
    expect(m.stats()).toMatchObject({ queued: 1, sent: 0, failed: 1, pending: 0, inFlight: 0 });
    expect(lines).toEqual([`mail: failed template=resetPassword to=${recipientHash('ada@example.com')} attempt=1/1 code=ESENDTIMEOUT final=true`]);
  });
});

describe('the queue', () => {
  it('replaces a waiting message with a newer one of the same dedupeKey', async () => {
    const server = await peer();
    const m = mailer({ smtpUrl: server.url });
    const first = m.enqueue({ ...REQUEST, object: { resumeURI: 'https://cairn.example/old' }, dedupeKey: 'reset:ada' });
    const second = m.enqueue({ ...REQUEST, object: { resumeURI: 'https://cairn.example/new' }, dedupeKey: 'reset:ada' });
    const other = m.enqueue({ ...REQUEST, to: 'bob@example.com', dedupeKey: 'reset:bob' });
    expect([first.queued, second, other.queued]).toEqual([true, { queued: true, id: expect.any(String), replaced: true }, true]);
    expect(await m.flush(5000)).toBe(true);
    expect(server.received.map((r) => r.to[0]).sort()).toEqual(['ada@example.com', 'bob@example.com']);
    const ada = server.received.find((r) => r.to[0] === 'ada@example.com')!;
    expect(parseMail(ada.raw).text).toContain('https://cairn.example/new');
    expect(m.stats()).toMatchObject({ queued: 3, replaced: 1, sent: 2 });
  });

  it('refuses beyond maxQueue, unknown or disabled templates, and after close — and says so in the log', async () => {
    const lines: string[] = [];
    const custom = new Map(templates);
    custom.set('off', { ...templates.get('passwordChanged')!, name: 'off', enabled: false });
    const m = mailer({ smtpUrl: `smtp://127.0.0.1:${await deadPort()}`, templates: custom, log: (l) => lines.push(l), retry: { maxQueue: 2 } });
    expect(m.enqueue(REQUEST).queued).toBe(true);
    expect(m.enqueue(REQUEST).queued).toBe(true);
    expect(m.enqueue(REQUEST)).toEqual({ queued: false, reason: 'queue-full' });
    expect(m.enqueue({ ...REQUEST, template: 'nope' })).toEqual({ queued: false, reason: 'unknown-template' });
    expect(m.enqueue({ ...REQUEST, template: 'off' })).toEqual({ queued: false, reason: 'template-disabled' });
    expect(m.enqueue(null as never)).toEqual({ queued: false, reason: 'unknown-template' });
    expect(m.hasTemplate('off')).toBe(true);
    expect(m.hasTemplate('nope')).toBe(false);
    await m.close();
    expect(m.enqueue(REQUEST)).toEqual({ queued: false, reason: 'closed' });
    expect(m.stats()).toMatchObject({ queued: 2, dropped: 5 });
    expect(lines.filter((l) => l.startsWith('mail: not queued'))).toEqual([
      `mail: not queued template=resetPassword to=${recipientHash('ada@example.com')} reason=queue-full`,
      `mail: not queued template=nope to=${recipientHash('ada@example.com')} reason=unknown-template`,
      `mail: not queued template=off to=${recipientHash('ada@example.com')} reason=template-disabled`,
      'mail: not queued template=- to=- reason=unknown-template',
      `mail: not queued template=resetPassword to=${recipientHash('ada@example.com')} reason=closed`,
    ]);
  });

  it('drops a message whose link has expired before it could be sent', async () => {
    const server = await peer();
    let clock = 1_000_000;
    const lines: string[] = [];
    const m = mailer({ smtpUrl: server.url, now: () => clock, log: (l) => lines.push(l), retry: { maxAgeMs: 60_000 } });
    m.enqueue(REQUEST);
    clock += 60_001;
    expect(await m.flush(5000)).toBe(true);
    expect(m.stats()).toMatchObject({ sent: 0, failed: 1 });
    expect(lines).toEqual([`mail: failed template=resetPassword to=${recipientHash('ada@example.com')} attempt=0/6 code=EXPIRED final=true`]);
    expect(server.connections).toBe(0);
  });
});

describe('persistence', () => {
  it('keeps unsent messages across a restart and sends them when the server is back', async () => {
    const store = memoryStore();
    const down = createMailer({
      from: 'no-reply@cairn.example',
      dataDir,
      templates,
      log: () => {},
      smtpUrl: `smtp://127.0.0.1:${await deadPort()}`,
      persistence: store,
      retry: { attempts: 10, baseDelayMs: 10_000 },
    });
    down.enqueue(REQUEST);
    down.enqueue({ ...REQUEST, template: 'passwordChanged', to: 'bob@example.com' });
    await vi.waitFor(() => expect(down.stats()).toMatchObject({ retried: 2, pending: 2 })); // both failed once, now waiting
    await down.close();
    expect(store.saved.map((s) => [s.template, s.to, s.attempts])).toEqual([
      ['resetPassword', 'ada@example.com', 1],
      ['passwordChanged', 'bob@example.com', 1],
    ]);
    expect(store.saved[0]).not.toHaveProperty('object'); // only the rendered message is kept

    const server = await peer();
    const lines: string[] = [];
    const up = mailer({ smtpUrl: server.url, persistence: store, log: (l) => lines.push(l) });
    await server.waitFor(2);
    expect(await up.flush(5000)).toBe(true);
    expect(lines[0]).toBe('mail: restored 2 unsent message(s)');
    expect(lines.filter((l) => l.startsWith('mail: sent')).map((l) => l.replace(/ to=\S+/, ''))).toEqual([
      'mail: sent template=resetPassword attempt=2/6',
      'mail: sent template=passwordChanged attempt=2/6',
    ]);
    expect(parseMail(server.received.find((r) => r.to[0] === 'ada@example.com')!.raw).text).toContain(LINK);
    await up.close();
    expect(store.saved).toEqual([]);
  });

  it('survives a store that fails to load or save, and skips malformed entries', async () => {
    const server = await peer();
    const lines: string[] = [];
    const broken: MailPersistence = {
      load: () => [{ id: 'x' } as unknown as PendingMail],
      save: () => {
        throw Object.assign(new Error('disk full'), { code: 'ENOSPC' });
      },
    };
    const m = mailer({ smtpUrl: server.url, persistence: broken, log: (l) => lines.push(l) });
    expect(m.enqueue(REQUEST).queued).toBe(true);
    await server.waitFor(1);
    expect(await m.flush(5000)).toBe(true);
    expect(m.stats()).toMatchObject({ sent: 1, pending: 0 });
    expect(lines).toContain('mail: could not save the unsent messages code=ENOSPC');
    expect(lines).not.toContain('mail: restored 1 unsent message(s)');
  });
});
