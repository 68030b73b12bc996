/**
 * Delivery over real SMTP on 127.0.0.1: the shipped resetPassword message arrives with an HTML and
 * a text part, the right subject and locale, its link intact and values escaped; no header can be
 * injected; logins, TLS and permanent refusals behave as configured.
 */
import { fileURLToPath } from 'node:url';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMailer } from '../../src/mail/mailer.js';
import { loadEmailTemplates } from '../../src/mail/templates.js';
import { MailConfigError, parseSmtpUrl } from '../../src/mail/transport.js';
import type { EmailTemplates, Mailer, MailerOptions } from '../../src/mail/types.js';
import { parseMail } from '../support/eml.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';

const SHIPPED = fileURLToPath(new URL('../../config/email-templates', import.meta.url));
const LINK = 'https://cairn.example/am/XUI/?realm=/&suspendedId=Zq3kP0e9xYw2Lr8sT1uV4b&authIndexType=service&authIndexValue=ResetPassword';

let templates: EmailTemplates;
let dataDir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  templates = await loadEmailTemplates(SHIPPED);
});
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-mail-smtp-'));
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

function mailer(over: Partial<MailerOptions> & { log?: (l: string) => void } = {}): Mailer {
  const m = createMailer({
    from: 'Cairn <no-reply@cairn.example>',
    dataDir,
    templates,
    log: () => {},
    retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 50, timeoutMs: 5000 },
    ...over,
  });
  cleanups.push(() => m.close());
  return m;
}

