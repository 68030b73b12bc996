/**
 * The OAuth clients the operator registers (CAIRN_OAUTH_CLIENTS_FILE): a JSON array of
 * `{client_id, redirect_uris, post_logout_redirect_uris?, token_endpoint_auth_method?,
 * client_secret?, scope?, grant_types?, client_name?}`, read and validated once at start — every
 * problem named with the entry it is in — and turned into oidc-provider's static client metadata.
 * Dynamic registration is off: these are all the clients there are, all first-party (implied consent).
 */
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import type { ClientMetadata } from 'oidc-provider';

export const SUPPORTED_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;
const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post'] as const;
const GRANT_TYPES = ['authorization_code', 'refresh_token'] as const;
const DEFAULT_SCOPE = 'openid profile email';
/** A shared secret shorter than this is guessable offline from a token it authenticated. */
const MIN_SECRET_LENGTH = 32;

export interface ClientEntry {
  client_id: string;
  client_name?: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  token_endpoint_auth_method?: (typeof AUTH_METHODS)[number];
  client_secret?: string;
  scope?: string;
  grant_types?: (typeof GRANT_TYPES)[number][];
}

const uriList = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 2048 }, maxItems: 100 };
const SCHEMA = {
  type: 'array',
  maxItems: 10_000,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['client_id', 'redirect_uris'],
    properties: {
      client_id: { type: 'string', pattern: '^[A-Za-z0-9._~-]{1,128}$' },
      client_name: { type: 'string', maxLength: 200 },
      redirect_uris: { ...uriList, minItems: 1 },
      post_logout_redirect_uris: uriList,
      token_endpoint_auth_method: { enum: AUTH_METHODS },
      client_secret: { type: 'string', maxLength: 512 },
      scope: { type: 'string', maxLength: 1000 },
      grant_types: { type: 'array', items: { enum: GRANT_TYPES }, minItems: 1, uniqueItems: true },
    },
  },
} as const;

const validate = new Ajv({ allErrors: true }).compile<ClientEntry[]>(SCHEMA);

/** An absolute redirect URI without a fragment: https, http (loopback or development), or an app's private scheme. */
function uriProblem(uri: string): string | undefined {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return 'is not an absolute URL';
  }
  if (u.hash) return 'must not have a fragment';
  if (u.protocol === 'javascript:' || u.protocol === 'data:' || u.protocol === 'file:') return `must not use ${u.protocol}`;
  return undefined;
}

/** The problems of a parsed clients file, each naming its entry; empty when it is valid. */
export function clientProblems(json: unknown, file: string): string[] {
  if (!validate(json)) {
    return (validate.errors ?? []).map((e) => {
      const where = e.instancePath.replace(/^\/(\d+)/, (_m, i: string) => `entry ${i}`).replace(/\//g, '.');
      const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
      return `${file}: ${where || 'the file'} ${e.message ?? 'is invalid'}${extra}.`;
    });
  }
  const problems: string[] = [];
  const seen = new Set<string>();
  json.forEach((c, i) => {
    const at = `${file}: client ${JSON.stringify(c.client_id)} (entry ${i})`;
    if (seen.has(c.client_id)) problems.push(`${at} repeats a client_id.`);
    seen.add(c.client_id);
    for (const [field, uris] of [
      ['redirect_uris', c.redirect_uris],
      ['post_logout_redirect_uris', c.post_logout_redirect_uris ?? []],
    ] as const) {
      for (const uri of uris) {
        const p = uriProblem(uri);
        if (p) problems.push(`${at}: ${field} ${JSON.stringify(uri)} ${p}.`);
      }
    }
    const method = c.token_endpoint_auth_method ?? (c.client_secret ? 'client_secret_basic' : 'none');
    if (method === 'none' && c.client_secret !== undefined)
      problems.push(`${at}: a public client (token_endpoint_auth_method "none") has no client_secret.`);
    if (method !== 'none' && (c.client_secret ?? '').length < MIN_SECRET_LENGTH)
      problems.push(`${at}: token_endpoint_auth_method "${method}" needs a client_secret of at least ${MIN_SECRET_LENGTH} characters.`);
    for (const s of (c.scope ?? DEFAULT_SCOPE).split(' ').filter(Boolean)) {
      if (!(SUPPORTED_SCOPES as readonly string[]).includes(s)) problems.push(`${at}: scope "${s}" is not one of ${SUPPORTED_SCOPES.join(', ')}.`);
    }
    if (c.grant_types && !c.grant_types.includes('authorization_code')) problems.push(`${at}: grant_types must include authorization_code.`);
  });
  return problems;
}

/** oidc-provider's metadata for a validated entry. */
export function toMetadata(c: ClientEntry): ClientMetadata {
  const method = c.token_endpoint_auth_method ?? (c.client_secret ? 'client_secret_basic' : 'none');
  return {
    client_id: c.client_id,
    ...(c.client_name ? { client_name: c.client_name } : {}),
    ...(c.client_secret ? { client_secret: c.client_secret } : {}),
    redirect_uris: c.redirect_uris,
    post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
    token_endpoint_auth_method: method,
    grant_types: c.grant_types ?? ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: c.scope ?? DEFAULT_SCOPE,
  };
}

/** Reads the clients file; `problems` lists everything wrong with it (nothing is loaded then). */
export async function loadClients(file: string | undefined): Promise<{ clients: ClientMetadata[]; problems: string[] }> {
  if (!file) return { clients: [], problems: [] };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return { clients: [], problems: [`CAIRN_OAUTH_CLIENTS_FILE: ${file} cannot be read.`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { clients: [], problems: [`CAIRN_OAUTH_CLIENTS_FILE: ${file} is not valid JSON (${(e as Error).message}).`] };
  }
  const problems = clientProblems(json, file);
  return problems.length ? { clients: [], problems } : { clients: (json as ClientEntry[]).map(toMetadata), problems };
}
