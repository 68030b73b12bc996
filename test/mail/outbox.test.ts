/**
 * The development outbox: without an SMTP URL every message becomes an `.eml` file under
 * `<dataDir>/outbox/`, readable by a mail client, and its links are logged for the developer.
 */
import { fileURLToPath } from 'node:url';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMailer } from '../../src/mail/mailer.js';
import { loadEmailTemplates } from '../../src/mail/templates.js';
import { parseMail } from '../support/eml.js';

const SHIPPED = fileURLToPath(new URL('../../config/email-templates', import.meta.url));
const LINK = 'http://localhost:8080/am/XUI/?realm=/&suspendedId=dev0Token1xYz&authIndexType=service&authIndexValue=ForgottenUsername';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-mail-outbox-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('development outbox', () => {
  it('writes a parseable .eml per message and logs its link', async () => {
    const lines: string[] = [];
    const mailer = createMailer({
      from: 'Cairn <no-reply@localhost>',
      dataDir,
      templates: await loadEmailTemplates(SHIPPED),
      log: (l) => lines.push(l),
    });
    try {
      expect(mailer.transport).toBe('outbox');
      expect(lines).toEqual([
        `mail: no SMTP server configured; messages are written to ${join(dataDir, 'outbox')} and their links logged (development only)`,
      ]);
      mailer.enqueue({
        template: 'forgottenUsername',
        to: 'ada@example.com',
        locales: ['en'],
        object: { givenName: 'Ada & Co', userName: 'ada<1>', resumeURI: LINK },
      });
      expect(await mailer.flush(5000)).toBe(true);
      expect(mailer.stats()).toMatchObject({ sent: 1, failed: 0 });

      const files = await readdir(join(dataDir, 'outbox'));
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d-]+Z-0001-forgottenUsername\.eml$/);
      const path = join(dataDir, 'outbox', files[0]!);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      const raw = await readFile(path, 'utf8');
      expect(raw).toMatch(/\r\n\r\n/); // RFC 822 line ends
      const mail = parseMail(raw);
      expect(mail.subject).toBe('Your username');
      expect(mail.header('to')).toBe('ada@example.com');
      expect(mail.header('message-id')).toMatch(/^<.+@localhost>$/);
      expect(mail.html).toContain('ada&lt;1&gt;');
      expect(mail.html).toContain('Hello Ada &amp; Co,');
      expect(mail.text).toContain('ada<1>');
      expect(mail.text!.split(/\r?\n/)).toContain(LINK);

      expect(lines.slice(1)).toEqual([
        `mail (dev outbox): forgottenUsername to ada@example.com written to ${path}`,
        `mail (dev outbox): link ${LINK}`,
        expect.stringMatching(/^mail: sent template=forgottenUsername to=[0-9a-f]{16} attempt=1\/6$/),
      ]);
    } finally {
      await mailer.close();
    }
  });

  it('derives the text part and its links from the HTML when a template has no text map', async () => {
    const shipped = await loadEmailTemplates(SHIPPED);
    const reset = shipped.get('resetPassword')!;
    const { text: _text, ...htmlOnly } = reset;
    const templates = new Map([['resetPassword', htmlOnly]]);
    const lines: string[] = [];
    const mailer = createMailer({ from: 'no-reply@localhost', dataDir, templates, log: (l) => lines.push(l) });
    try {
      mailer.enqueue({ template: 'resetPassword', to: 'zoe@example.com', locales: ['fr'], object: { givenName: 'Zoé', resumeURI: LINK } });
      expect(await mailer.flush(5000)).toBe(true);
      const [file] = await readdir(join(dataDir, 'outbox'));
      const mail = parseMail(await readFile(join(dataDir, 'outbox', file!), 'utf8'));
      expect(mail.subject).toBe('Réinitialisez votre mot de passe');
      expect(mail.text).toContain('Bonjour Zoé,');
      expect(mail.text).toContain(`Choisir un nouveau mot de passe <${LINK}>`);
      expect(mail.text).not.toMatch(/<p|<a |style=/);
      expect(lines).toContain(`mail (dev outbox): link ${LINK}`);
    } finally {
      await mailer.close();
    }
  });
});
