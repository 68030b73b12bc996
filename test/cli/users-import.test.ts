/**
 * `cairn users import` as a process against a real store, then sign-in over real HTTP: users imported with the
 * password hashes other directories export (DS storage schemes, bcrypt, IDM's $crypto) sign in with their
 * passwords and get an argon2id hash on that first sign-in; a refused file imports nothing and says why, line
 * by line; progress is drawn only on a terminal.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/stores/index.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CAIRN = join(ROOT, 'bin', 'cairn.js');
const run = promisify(execFile);

/** Imported users: [userName, credential fields, the password they sign in with]. */
const USERS: [string, Record<string, unknown>, string][] = [
  ['ds-ssha256', { userPassword: '{SSHA256}4RCdQtRBvAvQSR9Gtkm3fc5bhSO2sZxjW2Uv2CPwYi0BAgMEBQYHCA==' }, 'correct horse battery staple'],
  ['ds-pbkdf2', { userPassword: ['{PBKDF2-HMAC-SHA256}10000:xKsMmlzVLRYdYzcgBuD3ZIAeSj8tNhjDHGFDqhth8Kcbw5qjL5UZxaiS2awL1HjO'] }, 'password'],
  ['bcrypt', { passwordHash: '$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW' }, 'U*U'],
  [
    'idm',
    {
      password: {
        $crypto: { type: 'salted-hash', value: { algorithm: 'SHA-256', data: 'G/QFDZcE49wdz+D7yZ/NjEI9gB2RFYr+GlL07AKGkc8AAQIDBAUGBwgJCgsMDQ4P' } },
      },
    },
    'correct horse battery staple',
  ],
  ['clear', { password: 'one long memorable sentence' }, 'one long memorable sentence'],
];
const record = (userName: string, fields: Record<string, unknown>) => ({
  userName,
  mail: `${userName}@example.com`,
  givenName: 'Im',
  sn: 'Ported',
  ...fields,
});

