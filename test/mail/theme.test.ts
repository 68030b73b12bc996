/**
 * The e-mails' button colour is the pages' theme colour: read from the operator's theme file (else
 * the shipped ui/theme.json), re-read when the file changes, values that are not plain CSS colours
 * ignored; the shipped templates use it and the mailer fills it.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAIL_THEME } from '../../src/mail/mailer.js';
import { mailThemeFrom } from '../../src/mail/theme.js';

const ROOT = join(import.meta.dirname, '..', '..');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-mail-theme-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mail theme', () => {
  it('is the shipped pages’ colours by default', () => {
    const shipped = JSON.parse(readFileSync(join(ROOT, 'ui', 'theme.json'), 'utf8')) as { colors: { primary: string; onPrimary: string } };
    expect(DEFAULT_MAIL_THEME).toEqual({ primary: shipped.colors.primary, onPrimary: shipped.colors.onPrimary });
    expect(mailThemeFrom(join(ROOT, 'ui', 'theme.json'), DEFAULT_MAIL_THEME)()).toEqual(DEFAULT_MAIL_THEME);
  });

  it('follows the operator’s file as it changes, and ignores what is not a colour', async () => {
    const file = join(dir, 'theme.json');
    await writeFile(file, JSON.stringify({ colors: { primary: '#7a1f5c', onPrimary: 'white' } }));
    const theme = mailThemeFrom(file, DEFAULT_MAIL_THEME);
    expect(theme()).toEqual({ primary: '#7a1f5c', onPrimary: 'white' });
    await writeFile(file, JSON.stringify({ colors: { primary: 'url(javascript:x)', onPrimary: 'rgb(1, 2, 3)' } }));
    await utimes(file, new Date(), new Date(Date.now() + 5_000));
    expect(theme()).toEqual({ primary: DEFAULT_MAIL_THEME.primary, onPrimary: 'rgb(1, 2, 3)' });
    await writeFile(file, 'not json');
    await utimes(file, new Date(), new Date(Date.now() + 10_000));
    expect(theme()).toEqual(DEFAULT_MAIL_THEME);
    expect(mailThemeFrom(join(dir, 'missing.json'), DEFAULT_MAIL_THEME)()).toEqual(DEFAULT_MAIL_THEME);
  });

  it('is what the shipped templates’ buttons use', () => {
    for (const name of ['resetPassword', 'forgottenUsername', 'registration']) {
      const text = readFileSync(join(ROOT, 'config', 'email-templates', `${name}.json`), 'utf8');
      expect(text, name).toContain('background:{{theme.primary}};color:{{theme.onPrimary}}');
      expect(text, name).not.toMatch(/background:#2563eb/);
    }
  });
});
