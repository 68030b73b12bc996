/**
 * Operator settings: one schema (title, description, default, environment variable) is the
 * documentation, the parser and the validator. Values come from environment variables; a bad value
 * stops the start with a message naming the variable. The result is frozen and passed down.
 */
import { isAbsolute, resolve } from 'node:path';
import { Ajv } from 'ajv';

interface SettingSpec {
  env: string;
  title: string;
  description: string;
  type: 'integer' | 'string' | 'boolean' | 'string-list';
  default?: unknown;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  enum?: readonly string[];
  format?: 'url' | 'path';
  secret?: boolean;
}

/** Every setting Cairn reads. Keep this table the single documented place. */
export const SETTINGS = {
  port: {
    env: 'PORT',
    title: 'HTTP port',
    description: 'TCP port the server listens on.',
    type: 'integer',
    default: 8080,
    minimum: 0,
    maximum: 65535,
  },
  host: {
    env: 'CAIRN_HOST',
    title: 'Listen address',
    description: 'Address the server binds to.',
    type: 'string',
    default: '0.0.0.0',
  },
  dataDir: {
    env: 'CAIRN_DATA_DIR',
    title: 'Data directory',
    description: 'Where the embedded store, the keys and the development outbox live.',
    type: 'string',
    default: './data',
    format: 'path',
  },
  journeysDir: {
    env: 'CAIRN_JOURNEYS_DIR',
    title: 'Journeys directory',
    description: 'Directory of journey files (*.json), loaded and validated at start.',
    type: 'string',
    default: './journeys',
    format: 'path',
  },
  publicUrl: {
    env: 'CAIRN_PUBLIC_URL',
    title: 'Public URL',
    description: 'The URL users reach Cairn at; e-mailed links are built from it, never from the Host header. Default http://localhost:<PORT>.',
    type: 'string',
    format: 'url',
  },
  amBasePath: {
    env: 'CAIRN_AM_BASE_PATH',
    title: 'AM base path',
    description: 'Path prefix of the AM-compatible API (`{base}/json/realms/root/authenticate`).',
    type: 'string',
    default: '/am',
    pattern: '^(/[A-Za-z0-9._~-]+)*$',
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

export interface Settings {
  port: number;
  host: string;
  dataDir: string;
  journeysDir: string;
  publicUrl: string;
  amBasePath: string;
}

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

function parseValue(spec: SettingSpec, raw: string): { value?: unknown; problem?: string } {
  const text = raw.trim();
  switch (spec.type) {
    case 'integer':
      return /^-?\d+$/.test(text) ? { value: Number(text) } : { problem: `must be a whole number, got ${JSON.stringify(raw)}` };
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(text)) return { value: true };
      if (/^(false|0|no|off)$/i.test(text)) return { value: false };
      return { problem: `must be true or false, got ${JSON.stringify(raw)}` };
    case 'string-list':
      return { value: text === '' ? [] : text.split(',').map((s) => s.trim()).filter(Boolean) };
    default:
      return { value: text };
  }
}

function jsonSchemaOf(spec: SettingSpec): Record<string, unknown> {
  const base: Record<string, unknown> =
    spec.type === 'string-list' ? { type: 'array', items: { type: 'string' } } : { type: spec.type };
  for (const k of ['minimum', 'maximum', 'pattern', 'enum'] as const) if (spec[k] !== undefined) base[k] = spec[k];
  return base;
}

/** Reads and validates settings from an environment; `cwd` anchors relative paths. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Readonly<Settings> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const specs = SETTINGS as Record<string, SettingSpec>;
  for (const [name, spec] of Object.entries(specs)) {
    const raw = env[spec.env];
    if (raw === undefined || raw === '') {
      if (spec.default !== undefined) values[name] = spec.default;
      continue;
    }
    const parsed = parseValue(spec, raw);
    if (parsed.problem) problems.push(`${spec.env} ${parsed.problem}.`);
    else values[name] = parsed.value;
  }
  const ajv = new Ajv({ allErrors: true });
  for (const [name, spec] of Object.entries(specs)) {
    if (values[name] === undefined) continue;
    const validate = ajv.compile(jsonSchemaOf(spec));
    if (!validate(values[name])) {
      const e = validate.errors?.[0];
      const shown = spec.secret ? '(hidden)' : JSON.stringify(values[name]);
      problems.push(`${spec.env} ${e?.message ?? 'is invalid'}, got ${shown}.`);
      delete values[name];
    }
    if (spec.format === 'path' && typeof values[name] === 'string') {
      const p = values[name] as string;
      values[name] = isAbsolute(p) ? p : resolve(cwd, p);
    }
  }
  if (values.publicUrl === undefined && typeof values.port === 'number') {
    values.publicUrl = `http://localhost:${values.port}`;
  } else if (typeof values.publicUrl === 'string') {
    try {
      const u = new URL(values.publicUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
      if (u.search || u.hash) throw new Error('query');
      values.publicUrl = u.href.replace(/\/$/, '');
    } catch {
      problems.push(`CAIRN_PUBLIC_URL must be an absolute http(s) URL without query or fragment, got ${JSON.stringify(values.publicUrl)}.`);
    }
  }
  if (problems.length) throw new SettingsError(problems);
  return Object.freeze(values as unknown as Settings);
}

/** The settings table as Markdown, for README. */
export function settingsMarkdown(): string {
  const rows = Object.values(SETTINGS as Record<string, SettingSpec>).map(
    (s) => `| \`${s.env}\` | ${s.default === undefined ? '—' : `\`${String(s.default)}\``} | ${s.description} |`,
  );
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
