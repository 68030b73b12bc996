/**
 * Operator settings: one table (title, description, default, environment variable, schema, and the
 * checks a schema cannot express) is the documentation, the parser, the validator and the `Settings`
 * type. Values come from defaults, the optional config file and environment variables; a bad value
 * stops the start with a message naming the variable. The result is frozen and passed down.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parseRealmLimit, REALM_LIMIT_SETTINGS, realmProblems } from '../realms/realms.js';

/** The settings read so far, by name: what a setting's `check` or `derive` may consult. */
type Draft = Readonly<Record<string, unknown>>;

interface Common<V> {
  env: string;
  title: string;
  description: string;
  default?: V;
  /** The value when none is set, computed from other settings (`publicUrl` from `port`). */
  derive?: (settings: Draft) => V | undefined;
  /** Never shown: masked by `cairn config show` and left out of error messages. */
  secret?: true;
  /**
   * What the JSON Schema cannot say: the problem with a value that passed it (the rest of a sentence
   * starting with the variable's name), or undefined. Runs once every setting has passed its schema.
   */
  check?: (value: V, settings: Draft) => string | undefined;
  /** The canonical form of a value that passed its checks. */
  normalise?: (value: V) => V;
}

interface IntegerSpec extends Common<number> {
  type: 'integer';
  minimum?: number;
  maximum?: number;
}

interface StringSpec extends Common<string> {
  type: 'string';
  pattern?: string;
  enum?: readonly string[];
  /** A path, resolved against the working directory (or the config file's directory). */
  format?: 'path';
}

interface BooleanSpec extends Common<boolean> {
  type: 'boolean';
}

/** Comma-separated in an environment variable, a JSON array of strings in the config file. */
interface ListSpec extends Common<readonly string[]> {
  type: 'string-list';
}

type SettingSpec = IntegerSpec | StringSpec | BooleanSpec | ListSpec;

const got = (value: unknown): string => `got ${JSON.stringify(value)}`;

/** A list check: the entries failing `ok`, named in one problem. */
const everyEntry =
  (ok: (entry: string) => boolean, mustBe: string) =>
  (list: readonly string[]): string | undefined => {
    const bad = list.filter((e) => !ok(e));
    return bad.length === 0 ? undefined : `entries must be ${mustBe}, ${got(bad.length === 1 ? bad[0] : bad)}`;
  };

function isHttpUrl(value: string, { originOnly = false, queryAllowed = true } = {}): boolean {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    if (!queryAllowed && (u.search || u.hash)) return false;
    return !originOnly || u.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}

/** Absolute http(s) URL prefixes (allow-lists of links and of script HTTP calls). */
const httpPrefixes = everyEntry((e) => /^https?:\/\/[^/]+/.test(e), 'absolute http(s) URLs');

/** The public URL's parsed form, when it is a valid one (its own check reports it otherwise). */
function publicUrlOf(settings: Draft): URL | undefined {
  const v = settings.publicUrl;
  return typeof v === 'string' && isHttpUrl(v, { queryAllowed: false }) ? new URL(v) : undefined;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isAddressOrRange(entry: string): boolean {
  const [address, bits] = entry.split('/');
  if (!address || isIP(address) === 0) return false;
  return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128));
}

/** AM's session cookie name; under an https public URL the default adds the `__Host-` prefix. */
export const AM_COOKIE_NAME = 'iPlanetDirectoryPro';

/** Redirect allow-list entries: absolute http(s) URL prefixes with nothing a path boundary could not match. */
const redirectPrefixes = everyEntry((e) => {
  if (!/^https?:\/\/[^/]+/.test(e)) return false;
  try {
    const u = new URL(e);
    return !u.search && !u.hash && !u.username && !u.password;
  } catch {
    return false;
  }
}, 'absolute http(s) URLs without query, fragment or credentials');

