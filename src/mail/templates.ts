/**
 * Loads IDM-format e-mail templates (`emailTemplate/<name>`), one JSON file per template named
 * `<name>.json` (or IDM's `emailTemplate-<name>.json`). Each file is checked with ajv and then for
 * meaning (id matches the file name, defaultLocale present, only `{{path}}` placeholders); every
 * problem names the file and a JSON pointer. An operator directory's files replace shipped ones.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { unsupportedPlaceholder } from './render.js';
import type { EmailTemplate, EmailTemplates } from './types.js';

export interface TemplateProblem {
  file: string;
  pointer: string;
  message: string;
}

export class EmailTemplateError extends Error {
  constructor(readonly problems: readonly TemplateProblem[]) {
    super(`Invalid e-mail templates:\n${problems.map((p) => `  - ${p.file} ${p.pointer || '/'}: ${p.message}`).join('\n')}`);
    this.name = 'EmailTemplateError';
  }
}

const NAME = '[A-Za-z0-9][A-Za-z0-9_-]{0,63}';
/** A sender as the From header takes it: an address, or `Name <address>`. */
const SENDER = /^(?:[^\r\n<>]*<[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+>|[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+)$/;
export const isSender = (from: string): boolean => SENDER.test(from.trim());
const LOCALE = '^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$';

const localeMap = (minProperties: number) => ({
  type: 'object',
  minProperties,
  propertyNames: { pattern: LOCALE },
  additionalProperties: { type: 'string', maxLength: 200_000 },
});

/** The IDM/AIC template object; unknown keys are refused so a typo does not pass silently. */
const templateSchema = {
  type: 'object',
  required: ['_id', 'defaultLocale', 'enabled', 'from', 'mimeType', 'subject', 'message'],
  additionalProperties: false,
  properties: {
    _id: { type: 'string', pattern: `^emailTemplate/${NAME}$` },
    _rev: { type: 'string' },
    defaultLocale: { type: 'string', pattern: LOCALE },
    enabled: { type: 'boolean' },
    from: { type: 'string', maxLength: 320 },
    mimeType: { enum: ['text/html', 'text/plain'] },
    subject: localeMap(1),
    message: localeMap(1),
    html: localeMap(0),
    text: localeMap(0),
    styles: { type: 'string', maxLength: 100_000 },
    displayName: { type: 'string' },
    description: { type: 'string' },
    templateId: { type: 'string' },
  },
} as const;

interface TemplateFile {
  _id: string;
  defaultLocale: string;
  enabled: boolean;
  from: string;
  mimeType: 'text/html' | 'text/plain';
  subject: Record<string, string>;
  message: Record<string, string>;
  html?: Record<string, string>;
  text?: Record<string, string>;
  styles?: string;
}

const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

function describe(e: ErrorObject): { pointer: string; message: string } {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { pointer: e.instancePath, message: `missing "${String(p.missingProperty)}"` };
    case 'additionalProperties':
      return {
        pointer: `${e.instancePath}/${escapePointer(String(p.additionalProperty))}`,
        message: `unknown key "${String(p.additionalProperty)}"`,
      };
    case 'propertyNames':
      return { pointer: e.instancePath, message: `${JSON.stringify(p.propertyName)} is not a locale tag (e.g. "en", "fr-CA")` };
    case 'enum':
      return { pointer: e.instancePath, message: `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'pattern':
      return { pointer: e.instancePath, message: e.instancePath === '/_id' ? 'must be "emailTemplate/<name>"' : 'is not a locale tag' };
    default:
      return { pointer: e.instancePath, message: e.message ?? 'is invalid' };
  }
}

/** The template name a file name stands for, or undefined when the file is not a template file. */
function nameOfFile(file: string): string | undefined {
  const m = new RegExp(`^(?:emailTemplate-)?(${NAME})\\.json$`).exec(file);
  return m?.[1];
}

const compileTemplateSchema = () => new Ajv({ allErrors: true, strict: true }).compile<TemplateFile>(templateSchema);
type TemplateValidator = ReturnType<typeof compileTemplateSchema>;

/** Checks one parsed template file; returns the template or the problems found. */
export function parseEmailTemplate(
  data: unknown,
  file: string,
  expectedName?: string,
  validate: TemplateValidator = compileTemplateSchema(),
): EmailTemplate | TemplateProblem[] {
  if (!validate(data)) {
    // a bad locale key yields a `pattern` echo (with propertyName) next to the `propertyNames` error
    const errors = (validate.errors ?? []).filter((e) => e.propertyName === undefined);
    return errors.map((e) => ({ file, ...describe(e) }));
  }
  const problems: TemplateProblem[] = [];
  const name = data._id.slice('emailTemplate/'.length);
  if (data.from !== '' && !isSender(data.from)) {
    problems.push({ file, pointer: '/from', message: 'must be empty, an address or "Name <address>"' });
  }
  if (expectedName !== undefined && name !== expectedName) {
    problems.push({ file, pointer: '/_id', message: `"${data._id}" does not match the file name (expected "emailTemplate/${expectedName}")` });
  }
  for (const key of ['subject', 'message'] as const) {
    if (data[key][data.defaultLocale] === undefined) {
      problems.push({ file, pointer: `/${key}`, message: `has no text for the defaultLocale "${data.defaultLocale}"` });
    }
  }
  for (const key of ['subject', 'message', 'html', 'text'] as const) {
    for (const [locale, text] of Object.entries(data[key] ?? {})) {
      const bad = unsupportedPlaceholder(text);
      if (bad !== undefined) {
        problems.push({
          file,
          pointer: `/${key}/${escapePointer(locale)}`,
          message: `unsupported placeholder ${JSON.stringify(bad.slice(0, 60))}: only {{object.path}} (and Cairn's {{theme.primary}}, {{theme.onPrimary}}) is supported (no {{{raw}}}, helpers or blocks)`,
        });
      }
    }
  }
  if (problems.length > 0) return problems;
  const template: EmailTemplate = {
    name,
    source: file,
    defaultLocale: data.defaultLocale,
    enabled: data.enabled,
    from: data.from,
    mimeType: data.mimeType,
    subject: Object.freeze({ ...data.subject }),
    message: Object.freeze({ ...data.message }),
    ...(data.html && Object.keys(data.html).length > 0 ? { html: Object.freeze({ ...data.html }) } : {}),
    ...(data.text && Object.keys(data.text).length > 0 ? { text: Object.freeze({ ...data.text }) } : {}),
    ...(data.styles ? { styles: data.styles } : {}),
  };
  return Object.freeze(template);
}