describe('SMTP delivery', () => {
  it('delivers resetPassword with HTML and text parts, the link intact and values escaped', async () => {
    const server = await peer();
    const m = mailer({ smtpUrl: server.url });
    expect(m.transport).toBe('smtp');
    const result = m.enqueue({
      template: 'resetPassword',
      to: 'ada@example.com',
      locales: ['en'],
      object: { givenName: '<script>alert(1)</script>', mail: 'ada@example.com', resumeURI: LINK },
    });
    expect(result).toMatchObject({ queued: true, replaced: false });
    const [received] = await server.waitFor(1);
    expect(received!.from).toBe('no-reply@cairn.example');
    expect(received!.to).toEqual(['ada@example.com']);
    const mail = parseMail(received!.raw);
    expect(mail.contentType).toBe('multipart/alternative');
    expect(mail.subject).toBe('Reset your password');
    expect(mail.header('from')).toBe('Cairn <no-reply@cairn.example>');
    expect(mail.header('content-language')).toBe('en');
    expect(mail.header('auto-submitted')).toBe('auto-generated');
    expect(mail.html).toContain('Hello &lt;script&gt;alert(1)&lt;/script&gt;,');
    expect(mail.html).not.toContain('<script>');
    const hrefs = [...mail.html!.matchAll(/href="([^"]*)"/g)].map((h) => h[1]!.replace(/&amp;/g, '&').replace(/&#x3D;/g, '='));
    expect(hrefs).toEqual([LINK]);
    expect(mail.text).toContain('Hello <script>alert(1)</script>,');
    expect(mail.text!.split(/\r?\n/)).toContain(LINK);
    expect(await m.flush(5000)).toBe(true);
    expect(m.stats()).toMatchObject({ queued: 1, sent: 1, failed: 0, retried: 0, pending: 0, inFlight: 0 });
  });

  it('writes French when the preference list puts fr first', async () => {
    const server = await peer();
    const m = mailer({ smtpUrl: server.url });
    m.enqueue({ template: 'resetPassword', to: 'zoe@example.com', locales: ['fr-FR', 'en-US'], object: { givenName: 'Zoé', resumeURI: LINK } });
    const mail = parseMail((await server.waitFor(1))[0]!.raw);
    expect(mail.subject).toBe('Réinitialisez votre mot de passe');
    expect(mail.header('content-language')).toBe('fr');
    expect(mail.html).toContain('Bonjour Zoé,');
    expect(mail.text).toContain('Bonjour Zoé,');
    expect(mail.text!.split(/\r?\n/)).toContain(LINK);
  });

  it('lets no value add a header or a recipient', async () => {
    const server = await peer();
    const custom = new Map(templates);
    custom.set('greeting', {
      ...templates.get('passwordChanged')!,
      name: 'greeting',
      subject: { en: 'Hello {{object.givenName}}' },
    });
    const m = mailer({ smtpUrl: server.url, templates: custom });
    m.enqueue({
      template: 'greeting',
      to: 'ada@example.com',
      object: { givenName: 'Eve\r\nBcc: victim@example.com\r\nX-Injected: yes\n\nbody' },
    });
    expect(m.enqueue({ template: 'greeting', to: 'ada@example.com\r\nBcc: victim@example.com', object: {} })).toEqual({
      queued: false,
      reason: 'invalid-recipient',
    });
    expect(m.enqueue({ template: 'greeting', to: 'ada@example.com, victim@example.com', object: {} })).toMatchObject({ queued: false });
    const [received] = await server.waitFor(1);
    expect(received!.to).toEqual(['ada@example.com']);
    const mail = parseMail(received!.raw);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.headers.has('x-injected')).toBe(false);
    expect(mail.rawHeaders).not.toMatch(/^(Bcc|X-Injected):/im);
    expect(mail.subject).toBe('Hello Eve Bcc: victim@example.com X-Injected: yes body');
    expect(await m.flush(5000)).toBe(true);
    expect(server.received).toHaveLength(1);
  });

  it('logs in with the user and password of the URL, percent-decoded', async () => {
    const server = await peer({ auth: { user: 'mailer@cairn', pass: 'p@ss:w/rd' } });
    const m = mailer({ smtpUrl: server.url });
    m.enqueue({ template: 'passwordChanged', to: 'ada@example.com', object: { givenName: 'Ada' } });
    const mail = parseMail((await server.waitFor(1))[0]!.raw);
    expect(mail.subject).toBe('Your password was changed');
    expect(mail.html).not.toMatch(/href=/);
  });

  it('does not retry permanent refusals (bad login, 550 recipient)', async () => {
    const server = await peer({ auth: { user: 'u', pass: 'right' }, rejectRecipients: ['gone@example.com'] });
    const lines: string[] = [];
    const wrong = mailer({ smtpUrl: `smtp://u:wrong@127.0.0.1:${server.port}`, log: (l) => lines.push(l), retry: { attempts: 4, baseDelayMs: 10 } });
    wrong.enqueue({ template: 'passwordChanged', to: 'ada@example.com', object: {} });
    expect(await wrong.flush(5000)).toBe(true);
    expect(wrong.stats()).toMatchObject({ sent: 0, failed: 1, retried: 0 });
    expect(lines.at(-1)).toMatch(/^mail: failed template=passwordChanged to=[0-9a-f]{16} attempt=1\/4 code=EAUTH reply=535 final=true$/);
    expect(lines.join('\n')).not.toContain('wrong');

    const right = mailer({ smtpUrl: `smtp://u:right@127.0.0.1:${server.port}`, log: (l) => lines.push(l), retry: { attempts: 4, baseDelayMs: 10 } });
    right.enqueue({ template: 'passwordChanged', to: 'gone@example.com', object: {} });
    expect(await right.flush(5000)).toBe(true);
    expect(right.stats()).toMatchObject({ sent: 0, failed: 1, retried: 0 });
    expect(lines.at(-1)).toMatch(/code=EENVELOPE reply=550 final=true$/);
    expect(server.received).toHaveLength(0);
  });

  it('with requireTLS, refuses a server that offers no STARTTLS', async () => {
    const server = await peer();
    const lines: string[] = [];
    const m = mailer({ smtpUrl: server.url, smtp: { requireTLS: true }, log: (l) => lines.push(l), retry: { attempts: 1 } });
    m.enqueue({ template: 'passwordChanged', to: 'ada@example.com', object: {} });
    expect(await m.flush(5000)).toBe(true);
    expect(m.stats()).toMatchObject({ sent: 0, failed: 1 });
    expect(lines.at(-1)).toMatch(/final=true$/);
    expect(server.received).toHaveLength(0);
  });

  it('checks the certificate of an smtps:// server unless told not to', async () => {
    const server = await peer({ secure: true });
    const lines: string[] = [];
    const strict = mailer({ smtpUrl: server.url, log: (l) => lines.push(l), retry: { attempts: 1 } });
    strict.enqueue({ template: 'passwordChanged', to: 'ada@example.com', object: {} });
    expect(await strict.flush(5000)).toBe(true);
    expect(strict.stats()).toMatchObject({ sent: 0, failed: 1 });
    expect(lines.at(-1)).toMatch(/code=ESOCKET cause=[A-Z_]+ final=true$/); // certificate problem
    expect(server.received).toHaveLength(0);

    const lax = mailer({ smtpUrl: server.url, smtp: { rejectUnauthorized: false }, log: (l) => lines.push(l) });
    expect(lines.at(-1)).toMatch(/^mail: WARNING the SMTP server certificate is not verified/);
    lax.enqueue({ template: 'passwordChanged', to: 'ada@example.com', object: {} });
    await server.waitFor(1);
    expect(await lax.flush(5000)).toBe(true);
    expect(lax.stats()).toMatchObject({ sent: 1, failed: 0 });
  });
});