function realmLimitsProblem(entries: readonly string[], settings: Draft): string | undefined {
  const realms = Array.isArray(settings.realms) ? (settings.realms as string[]) : [];
  const table = SETTINGS as Record<string, SettingSpec>;
  for (const entry of entries) {
    const limit = parseRealmLimit(entry);
    if (!limit) return `entries must be <realm>.<setting>=<number>, ${got(entry)}`;
    if (!realms.includes(limit.realm))
      return `names the realm "${limit.realm}", which is not declared (CAIRN_REALMS: ${realms.join(', ') || 'none'})`;
    if (!(REALM_LIMIT_SETTINGS as readonly string[]).includes(limit.name))
      return `"${limit.name}" is not a limit a realm sets (${REALM_LIMIT_SETTINGS.join(', ')})`;
    const spec = table[limit.name] as IntegerSpec;
    if ((spec.minimum !== undefined && limit.value < spec.minimum) || (spec.maximum !== undefined && limit.value > spec.maximum))
      return `${entry}: ${limit.name} must be between ${spec.minimum ?? 0} and ${spec.maximum ?? 'any'}`;
  }
  return undefined;
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
  realms: {
    env: 'CAIRN_REALMS',
    title: 'Realms',
    description:
      'Realms served besides root (which is always served), e.g. `alpha,bravo`. Each has its own journeys (`<journeysDir>/realms/<name>/`, else the shipped ones), its people in `managed/<name>_user`, its own sessions and session cookie (`<cookie name>-<name>`), its e-mail templates (`<emailTemplatesDir>/realms/<name>/` over the others) and its paths (`{base}/json/realms/root/realms/<name>/…`, `{base}/oauth2/realms/root/realms/<name>/…`).',
    type: 'string-list',
    default: [],
    check: (names) => realmProblems(names)[0]?.replace(/^CAIRN_REALMS: /, ''),
  },
  publicUrl: {
    env: 'CAIRN_PUBLIC_URL',
    title: 'Public URL',
    description: 'The URL users reach Cairn at; e-mailed links are built from it, never from the Host header. Default http://localhost:<PORT>.',
    type: 'string',
    derive: (s) => (typeof s.port === 'number' ? `http://localhost:${s.port}` : undefined),
    check: (v) => (isHttpUrl(v, { queryAllowed: false }) ? undefined : `must be an absolute http(s) URL without query or fragment, ${got(v)}`),
    normalise: (v) => new URL(v).href.replace(/\/$/, ''),
  },
  amBasePath: {
    env: 'CAIRN_AM_BASE_PATH',
    title: 'AM base path',
    description: 'Path prefix of the AM-compatible API (`{base}/json/realms/root/authenticate`).',
    type: 'string',
    default: '/am',
    pattern: '^(/[A-Za-z0-9._~-]+)*$',
  },
  authIdLifetimeSeconds: {
    env: 'CAIRN_AUTHID_LIFETIME_SECONDS',
    title: 'Journey step lifetime',
    description: 'How long a client has to answer a journey step (the authId lifetime; AM default 5 minutes).',
    type: 'integer',
    default: 300,
    minimum: 10,
    maximum: 86400,
  },
  sessionIdleMinutes: {
    env: 'CAIRN_SESSION_IDLE_MINUTES',
    title: 'Session idle timeout',
    description: 'A session unused for this long ends.',
    type: 'integer',
    default: 30,
    minimum: 1,
    maximum: 525600,
    check: (v, s) => (typeof s.sessionMaxMinutes === 'number' && v > s.sessionMaxMinutes ? 'must not exceed CAIRN_SESSION_MAX_MINUTES' : undefined),
  },
  sessionMaxMinutes: {
    env: 'CAIRN_SESSION_MAX_MINUTES',
    title: 'Session maximum lifetime',
    description: 'A session ends this long after it started, however active.',
    type: 'integer',
    default: 120,
    minimum: 1,
    maximum: 525600,
  },
  cookieName: {
    env: 'CAIRN_COOKIE_NAME',
    title: 'Session cookie name',
    description:
      "Name of the session cookie, also accepted as a request header and reported by serverinfo. Default: AM's iPlanetDirectoryPro; under an https public URL __Host-iPlanetDirectoryPro (no other site or subdomain can set it), or __Secure-iPlanetDirectoryPro with CAIRN_COOKIE_DOMAIN. Set iPlanetDirectoryPro to keep AM's name under https.",
    type: 'string',
    pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$",
    // __Host- needs a host-only cookie; one shared with subdomains (a Domain) is __Secure-, still Secure-only.
    derive: (s) =>
      publicUrlOf(s)?.protocol === 'https:' ? `${typeof s.cookieDomain === 'string' ? '__Secure-' : '__Host-'}${AM_COOKIE_NAME}` : AM_COOKIE_NAME,
    check: (v, s) => {
      const url = publicUrlOf(s);
      if (/^__(Host|Secure)-/i.test(v) && url !== undefined && url.protocol !== 'https:' && !LOOPBACK_HOSTS.has(url.hostname)) {
        return 'may be a __Host- or __Secure- name only with an https CAIRN_PUBLIC_URL (or a loopback one): browsers keep such cookies only when Secure';
      }
      if (/^__Host-/i.test(v) && typeof s.cookieDomain === 'string')
        return 'may not be a __Host- name with CAIRN_COOKIE_DOMAIN set: a __Host- cookie has no Domain (use a __Secure- name)';
      return undefined;
    },
  },
  cookieSameSite: {
    env: 'CAIRN_COOKIE_SAMESITE',
    title: 'Session cookie SameSite',
    description:
      'SameSite of the session cookie. `None` (always with Secure) lets an app on another site use the session in credentialed calls and the hidden authorize iframe; it needs an https public URL (or a loopback one).',
    type: 'string',
    default: 'Lax',
    enum: ['Lax', 'Strict', 'None'],
    check: (v, s) => {
      const url = publicUrlOf(s);
      if (v !== 'None' || url === undefined || url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname)) return undefined;
      return 'may be None only with an https CAIRN_PUBLIC_URL (or a loopback one): browsers only keep SameSite=None cookies that are Secure';
    },
  },
  cookiePartitioned: {
    env: 'CAIRN_COOKIE_PARTITIONED',
    title: 'Partitioned session cookie',
    description:
      "With SameSite=None, also mark the session cookie Partitioned (CHIPS): browsers that block third-party cookies keep it for each site that embeds Cairn (the SDK's fetches and hidden authorize iframe), separately per site.",
    type: 'boolean',
    default: true,
  },
  cookieDomain: {
    env: 'CAIRN_COOKIE_DOMAIN',
    title: 'Session cookie domain',
    description:
      'Domain attribute of the session cookie (e.g. example.com, so app.example.com and login.example.com share it); must contain the public URL host. Default: host-only.',
    type: 'string',
    pattern: '^\\.?[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$',
    check: (v, s) => {
      const host = publicUrlOf(s)?.hostname;
      const domain = v.replace(/^\./, '').toLowerCase();
      if (host === undefined || host === domain || host.endsWith(`.${domain}`)) return undefined;
      return `must contain the host of CAIRN_PUBLIC_URL (${host}), ${got(v)}`;
    },
  },
  corsOrigins: {
    env: 'CAIRN_CORS_ORIGINS',
    title: 'CORS origins',
    description: 'Comma-separated origins (scheme://host[:port]) allowed to call the API from a browser with credentials. Empty: none.',
    type: 'string-list',
    default: [],
    check: everyEntry((e) => isHttpUrl(e, { originOnly: true }), 'origins like https://app.example.com'),
  },
  redirectAllowlist: {
    env: 'CAIRN_REDIRECT_ALLOWLIST',
    title: 'Redirect allow-list',
    description:
      'Comma-separated URL prefixes that goto / gotoOnFail may name, matched by origin and whole path segments (https://app.example/cb admits /cb and /cb/…, not /cbevil); relative paths on this server are always allowed.',
    type: 'string-list',
    default: [],
    check: redirectPrefixes,
  },
  trustedProxies: {
    env: 'CAIRN_TRUSTED_PROXIES',
    title: 'Trusted proxies',
    description:
      'Comma-separated addresses or CIDR ranges of reverse proxies whose X-Forwarded-For is believed (client address for limits and audit). Empty: the socket address is the client.',
    type: 'string-list',
    default: [],
    check: everyEntry(isAddressOrRange, 'IP addresses or CIDR ranges'),
  },
  successUrl: {
    env: 'CAIRN_SUCCESS_URL',
    title: 'Default success URL',
    description: 'The successUrl of a journey that sets none and has no goto.',
    type: 'string',
    default: '/login/#/success',
  },
  workers: {
    env: 'CAIRN_WORKERS',
    title: 'Worker processes',
    description:
      'Processes serving requests, sharing the port, the embedded store and the keys (`cairn serve --workers N` overrides). Default: the number of CPU cores.',
    type: 'integer',
    minimum: 1,
    maximum: 256,
  },
  logLevel: {
    env: 'CAIRN_LOG_LEVEL',
    title: 'Log level',
    description: 'Structured JSON logs on stdout at this level and above.',
    type: 'string',
    default: 'info',
    enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
  },
  credentialResetPolicyFile: {
    env: 'CAIRN_CREDENTIAL_RESET_POLICY',
    title: 'Credential-reset policy',
    description:
      "JSON file of the credential-reset methods (midPoint's credentialsReset): identifier, journey (for requestCredentialReset), newCredentialSource (userEntry | generated | none), delivery (screen | email), forceChange, allowedRoles, lifetimeMinutes, maxAttempts; generate.{forceChange, allowedRoles}; and protectedTargets.queryFilter (users only an admin may reset, besides administrators). Validated at start (journeys and filter included). Default: passwordReset (userEntry, forceChange) and resetByLink / resetByCode / resetByQuestions, for admin and helpdesk.",
    type: 'string',
    format: 'path',
  },
  credentialResetSweepMs: {
    env: 'CAIRN_CREDENTIAL_RESET_SWEEP_MS',
    title: 'Expired credential-reset sweep',
    description:
      'How often (milliseconds) credential-reset progress records that expired untouched are removed from the users (audited as credential.reset.expired). 0 turns the sweep off; expired records are still refused and removed when presented.',
    type: 'integer',
    default: 300000,
    minimum: 0,
    maximum: 86400000,
  },
  uiThemeFile: {
    env: 'CAIRN_UI_THEME_FILE',
    title: 'Hosted pages theme',
    description:
      'JSON theme of the hosted pages (logo, colours, product name, texts); re-read on each request, no rebuild needed. Default: the shipped ui/theme.json.',
    type: 'string',
    format: 'path',
  },
  mongodbUri: {
    env: 'CAIRN_MONGODB_URI',
    title: 'MongoDB URI',
    description:
      'When set, users, sessions, suspended journeys, counters and step claims live in MongoDB (several stateless instances); otherwise in the embedded store under CAIRN_DATA_DIR.',
    type: 'string',
    secret: true,
    check: (v) => (/^mongodb(\+srv)?:\/\//.test(v) ? undefined : 'must start with mongodb:// or mongodb+srv://'),
  },
  postgresUri: {
    env: 'CAIRN_POSTGRES_URI',
    title: 'PostgreSQL URI',
    description:
      'postgres://user:password@host:5432/database[?sslmode=require]: users, sessions, suspended journeys, counters, step claims and key/value live in PostgreSQL (several stateless instances); the schema is created and migrated at start. Not together with CAIRN_MONGODB_URI.',
    type: 'string',
    secret: true,
    check: (v, s) => {
      if (!/^postgres(ql)?:\/\//.test(v)) return 'must start with postgres:// or postgresql://';
      return typeof s.mongodbUri === 'string' ? 'and CAIRN_MONGODB_URI are both set; choose one store' : undefined;
    },
  },
  postgresPoolMax: {
    env: 'CAIRN_POSTGRES_POOL_MAX',
    title: 'PostgreSQL connections per process',
    description:
      'Connections each worker process may open; a deployment opens up to instances × workers × this many. A query waits at most 5 s for a free one, then answers 503.',
    type: 'integer',
    default: 10,
    minimum: 1,
    maximum: 1000,
  },
  keyEncryptionKey: {
    env: 'CAIRN_KEY_ENCRYPTION_KEY',
    title: 'Key-encryption key',
    description:
      'A secret of at least 32 characters (e.g. `openssl rand -base64 32`). When set, the signing and encryption keys live in the store, encrypted with it, so every instance on the same database shares them without a shared folder; otherwise they live in <data dir>/keys.',
    type: 'string',
    secret: true,
    check: (v) => (v.length < 32 ? 'must be at least 32 characters long (e.g. `openssl rand -base64 32`)' : undefined),
  },
  keyEncryptionKeyPrevious: {
    env: 'CAIRN_KEY_ENCRYPTION_KEY_PREVIOUS',
    title: 'Previous key-encryption key',
    description:
      'While changing CAIRN_KEY_ENCRYPTION_KEY: the old one. Keys it encrypted are read and re-encrypted with the new one; remove it once every instance runs with the new key.',
    type: 'string',
    secret: true,
    check: (v, s) => {
      if (typeof s.keyEncryptionKey !== 'string') return 'is set without CAIRN_KEY_ENCRYPTION_KEY';
      return v.length < 32 ? 'must be at least 32 characters long' : undefined;
    },
  },
  smtpUrl: {
    env: 'CAIRN_SMTP_URL',
    title: 'SMTP server',
    description:
      'smtp://user:pass@host:port or smtps://…. Without it, e-mails go to the development outbox <data dir>/outbox and their links are logged.',
    type: 'string',
    secret: true,
    check: (v) => (/^smtps?:\/\//.test(v) ? undefined : 'must start with smtp:// or smtps://'),
  },
  smtpFrom: {
    env: 'CAIRN_SMTP_FROM',
    title: 'E-mail sender',
    description: 'From address of the e-mails Cairn sends (a template may name its own).',
    type: 'string',
    default: 'Cairn <no-reply@localhost>',
  },
  smtpRequireTls: {
    env: 'CAIRN_SMTP_REQUIRE_TLS',
    title: 'Require STARTTLS',
    description: 'Refuse to send over a connection that did not upgrade to TLS.',
    type: 'boolean',
    default: false,
  },
  smtpRejectUnauthorized: {
    env: 'CAIRN_SMTP_REJECT_UNAUTHORIZED',
    title: 'Verify the SMTP certificate',
    description: 'Turn off only for a test server with a self-signed certificate.',
    type: 'boolean',
    default: true,
  },
  emailTemplatesDir: {
    env: 'CAIRN_EMAIL_TEMPLATES_DIR',
    title: 'E-mail template overrides',
    description: 'Directory of IDM-format templates (<name>.json) replacing the shipped ones of the same name. Default <data dir>/email-templates.',
    type: 'string',
    format: 'path',
    derive: (s) => (typeof s.dataDir === 'string' ? resolve(s.dataDir, 'email-templates') : undefined),
  },
  selfServiceDir: {
    env: 'CAIRN_SELFSERVICE_DIR',
    title: 'IDM self-service configuration',
    description:
      'Directory of PingIDM-format self-service files (selfservice-<process>.json, selfservice.kba.json, ui-configuration.json) replacing the shipped ones of the same name (config/selfservice/). Default <data dir>/selfservice.',
    type: 'string',
    format: 'path',
    derive: (s) => (typeof s.dataDir === 'string' ? resolve(s.dataDir, 'selfservice') : undefined),
  },
  managedSchemaFile: {
    env: 'CAIRN_MANAGED_SCHEMA',
    title: 'Managed-object schema',
    description: 'IDM-style managed.json declaring the attributes of managed/user. Default: the shipped config/managed.json.',
    type: 'string',
    format: 'path',
  },
  termsFile: {
    env: 'CAIRN_TERMS_FILE',
    title: 'Terms and conditions',
    description:
      'IDM-format selfservice.terms.json: the versions of the terms and the active one, shown by Accept Terms and Conditions. Default: the shipped config/selfservice/selfservice.terms.json.',
    type: 'string',
    format: 'path',
  },
  debugNodes: {
    env: 'CAIRN_DEBUG_NODES',
    title: 'Debug Node shows journey state',
    description: 'Development only: a Debug Node shows the journey state (secrets withheld) before going on. Off: it passes straight through.',
    type: 'boolean',
    default: false,
  },
  auditLog: {
    env: 'CAIRN_AUDIT_LOG',
    title: 'Audit log',
    description: '"stdout", "off", or a file path: where audit events go, one JSON object a line.',
    type: 'string',
    default: 'stdout',
  },
  suspendedMinutes: {
    env: 'CAIRN_SUSPENDED_MINUTES',
    title: 'E-mailed link lifetime',
    description: 'How long a suspended journey (an e-mailed link) can be resumed, unless its Email Suspend node sets suspendDuration.',
    type: 'integer',
    default: 10,
    minimum: 1,
    maximum: 10080,
  },
  newerLinkSupersedes: {
    env: 'CAIRN_NEWER_LINK_SUPERSEDES',
    title: 'Newer link supersedes older',
    description: 'A new e-mailed link for an account makes its earlier links of the same journey invalid.',
    type: 'boolean',
    default: true,
  },
  mailPerAccount: {
    env: 'CAIRN_MAIL_PER_ACCOUNT',
    title: 'E-mails per account',
    description:
      'At most this many journey e-mails (reset, forgotten username…) per account per window; the answer does not change when the limit is hit.',
    type: 'integer',
    default: 5,
    minimum: 1,
  },
  mailPerClient: {
    env: 'CAIRN_MAIL_PER_CLIENT',
    title: 'E-mails per client address',
    description: 'At most this many journey e-mails requested from one client address per window.',
    type: 'integer',
    default: 20,
    minimum: 1,
  },
  mailWindowMinutes: {
    env: 'CAIRN_MAIL_WINDOW_MINUTES',
    title: 'E-mail limit window',
    description: 'The window of the two e-mail limits.',
    type: 'integer',
    default: 15,
    minimum: 1,
  },
  loginAttempts: {
    env: 'CAIRN_LOGIN_ATTEMPTS',
    title: 'Wrong passwords per account',
    description:
      'Wrong passwords evaluated per window for an account from clients it never signed in from, and separately for each device or address it signed in from; later checks are refused unevaluated, answered like a wrong password. Correct passwords never count. Failures in the last 24 hours halve it (down to 1); a correct password or a password change clears them.',
    type: 'integer',
    default: 5,
    minimum: 1,
    maximum: 100,
  },
  loginAttemptsPerClient: {
    env: 'CAIRN_LOGIN_ATTEMPTS_PER_CLIENT',
    title: 'Wrong passwords per client address',
    description:
      'Wrong passwords evaluated per window from one client address (IPv6: its /64) for accounts that never signed in from it, across all accounts; bounds a spray of guesses over many accounts.',
    type: 'integer',
    default: 20,
    minimum: 1,
    maximum: 10000,
  },
  loginAttemptWindowMinutes: {
    env: 'CAIRN_LOGIN_ATTEMPT_WINDOW_MINUTES',
    title: 'Password attempt window',
    description: 'The window of the password attempt budgets; a spent budget opens again when its window ends.',
    type: 'integer',
    default: 15,
    minimum: 1,
  },
  passwordHashMemoryKib: {
    env: 'CAIRN_PASSWORD_HASH_MEMORY_KIB',
    title: 'Password hash memory',
    description:
      "argon2id's memory per password hash, in KiB. With CAIRN_PASSWORD_HASH_PASSES it is one of the OWASP Password Storage Cheat Sheet's equivalent rows (7168 × 5, 9216 × 4, 12288 × 3, 19456 × 2, 47104 × 1) or stronger: at least 7168 KiB, and memory × passes at least 35840. The default row costs the least CPU of them. A password stored under other values still signs in and is rehashed under these at its account's next sign-in; until then checking it costs what its own values cost, not what an unknown account's check costs.",
    type: 'integer',
    default: 7168,
    minimum: 7168,
    maximum: 1048576,
  },
  passwordHashPasses: {
    env: 'CAIRN_PASSWORD_HASH_PASSES',
    title: 'Password hash passes',
    description: "argon2id's passes over its memory (t) per password hash; see CAIRN_PASSWORD_HASH_MEMORY_KIB.",
    type: 'integer',
    default: 5,
    minimum: 1,
    maximum: 64,
    check: (v, s) =>
      typeof s.passwordHashMemoryKib === 'number' && s.passwordHashMemoryKib * v < 35_840
        ? `times CAIRN_PASSWORD_HASH_MEMORY_KIB must be at least 35840 (OWASP's argon2id minimum, e.g. 7168 × 5 or 19456 × 2), got ${s.passwordHashMemoryKib} × ${v}`
        : undefined,
  },
  oauthClientsFile: {
    env: 'CAIRN_OAUTH_CLIENTS_FILE',
    title: 'OAuth clients file',
    description:
      'JSON array of the OAuth 2.0 / OIDC clients allowed to use {base}/oauth2 ({client_id, redirect_uris, post_logout_redirect_uris, token_endpoint_auth_method, client_secret, scope, grant_types}), validated at start. Default: no clients.',
    type: 'string',
    format: 'path',
  },
  oauthCodeSeconds: {
    env: 'CAIRN_OAUTH_CODE_SECONDS',
    title: 'Authorization code lifetime',
    description: 'How long an authorization code can be exchanged (once) for tokens (AM default 120 s).',
    type: 'integer',
    default: 120,
    minimum: 10,
    maximum: 600,
  },
  oauthAccessTokenSeconds: {
    env: 'CAIRN_OAUTH_ACCESS_TOKEN_SECONDS',
    title: 'Access and ID token lifetime',
    description: 'Lifetime of access tokens and ID tokens (AM default 3600 s).',
    type: 'integer',
    default: 3600,
    minimum: 60,
    maximum: 86400,
  },
  oauthRefreshTokenDays: {
    env: 'CAIRN_OAUTH_REFRESH_TOKEN_DAYS',
    title: 'Refresh token lifetime',
    description:
      'How long refresh tokens work after the sign-in that granted them (each use rotates them; AM default 7 days). They end earlier with the session unless offline_access was granted.',
    type: 'integer',
    default: 7,
    minimum: 1,
    maximum: 365,
  },
  adminUsername: {
    env: 'CAIRN_ADMIN_USERNAME',
    title: 'Administrator name',
    description:
      'With CAIRN_ADMIN_PASSWORD: the first administrator, created on a start when there is none yet (later ones: `cairn admins create`). Administrators sign in to the AM config API (frodo), the /openidm admin API and the midPoint façade.',
    type: 'string',
    default: 'openidm-admin',
  },
  adminPassword: {
    env: 'CAIRN_ADMIN_PASSWORD',
    title: 'Administrator password',
    description: 'The password of the first administrator (see CAIRN_ADMIN_USERNAME); used only while no administrator exists.',
    type: 'string',
    secret: true,
  },
  adminToken: {
    env: 'CAIRN_ADMIN_TOKEN',
    title: 'Administrator bearer token',
    description: 'Bearer token accepted by the admin API (Authorization: Bearer …), at least 32 characters.',
    type: 'string',
    secret: true,
    check: (v) => (v.length < 32 ? 'must be at least 32 characters long' : undefined),
  },
  configPollMs: {
    env: 'CAIRN_CONFIG_POLL_MS',
    title: 'Configuration poll interval',
    description: 'How often (milliseconds) an instance looks for journeys, scripts or nodes changed in the store by another instance.',
    type: 'integer',
    default: 500,
    minimum: 50,
    maximum: 60000,
  },
  scriptCpuMs: {
    env: 'CAIRN_SCRIPT_CPU_MS',
    title: 'Script CPU time',
    description: 'CPU time one Scripted Decision script may use per step; a script that runs longer fails its journey.',
    type: 'integer',
    default: 300,
    minimum: 10,
    maximum: 60000,
  },
  scriptTimeoutMs: {
    env: 'CAIRN_SCRIPT_TIMEOUT_MS',
    title: 'Script time limit',
    description: 'Wall-clock time one script execution may take, waiting for users and HTTP included.',
    type: 'integer',
    default: 10000,
    minimum: 100,
    maximum: 300000,
  },
  scriptMemoryMb: {
    env: 'CAIRN_SCRIPT_MEMORY_MB',
    title: 'Script memory',
    description: 'Memory one script may allocate; beyond it the script fails its journey.',
    type: 'integer',
    default: 32,
    minimum: 1,
    maximum: 1024,
  },
  scriptOutputKb: {
    env: 'CAIRN_SCRIPT_OUTPUT_KB',
    title: 'Script output',
    description: 'Kilobytes a script may log, and kilobytes of state and callbacks it may produce, per step.',
    type: 'integer',
    default: 256,
    minimum: 1,
    maximum: 65536,
  },
  scriptWorkers: {
    env: 'CAIRN_SCRIPT_WORKERS',
    title: 'Script sandbox threads',
    description: 'Worker threads running scripts (per server process); scripts never run on the request thread.',
    type: 'integer',
    default: 2,
    minimum: 1,
    maximum: 64,
  },
  scriptHttpAllowlist: {
    env: 'CAIRN_SCRIPT_HTTP_ALLOWLIST',
    title: 'Script HTTP allow-list',
    description: 'Comma-separated URL prefixes (scheme://host[:port][/path]) that scripts may call with httpClient. Empty: none.',
    type: 'string-list',
    default: [],
    check: httpPrefixes,
  },
  scriptHttpTimeoutMs: {
    env: 'CAIRN_SCRIPT_HTTP_TIMEOUT_MS',
    title: 'Script HTTP timeout',
    description: 'How long a script waits for one HTTP answer.',
    type: 'integer',
    default: 5000,
    minimum: 100,
    maximum: 120000,
  },
  scriptEnv: {
    env: 'CAIRN_SCRIPT_ENV',
    title: 'Variables exposed to scripts',
    description:
      'Comma-separated environment variable names (a trailing * matches a prefix) that scripts read with systemEnv.getProperty; others stay hidden.',
    type: 'string-list',
    default: ['ESV_*'],
  },
  adminAuthAttempts: {
    env: 'CAIRN_ADMIN_AUTH_ATTEMPTS',
    title: 'Wrong administrator credentials',
    description:
      'Failed admin API authentications allowed per 5 minutes from one client address, and for one administrator name; further attempts get 429 with Retry-After, unevaluated, and are audited.',
    type: 'integer',
    default: 10,
    minimum: 1,
    maximum: 10000,
  },
  realmLimits: {
    env: 'CAIRN_REALM_LIMITS',
    title: 'Limits of each realm',
    description:
      "A realm's own values of the attempt and e-mail limits, as `<realm>.<setting>=<number>` entries separated by commas (e.g. `alpha.loginAttempts=3,alpha.mailPerAccount=2`), for loginAttempts, loginAttemptsPerClient, loginAttemptWindowMinutes, mailPerAccount, mailPerClient and mailWindowMinutes; a realm without an entry has the server's. Each realm counts on its own: attempts and e-mails in one realm never spend another's budgets.",
    type: 'string-list',
    default: [],
    check: (entries, settings) => realmLimitsProblem(entries, settings),
  },
  socialClientSecrets: {
    env: 'CAIRN_SOCIAL_CLIENT_SECRETS',
    title: 'Social identity provider client secrets',
    description:
      'The client secret of each social identity provider (`<journeysDir>/social-providers/<name>.json`), as `name=secret` entries separated by commas. Secrets live here only: never in provider files, journeys, their state or logs.',
    type: 'string-list',
    default: [],
    secret: true,
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;

type Table = typeof SETTINGS;
/** The value a setting holds, from its spec: its type, narrowed by its `enum`. */
type ValueOf<S> = S extends { type: 'integer' }
  ? number
  : S extends { type: 'boolean' }
    ? boolean
    : S extends { type: 'string-list' }
      ? readonly string[]
      : S extends { enum: readonly (infer E)[] }
        ? E
        : string;
/** Settings with a default or a derived value always have one; the others may be unset. */
type AlwaysSet = { [K in SettingName]: Table[K] extends { default: unknown } | { derive: unknown } ? K : never }[SettingName];

/** The effective settings, typed from the table above (nothing to keep in step by hand). */
export type Settings = { [K in AlwaysSet]: ValueOf<Table[K]> } & { [K in Exclude<SettingName, AlwaysSet>]?: ValueOf<Table[K]> };

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
      return {
        value:
          text === ''
            ? []
            : text
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
      };
    default:
      return { value: text };
  }
}

/** The JSON Schema a setting's value must pass (from the config file, or parsed from its variable). */
function jsonSchemaOf(spec: SettingSpec): Record<string, unknown> {
  switch (spec.type) {
    case 'string-list':
      return { type: 'array', items: { type: 'string' } };
    case 'integer':
      return { type: 'integer', ...definedOnly({ minimum: spec.minimum, maximum: spec.maximum }) };
    case 'string':
      return { type: 'string', ...definedOnly({ pattern: spec.pattern, enum: spec.enum }) };
    case 'boolean':
      return { type: 'boolean' };
  }
}

const definedOnly = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The table's validators, compiled once (the table never changes). */
let compiled: { ajv: Ajv; byName: Map<string, ValidateFunction> } | undefined;
function validatorOf(name: string, spec: SettingSpec): ValidateFunction {
  compiled ??= { ajv: new Ajv({ allErrors: true }), byName: new Map() };
  let validate = compiled.byName.get(name);
  if (validate === undefined) {
    validate = compiled.ajv.compile(jsonSchemaOf(spec));
    compiled.byName.set(name, validate);
  }
  return validate;
}

/** Where a setting's value came from. */
export type SettingSource = 'default' | 'file' | 'env';

/** Where each setting's value came from, for `cairn config show`. */
export const SOURCES = new WeakMap<object, Readonly<Record<string, SettingSource>>>();

/** Reads the optional config file (`CAIRN_CONFIG_FILE`): a JSON object of setting names → values. */
function readConfigFile(file: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    problems.push(`CAIRN_CONFIG_FILE: ${file} cannot be read.`);
    return {};
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    problems.push(`CAIRN_CONFIG_FILE: ${file} is not valid JSON (${(e as Error).message}).`);
    return {};
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    problems.push(`CAIRN_CONFIG_FILE: ${file} must hold a JSON object of settings.`);
    return {};
  }
  const known = SETTINGS as Record<string, SettingSpec>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    if (k === '$schema') continue;
    if (!(k in known)) {
      problems.push(`${file}: "${k}" is not a setting (known: ${Object.keys(known).join(', ')}).`);
      continue;
    }
    out[k] = v;
  }
  return out;
}