async function readDir(
  dir: string,
  optional: boolean,
  validate: TemplateValidator,
  problems: TemplateProblem[],
): Promise<Map<string, EmailTemplate>> {
  const found = new Map<string, EmailTemplate>();
  let files: string[];
  try {
    files = (await readdir(dir)).sort();
  } catch (e) {
    if (optional && (e as NodeJS.ErrnoException).code === 'ENOENT') return found;
    problems.push({ file: dir, pointer: '', message: 'the directory cannot be read' });
    return found;
  }
  for (const entry of files) {
    if (!entry.endsWith('.json')) continue;
    const file = join(dir, entry);
    const expected = nameOfFile(entry);
    if (expected === undefined) {
      problems.push({ file, pointer: '', message: 'file name must be <name>.json (letters, digits, "-" and "_")' });
      continue;
    }
    let data: unknown;
    try {
      data = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      const why = e instanceof SyntaxError ? `is not valid JSON (${e.message})` : 'cannot be read';
      problems.push({ file, pointer: '', message: why });
      continue;
    }
    const parsed = parseEmailTemplate(data, file, expected, validate);
    if (Array.isArray(parsed)) problems.push(...parsed);
    else if (found.has(parsed.name)) problems.push({ file, pointer: '/_id', message: `template "${parsed.name}" is defined twice in ${dir}` });
    else found.set(parsed.name, parsed);
  }
  return found;
}

/**
 * Loads the templates of `dir` (required), then those of `overrideDir` (optional; a missing
 * directory is fine), whose files replace same-named templates whole. Throws EmailTemplateError
 * listing every problem.
 */
export async function loadEmailTemplates(dir: string, overrideDir?: string): Promise<EmailTemplates> {
  const problems: TemplateProblem[] = [];
  const validate = compileTemplateSchema();
  const shipped = await readDir(dir, false, validate, problems);
  const overrides = overrideDir === undefined ? new Map<string, EmailTemplate>() : await readDir(overrideDir, true, validate, problems);
  if (problems.length > 0) throw new EmailTemplateError(problems);
  return new Map([...shipped, ...overrides]);
}

/** Templates of an optional directory alone (a realm's own, `<templates>/realms/<name>/`); missing: none. */
export async function loadOptionalTemplates(dir: string): Promise<EmailTemplates> {
  const problems: TemplateProblem[] = [];
  const found = await readDir(dir, true, compileTemplateSchema(), problems);
  if (problems.length > 0) throw new EmailTemplateError(problems);
  return found;
}
