/**
 * The settings table is the one place a setting is declared: its type, default, schema and its own
 * checks. These tests load settings in process; test/ops covers the same through `cairn serve` and
 * `cairn config show`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { describeSettings, loadSettings, SETTINGS, SettingsError, type Settings } from '../../src/config/settings.js';

const CWD = '/srv/cairn';

function problems(env: Record<string, string>): string[] {
  try {
    loadSettings(env, CWD);
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return (e as SettingsError).problems;
  }
  throw new Error('expected loadSettings to refuse these settings');
}

describe('Settings, typed from the table', () => {
  it('gives each setting the type its spec declares; only settings without default or derivation are optional', () => {
    expectTypeOf<Settings['port']>().toEqualTypeOf<number>();
    expectTypeOf<Settings['logLevel']>().toEqualTypeOf<'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'>();
    expectTypeOf<Settings['corsOrigins']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<Settings['smtpRequireTls']>().toEqualTypeOf<boolean>();
    expectTypeOf<Settings['publicUrl']>().toEqualTypeOf<string>(); // derived from the port
    expectTypeOf<Settings['emailTemplatesDir']>().toEqualTypeOf<string>(); // derived from the data directory
    expectTypeOf<Settings>().toHaveProperty('workers').toEqualTypeOf<number | undefined>();
    expectTypeOf<keyof Settings>().toEqualTypeOf<keyof typeof SETTINGS>();
  });

  it('loads the defaults and the derived values', () => {
    const s = loadSettings({}, CWD);
    expect(s).toMatchObject({
      port: 8080,
      publicUrl: 'http://localhost:8080',
      dataDir: '/srv/cairn/data',
      emailTemplatesDir: '/srv/cairn/data/email-templates',
      corsOrigins: [],
      logLevel: 'info',
    });
    expect(s.workers).toBeUndefined();
    expect(Object.isFrozen(s)).toBe(true);
    expect(describeSettings(s).find((r) => r.name === 'publicUrl')?.source).toBe('derived');
  });
});

describe("each setting's own checks", () => {
  it('normalise a good public URL and refuse a bad one', () => {
    expect(loadSettings({ CAIRN_PUBLIC_URL: 'https://id.example.com/' }, CWD).publicUrl).toBe('https://id.example.com');
    expect(problems({ CAIRN_PUBLIC_URL: 'ftp://x' })).toEqual([
      'CAIRN_PUBLIC_URL must be an absolute http(s) URL without query or fragment, got "ftp://x".',
    ]);
    expect(problems({ CAIRN_PUBLIC_URL: 'https://id.example.com/?a=1' })).toHaveLength(1);
  });

  it('name every bad list entry', () => {
    expect(problems({ CAIRN_CORS_ORIGINS: 'https://app.example.com, https://app.example.com/path, *' })).toEqual([
      'CAIRN_CORS_ORIGINS entries must be origins like https://app.example.com, got ["https://app.example.com/path","*"].',
    ]);
    expect(problems({ CAIRN_REDIRECT_ALLOWLIST: '/relative' })).toEqual([
      'CAIRN_REDIRECT_ALLOWLIST entries must be absolute http(s) URLs without query, fragment or credentials, got "/relative".',
    ]);
    expect(problems({ CAIRN_TRUSTED_PROXIES: '10.0.0.0/8, ::1, 10.0.0.1/33, proxy' })).toEqual([
      'CAIRN_TRUSTED_PROXIES entries must be IP addresses or CIDR ranges, got ["10.0.0.1/33","proxy"].',
    ]);
    expect(loadSettings({ CAIRN_TRUSTED_PROXIES: '10.0.0.0/8, ::1' }, CWD).trustedProxies).toEqual(['10.0.0.0/8', '::1']);
  });

  it("check a realm's limits against the declared realms and the limits' own ranges", () => {
    const realm = (limits: string): string[] => problems({ CAIRN_REALMS: 'alpha', CAIRN_REALM_LIMITS: limits });
    const good = loadSettings({ CAIRN_REALMS: 'alpha', CAIRN_REALM_LIMITS: 'alpha.loginAttempts=3, alpha.mailPerAccount=2' }, CWD);
    expect(good.realmLimits).toEqual(['alpha.loginAttempts=3', 'alpha.mailPerAccount=2']);
    expect(realm('bravo.loginAttempts=3')).toEqual(['CAIRN_REALM_LIMITS names the realm "bravo", which is not declared (CAIRN_REALMS: alpha).']);
    expect(realm('alpha.port=3')).toEqual([
      'CAIRN_REALM_LIMITS "port" is not a limit a realm sets (loginAttempts, loginAttemptsPerClient, loginAttemptWindowMinutes, mailPerAccount, mailPerClient, mailWindowMinutes).',
    ]);
    expect(realm('alpha.loginAttempts=1000')).toEqual(['CAIRN_REALM_LIMITS alpha.loginAttempts=1000: loginAttempts must be between 1 and 100.']);
    expect(realm('alpha-3')).toEqual(['CAIRN_REALM_LIMITS entries must be <realm>.<setting>=<number>, got "alpha-3".']);
  });

  it('compare with another setting, derived ones included', () => {
    expect(problems({ CAIRN_SESSION_IDLE_MINUTES: '90', CAIRN_SESSION_MAX_MINUTES: '60' })).toEqual([
      'CAIRN_SESSION_IDLE_MINUTES must not exceed CAIRN_SESSION_MAX_MINUTES.',
    ]);
    expect(problems({ CAIRN_COOKIE_SAMESITE: 'None', CAIRN_PUBLIC_URL: 'http://id.example.com' })).toEqual([
      'CAIRN_COOKIE_SAMESITE may be None only with an https CAIRN_PUBLIC_URL (or a loopback one): browsers only keep SameSite=None cookies that are Secure.',
    ]);
    // The derived public URL (http://localhost:<PORT>) is a loopback one.
    expect(loadSettings({ CAIRN_COOKIE_SAMESITE: 'None' }, CWD).cookieSameSite).toBe('None');
    expect(problems({ CAIRN_COOKIE_DOMAIN: 'example.org', CAIRN_PUBLIC_URL: 'https://login.example.com' })).toEqual([
      'CAIRN_COOKIE_DOMAIN must contain the host of CAIRN_PUBLIC_URL (login.example.com), got "example.org".',
    ]);
    expect(loadSettings({ CAIRN_COOKIE_DOMAIN: '.example.com', CAIRN_PUBLIC_URL: 'https://login.example.com' }, CWD).cookieDomain).toBe(
      '.example.com',
    );
    expect(problems({ CAIRN_PASSWORD_HASH_PASSES: '2' })).toEqual([
      "CAIRN_PASSWORD_HASH_PASSES times CAIRN_PASSWORD_HASH_MEMORY_KIB must be at least 35840 (OWASP's argon2id minimum, e.g. 7168 × 5 or 19456 × 2), got 7168 × 2.",
    ]);
    expect(problems({ CAIRN_PASSWORD_HASH_MEMORY_KIB: '4096' })[0]).toMatch(/^CAIRN_PASSWORD_HASH_MEMORY_KIB must be >= 7168/);
    const headline = loadSettings({ CAIRN_PASSWORD_HASH_MEMORY_KIB: '19456', CAIRN_PASSWORD_HASH_PASSES: '2' }, CWD);
    expect([headline.passwordHashMemoryKib, headline.passwordHashPasses]).toEqual([19_456, 2]);
    expect(problems({ CAIRN_SCRIPT_HTTP_ALLOWLIST: 'https://api.example.com/v1, api.example.com' })).toEqual([
      'CAIRN_SCRIPT_HTTP_ALLOWLIST entries must be absolute http(s) URLs, got "api.example.com".',
    ]);
  });

  it('never repeat a secret', () => {
    const found = problems({
      CAIRN_ADMIN_TOKEN: 'short-secret',
      CAIRN_MONGODB_URI: 'postgres://u:hunter2@db',
      CAIRN_SMTP_URL: 'http://u:hunter2@mail',
    });
    expect(found).toEqual([
      'CAIRN_MONGODB_URI must start with mongodb:// or mongodb+srv://.',
      'CAIRN_SMTP_URL must start with smtp:// or smtps://.',
      'CAIRN_ADMIN_TOKEN must be at least 32 characters long.',
    ]);
    expect(found.join('\n')).not.toMatch(/hunter2|short-secret/);
  });

  it('report every problem at once, schema and checks alike, and name config-file keys by the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cairn-settings-'));
    try {
      const file = join(dir, 'cairn.json');
      await writeFile(file, JSON.stringify({ publicUrl: 'mailto:x', port: 70000 }));
      expect(problems({ CAIRN_CONFIG_FILE: file, CAIRN_LOG_LEVEL: 'loud' })).toEqual([
        `${file}: "port" must be <= 65535, got 70000.`,
        'CAIRN_LOG_LEVEL must be equal to one of the allowed values, got "loud".',
        `${file}: "publicUrl" must be an absolute http(s) URL without query or fragment, got "mailto:x".`,
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
