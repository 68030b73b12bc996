/**
 * The shipped IDM e-mail templates and their loader: every shipped template loads, in English and
 * French, with the placeholders its journey needs; broken files are refused with the file and a
 * JSON pointer; an operator directory replaces shipped templates.
 */
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmailTemplateError, loadEmailTemplates } from '../../src/mail/templates.js';
import { renderTemplate } from '../../src/mail/render.js';

const SHIPPED = fileURLToPath(new URL('../../config/email-templates', import.meta.url));

const valid = (name: string, extra: Record<string, unknown> = {}) => ({
  _id: `emailTemplate/${name}`,
  defaultLocale: 'en',
  enabled: true,
  from: '',
  mimeType: 'text/html',
  subject: { en: 'Hi' },
  message: { en: '<p>Hello {{object.givenName}}</p>' },
  ...extra,
});

async function problemsOf(promise: Promise<unknown>): Promise<EmailTemplateError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EmailTemplateError);
  return error as EmailTemplateError;
}

describe('shipped templates', () => {
  it('load, in English and French, with the links and values their journeys use', async () => {
    const templates = await loadEmailTemplates(SHIPPED);
    expect([...templates.keys()].sort()).toEqual([
      'credentialPart',
      'forgottenUsername',
      'generatedPassword',
      'oneTimePassword',
      'passwordChanged',
      'registration',
      'resetPassword',
      'updatePassword',
    ]);
    for (const t of templates.values()) {
      expect(t.enabled).toBe(true);
      expect(t.mimeType).toBe('text/html');
      for (const map of [t.subject, t.message, t.text ?? {}]) expect(Object.keys(map).sort()).toEqual(['en', 'fr']);
    }
    const uses = (name: string, placeholder: string) =>
      Object.values(templates.get(name)!.message).every((m) => m.includes(placeholder)) &&
      Object.values(templates.get(name)!.text!).every((m) => m.includes(placeholder));
    expect(uses('resetPassword', '{{object.resumeURI}}')).toBe(true);
    expect(uses('forgottenUsername', '{{object.userName}}')).toBe(true);
    expect(uses('forgottenUsername', '{{object.resumeURI}}')).toBe(true);
    expect(uses('registration', '{{object.resumeURI}}')).toBe(true);
    // Deliver Credential's e-mails (src/nodes/deliver-credential.ts): the password, or one part of it.
    expect(uses('generatedPassword', '{{object.credential}}')).toBe(true);
    for (const placeholder of ['{{object.credentialPart}}', '{{object.partNumber}}', '{{object.partCount}}']) {
      expect(uses('credentialPart', placeholder)).toBe(true);
    }
  });

  it('passwordChanged carries no link, token or password, even when the object holds them (RST-40)', async () => {
    const template = (await loadEmailTemplates(SHIPPED)).get('passwordChanged')!;
    const sources = [...Object.values(template.message), ...Object.values(template.text!), ...Object.values(template.subject)];
    for (const source of sources) {
      const placeholders = [...source.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1]);
      expect(placeholders.every((p) => p === 'object.givenName')).toBe(true);
      expect(source).not.toMatch(/href=/i);
    }
    const object = { givenName: 'Ada', password: 'Secret-Pa55word!', resumeURI: 'https://cairn.test/x?suspendedId=TOKEN123', token: 'TOKEN123' };
    for (const locale of ['en', 'fr']) {
      const out = renderTemplate(template, [locale], object);
      const all = `${out.subject}\n${out.html}\n${out.text}`;
      expect(all).toContain('Ada');
      expect(all).not.toContain('Secret-Pa55word!');
      expect(all).not.toContain('TOKEN123');
      expect(all).not.toMatch(/https?:\/\//);
    }
    expect(renderTemplate(template, ['fr'], object).subject).toBe('Votre mot de passe a été modifié');
  });
});

describe('loadEmailTemplates', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-mail-templates-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const put = (name: string, data: unknown, where = dir) => writeFile(join(where, name), typeof data === 'string' ? data : JSON.stringify(data));

  it('names the file and the JSON pointer of every problem', async () => {
    await put('a.json', valid('a', { colour: 'blue' }));
    await put('b.json', valid('b', { subject: { en: 'x', 'not a locale': 'y' } }));
    await put('c.json', valid('other'));
    await put('d.json', '{ "_id": ');
    await put('e.json', valid('e', { message: { fr: '<p>Bonjour</p>' } }));
    await put('f.json', valid('f', { mimeType: 'text/markdown' }));
    const { problems, message } = await problemsOf(loadEmailTemplates(dir));
    const at = (file: string) => problems.filter((p) => p.file === join(dir, file)).map((p) => `${p.pointer} ${p.message}`);
    expect(at('a.json')).toEqual(['/colour unknown key "colour"']);
    expect(at('b.json')[0]).toMatch(/^\/subject "not a locale" is not a locale tag/);
    expect(at('c.json')).toEqual(['/_id "emailTemplate/other" does not match the file name (expected "emailTemplate/c")']);
    expect(at('d.json')[0]).toMatch(/^ is not valid JSON/);
    expect(at('e.json')).toEqual(['/message has no text for the defaultLocale "en"']);
    expect(at('f.json')[0]).toMatch(/^\/mimeType must be one of "text\/html", "text\/plain"/);
    expect(message).toContain(join(dir, 'a.json'));
  });

  it('refuses raw {{{…}}} output, helpers and blocks instead of rendering them wrongly', async () => {
    await put('raw.json', valid('raw', { message: { en: '<p>{{{object.givenName}}}</p>' } }));
    await put('block.json', valid('block', { text: { en: '{{#if object.givenName}}Hi{{/if}}' } }));
    await put('helper.json', valid('helper', { subject: { en: '{{i18n "x"}}' } }));
    const { problems } = await problemsOf(loadEmailTemplates(dir));
    expect(problems.map((p) => [p.file.slice(dir.length + 1), p.pointer])).toEqual([
      ['block.json', '/text/en'],
      ['helper.json', '/subject/en'],
      ['raw.json', '/message/en'],
    ]);
    expect(problems[2]!.message).toMatch(/unsupported placeholder "\{\{\{object.givenName\}\}\}"/);
  });

  it('lets the operator directory replace a shipped template and add new ones; a missing one is fine', async () => {
    const operator = join(dir, 'operator');
    await mkdir(operator);
    await put('resetPassword.json', valid('resetPassword', { subject: { en: 'Custom reset' } }), operator);
    await put('emailTemplate-welcome.json', valid('welcome'), operator);
    const templates = await loadEmailTemplates(SHIPPED, operator);
    expect(templates.get('resetPassword')!.subject).toEqual({ en: 'Custom reset' });
    expect(templates.get('resetPassword')!.source).toBe(join(operator, 'resetPassword.json'));
    expect(templates.get('welcome')!.name).toBe('welcome');
    expect(templates.get('passwordChanged')!.source).toBe(join(SHIPPED, 'passwordChanged.json'));
    expect((await loadEmailTemplates(SHIPPED, join(dir, 'absent'))).size).toBe(8);
  });

  it('refuses a missing shipped directory', async () => {
    const { problems } = await problemsOf(loadEmailTemplates(join(dir, 'nope')));
    expect(problems).toEqual([{ file: join(dir, 'nope'), pointer: '', message: 'the directory cannot be read' }]);
  });
});