/**
 * Reads and validates settings: defaults, then the optional config file (`CAIRN_CONFIG_FILE`), then
 * environment variables, which win. `cwd` anchors relative paths (the file's own directory for
 * paths written in the file).
 */
export function loadSettings(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Readonly<Settings> {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const sources: Record<string, SettingSource> = {};
  const labels: Record<string, string> = {};
  const specs = SETTINGS as Record<string, SettingSpec>;
  const configFile = env.CAIRN_CONFIG_FILE ? resolve(cwd, env.CAIRN_CONFIG_FILE) : undefined;
  const fromFile = configFile ? readConfigFile(configFile, problems) : {};
  for (const [name, spec] of Object.entries(specs)) {
    labels[name] = spec.env;
    const raw = env[spec.env];
    if (raw !== undefined && raw !== '') {
      const parsed = parseValue(spec, raw);
      if (parsed.problem) problems.push(`${spec.env} ${parsed.problem}.`);
      else {
        values[name] = parsed.value;
        sources[name] = 'env';
      }
    } else if (name in fromFile) {
      values[name] = fromFile[name];
      sources[name] = 'file';
      labels[name] = `${configFile}: "${name}"`;
    } else if (spec.default !== undefined) {
      values[name] = spec.default;
      sources[name] = 'default';
    }
  }
  const shown = (spec: SettingSpec, value: unknown): string => (spec.secret ? '(hidden)' : JSON.stringify(value));
  for (const [name, spec] of Object.entries(specs)) {
    if (values[name] === undefined) continue;
    const validate = validatorOf(name, spec);
    if (!validate(values[name])) {
      const e = validate.errors?.[0];
      problems.push(`${labels[name]} ${e?.message ?? 'is invalid'}, got ${shown(spec, values[name])}.`);
      delete values[name];
    }
    const path = values[name];
    if (spec.type === 'string' && spec.format === 'path' && typeof path === 'string') {
      const base = sources[name] === 'file' && configFile ? dirname(configFile) : cwd;
      values[name] = isAbsolute(path) ? path : resolve(base, path);
    }
  }
  // Values not set are derived from the others (the public URL from the port), then every value,
  // set or derived, meets its own checks (a check may read another setting).
  for (const [name, spec] of Object.entries(specs)) {
    if (values[name] === undefined && spec.derive) values[name] = spec.derive(values);
  }
  const checked = Object.freeze({ ...values });
  for (const [name, spec] of Object.entries(specs)) {
    const value = values[name];
    if (value === undefined || spec.check === undefined) continue;
    const problem = (spec.check as (v: unknown, s: Draft) => string | undefined)(value, checked);
    if (problem !== undefined) {
      problems.push(`${labels[name]} ${problem}.`);
      delete values[name];
    } else if (spec.normalise) {
      values[name] = (spec.normalise as (v: unknown) => unknown)(value);
    }
  }
  if (problems.length) throw new SettingsError(problems);
  const settings = Object.freeze(values as unknown as Settings);
  SOURCES.set(settings, Object.freeze(sources));
  return settings;
}

/** The effective settings, secrets masked, with where each came from (`cairn config show`). */
export function describeSettings(settings: Readonly<Settings>): { name: string; env: string; value: unknown; source: SettingSource | 'derived' }[] {
  const sources = SOURCES.get(settings) ?? {};
  return Object.entries(SETTINGS as Record<string, SettingSpec>).map(([name, spec]) => {
    const value = (settings as unknown as Record<string, unknown>)[name];
    return {
      name,
      env: spec.env,
      value: spec.secret && value !== undefined ? '********' : value,
      source: sources[name] ?? (value === undefined ? 'default' : 'derived'),
    };
  });
}

/** The settings table as Markdown, for README. */
export function settingsMarkdown(): string {
  const shown = (v: unknown): string => (v === undefined ? '—' : Array.isArray(v) && v.length === 0 ? '(none)' : `\`${String(v)}\``);
  const rows = Object.entries(SETTINGS as Record<string, SettingSpec>).map(
    ([name, s]) => `| \`${s.env}\` | \`${name}\` | ${shown(s.default)} | ${s.description} |`,
  );
  return [
    '| variable | config file key | default | meaning |',
    '|---|---|---|---|',
    '| `CAIRN_CONFIG_FILE` | — | — | Optional JSON file of settings by their config-file key; environment variables win over it. |',
    ...rows,
  ].join('\n');
}