describe('configuration', () => {
  it('reads smtp:// and smtps:// URLs with their defaults', () => {
    expect(parseSmtpUrl('smtp://mail.example.com')).toEqual({ host: 'mail.example.com', port: 587, secure: false });
    expect(parseSmtpUrl('smtps://a%40b:p%3Aw@mail.example.com')).toEqual({
      host: 'mail.example.com',
      port: 465,
      secure: true,
      user: 'a@b',
      pass: 'p:w',
    });
    expect(parseSmtpUrl('smtp://[::1]:2525')).toMatchObject({ host: '::1', port: 2525 });
  });

  it('refuses bad URLs without repeating the password', () => {
    for (const url of [
      'http://u:hunter2@mail.example.com',
      'smtp://u:hunter2@mail.example.com/path',
      'not a url hunter2',
      'smtp://:hunter2@mail.example.com',
    ]) {
      let error: unknown;
      try {
        parseSmtpUrl(url);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(MailConfigError);
      expect((error as Error).message).toMatch(/^the SMTP URL must look like smtp:\/\//);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('warns when a remote smtp:// server may be reached in clear text', async () => {
    const lines: string[] = [];
    const m = mailer({ smtpUrl: 'smtp://mail.example.com', log: (l) => lines.push(l) });
    expect(lines).toEqual([expect.stringMatching(/^mail: WARNING smtp:\/\/ without requireTLS/)]);
    mailer({ smtpUrl: 'smtp://mail.example.com', smtp: { requireTLS: true }, log: (l) => lines.push(l) });
    mailer({ smtpUrl: 'smtps://mail.example.com', log: (l) => lines.push(l) });
    expect(lines).toHaveLength(1);
    expect(m.transport).toBe('smtp');
  });

  it('refuses a bad from-address and bad retry options at construction', () => {
    const base = { dataDir, templates, log: () => {} };
    expect(() => createMailer({ ...base, from: 'nobody' })).toThrow(/from-address/);
    expect(() => createMailer({ ...base, from: 'a@b.example\r\nBcc: x@y' })).toThrow(MailConfigError);
    expect(() => createMailer({ ...base, from: 'a@b.example', retry: { attempts: 0 } })).toThrow(/"attempts" must be a whole number of at least 1/);
    expect(() => createMailer({ ...base, from: 'a@b.example', smtpUrl: 'ftp://x' })).toThrow(/unsupported scheme "ftp"/);
  });
});
