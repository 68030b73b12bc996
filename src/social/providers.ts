/**
 * Social identity providers as AIC configures them (`socialIdentityProviders` in an export; one
 * `<journeysDir>/social-providers/<name>.json` each): OpenID Connect providers, found through their
 * well-known endpoint. The file keeps AIC's fields but never the client secret: secrets come from
 * CAIRN_SOCIAL_CLIENT_SECRETS (`<name>=<secret>`), so they are in neither journey files nor state.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export const SOCIAL_PROVIDERS_DIR = 'social-providers';

/** The AIC fields Cairn runs; the rest of the record is kept as exported. */
export interface SocialProviderConfig {
  /** The provider's name (`google`, `acme`): SelectIdP's choice and the prefix of its aliases. */
  _id: string;
  _type?: { _id?: string };
  enabled?: boolean;
  clientId: string;
  /** `https://issuer/.well-known/openid-configuration`. */
  wellKnownEndpoint: string;
  redirectURI: string;
  scopes?: string[];
  scopeDelimiter?: string;
  /** The normalisation script (raw profile → AIC's normalised profile), by id. */
  transform?: string;
  uiConfig?: Record<string, unknown>;
  clientAuthenticationMethod?: string;
  acrValues?: string[];
  [field: string]: unknown;
}

export interface SocialProvider {
  config: SocialProviderConfig;
  /** From settings; undefined for a public client (PKCE only). */
  clientSecret?: string;
  file: string;
}

export interface SocialProviderSet {
  readonly dir: string;
  get(name: string): SocialProvider | undefined;
  /** Enabled providers, in name order. */
  enabled(): SocialProvider[];
  /** Problems of the files and the secrets, each naming its file. */
  readonly problems: { file: string; message: string }[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Why an AIC provider record cannot run in Cairn, or undefined. */
export function providerProblem(record: Record<string, unknown>): string | undefined {
  const missing = ['_id', 'clientId', 'redirectURI'].filter((k) => typeof record[k] !== 'string' || record[k] === '');
  if (missing.length) return `missing ${missing.join(', ')}`;
  if (!NAME.test(String(record._id))) return `"${String(record._id)}" is not a provider name Cairn takes (letters, digits, "-", "_")`;
  if (typeof record.wellKnownEndpoint !== 'string' || !/^https?:\/\//.test(record.wellKnownEndpoint)) {
    return `${String(record._id)} has no OpenID Connect well-known endpoint; Cairn signs in with OpenID Connect providers only`;
  }
  for (const k of ['redirectURI', 'wellKnownEndpoint'] as const) {
    try {
      new URL(String(record[k]));
    } catch {
      return `${k} is not a URL`;
    }
  }
  if (record.scopes !== undefined && !(Array.isArray(record.scopes) && record.scopes.every((s) => typeof s === 'string')))
    return 'scopes must be a list of strings';
  return undefined;
}

/** `name=secret` entries of CAIRN_SOCIAL_CLIENT_SECRETS. */
export function parseSecrets(entries: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) {
    const i = e.indexOf('=');
    if (i > 0) out.set(e.slice(0, i).trim(), e.slice(i + 1));
  }
  return out;
}

export function providerSetOf(
  dir: string,
  providers: readonly SocialProvider[],
  problems: { file: string; message: string }[] = [],
): SocialProviderSet {
  const byName = new Map(providers.map((p) => [p.config._id, p]));
  return {
    dir,
    problems,
    get: (name) => byName.get(name),
    enabled: () => [...byName.values()].filter((p) => p.config.enabled !== false).sort((a, b) => a.config._id.localeCompare(b.config._id)),
  };
}

/** Reads `<journeysDir>/social-providers/*.json`; a missing directory is no providers. */
export async function loadSocialProviders(journeysDir: string, secrets: ReadonlyMap<string, string>): Promise<SocialProviderSet> {
  const dir = join(journeysDir, SOCIAL_PROVIDERS_DIR);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return providerSetOf(dir, []);
  }
  const problems: { file: string; message: string }[] = [];
  const providers: SocialProvider[] = [];
  for (const n of names) {
    const file = join(dir, n);
    let record: unknown;
    try {
      record = JSON.parse(await readFile(file, 'utf8'));
    } catch (e) {
      problems.push({ file, message: `not valid JSON (${(e as Error).message})` });
      continue;
    }
    if (!record || typeof record !== 'object' || Array.isArray(record)) {
      problems.push({ file, message: 'must hold one provider record (a JSON object)' });
      continue;
    }
    const r = record as Record<string, unknown>;
    const why = providerProblem(r);
    if (why) {
      problems.push({ file, message: why });
      continue;
    }
    if (r.clientSecret !== undefined && r.clientSecret !== null) {
      problems.push({ file, message: 'holds a clientSecret: move it to CAIRN_SOCIAL_CLIENT_SECRETS and remove it from the file' });
      continue;
    }
    const config = r as SocialProviderConfig;
    const secret = secrets.get(config._id);
    providers.push({ config, file, ...(secret !== undefined ? { clientSecret: secret } : {}) });
  }
  return providerSetOf(dir, providers, problems);
}