async function cairn(dataDir: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await run('node', [CAIRN, ...args], {
      cwd: ROOT,
      env: { ...process.env, CAIRN_DATA_DIR: dataDir, CAIRN_AUDIT_LOG: 'off' },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function storedPasswords(dataDir: string): Promise<Map<string, unknown>> {
  const store = await openStore({ dataDir, sweepIntervalMs: 0 });
  try {
    const page = await store.objects.query('managed/user', { op: 'true' } as never, { pageSize: 1000 });
    return new Map(page.result.map((o) => [String(o.userName), o.password]));
  } finally {
    await store.close();
  }
}

// Each test starts several Cairn processes; on a busy machine that takes a while.
describe('cairn users import with existing password hashes', { timeout: 180_000 }, () => {
  let dir: string;
  let dataDir: string;
  let server: TestServer | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-import-'));
    dataDir = join(dir, 'data');
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a file with any bad record, naming each line, and imports nothing', async () => {
    const lines = [
      record('fine', { passwordHash: USERS[0]![1].userPassword }),
      record('unknown-scheme', { userPassword: '{CRYPT}aa12345678901' }),
      record('fine', { password: 'another long passphrase' }),
      record('encrypted', { password: { $crypto: { type: 'x-simple-encryption', value: { cipher: 'AES' } } } }),
      record('two', { password: 'a long passphrase here', passwordHash: '$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW' }),
    ];
    const file = join(dir, 'bad.ndjson');
    await writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n{"userName": \n');
    const syntax = await cairn(dataDir, 'users', 'import', file);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toContain('line 6: not valid JSON');
    expect(syntax.stderr).toContain('nothing was imported');

    await writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const r = await cairn(dataDir, 'users', 'import', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('line 2: the password hash is refused: the password storage scheme {CRYPT} is not one Cairn verifies.');
    expect(r.stderr).toContain('line 3: the username "fine" is also on line 1.');
    expect(r.stderr).toContain('line 3: the email address "fine@example.com" is also on line 1.');
    expect(r.stderr).toMatch(/line 4: the password hash is refused: an IDM \$crypto value of type "x-simple-encryption" is encrypted, not hashed/);
    expect(r.stderr).toContain('line 5: give one of password, passwordHash and userPassword, not several.');
    expect(r.stderr).toContain('nothing was imported (5 problems).');
    expect(r.stderr).not.toContain('Checking');
    expect((await storedPasswords(dataDir)).size).toBe(0);
  });

  it('imports hashes as they are, and each user signs in with their password and is rehashed to argon2id', async () => {
    const file = join(dir, 'users.ndjson');
    await writeFile(file, USERS.map(([name, fields]) => JSON.stringify(record(name, fields))).join('\n') + '\n');
    const r = await cairn(dataDir, 'users', 'import', file);
    expect(r.stderr).not.toContain('problem');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Imported 5 users in \d+ s \([\d,]+ users\/s\)\.\n$/);

    const before = await storedPasswords(dataDir);
    expect(before.get('ds-ssha256')).toBe(USERS[0]![1].userPassword);
    expect(before.get('idm')).toBe('{SSHA256}G/QFDZcE49wdz+D7yZ/NjEI9gB2RFYr+GlL07AKGkc8AAQIDBAUGBwgJCgsMDQ4P');
    expect(before.get('clear')).toMatch(/^\$argon2id\$/);

    server = await startTestServer({ CAIRN_DATA_DIR: dataDir, CAIRN_JOURNEYS_DIR: join(ROOT, 'journeys') });
    const signIn = async (userName: string, password: string) => {
      const url = `${server!.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=Login`;
      const page = (await (await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } })).json()) as {
        callbacks: { input: { value: unknown }[] }[];
      };
      page.callbacks[0]!.input[0]!.value = userName;
      page.callbacks[1]!.input[0]!.value = password;
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(page) });
      return { status: res.status, json: (await res.json()) as { tokenId?: string } };
    };
    for (const [name, , password] of USERS) {
      // A wrong password: the Login journey asks again (Retry Limit), and no session.
      expect((await signIn(name, `${password}!`)).json.tokenId, `${name} with a wrong password`).toBeUndefined();
      const ok = await signIn(name, password);
      expect(ok.status, name).toBe(200);
      expect(ok.json.tokenId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
    await server.stop();
    server = undefined;

    const after = await storedPasswords(dataDir);
    for (const [name] of USERS) expect(after.get(name), name).toMatch(/^\$argon2id\$v=19\$m=7168,t=5,p=1\$/);
    expect(after.get('clear')).toBe(before.get('clear'));

    // The operator moves to another of OWASP's rows: a password hashed under the old one still signs
    // in, and is rehashed under the new one.
    server = await startTestServer({
      CAIRN_DATA_DIR: dataDir,
      CAIRN_JOURNEYS_DIR: join(ROOT, 'journeys'),
      CAIRN_PASSWORD_HASH_MEMORY_KIB: '19456',
      CAIRN_PASSWORD_HASH_PASSES: '2',
    });
    expect((await signIn('clear', 'one long memorable sentence')).json.tokenId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await server.stop();
    server = undefined;
    const moved = await storedPasswords(dataDir);
    expect(moved.get('clear')).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(moved.get('bcrypt')).toBe(after.get('bcrypt'));

    // The same users again: every one already exists.
    const again = await cairn(dataDir, 'users', 'import', file);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('line 1: a user with the username "ds-ssha256" already exists.');
  });

  it('reads a JSON array too, and draws progress only on a terminal', async () => {
    const users = Array.from({ length: 300 }, (_, i) => record(`bulk${i}`, { passwordHash: USERS[2]![1].passwordHash }));
    const file = join(dir, 'bulk.json');
    await writeFile(file, JSON.stringify(users, null, 2));
    // `script` gives the command a terminal, as a person running it would have.
    const { stdout } = await run('script', ['-qec', `node ${CAIRN} users import ${file}`, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, CAIRN_DATA_DIR: dataDir, CAIRN_AUDIT_LOG: 'off' },
    });
    expect(stdout).toMatch(/Checking: \d+% · [\d,]+ users? · [\d,]+ users\/s · .+ left/);
    expect(stdout).toMatch(/Importing: \d+% · [\d,]+ users? · [\d,]+ users\/s · .+ left/);
    expect(stdout).toMatch(/Imported 300 users in \d+ s/);
    expect((await storedPasswords(dataDir)).size).toBe(305);
  });
});
