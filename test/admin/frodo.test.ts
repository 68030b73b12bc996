/**
 * The real frodo CLI (@rockcarver/frodo-cli, a devDependency) against two real Cairn processes
 * sharing one store (the embedded lmdb store under one data directory): `frodo conn save` with an
 * administrator (refused with an end user's credentials), `journey list`, `journey export -i Login`,
 * an edit, `journey import`, the import and `journey delete` of a test journey, `script import` and
 * `script export` — each made on the first process and seen on the second without a restart; the
 * edited Login still signs users in.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
/** A callback as the test fills it in. */
type Callback = { type: string; input: { name: string; value: unknown }[] };

const REPO = join(import.meta.dirname, '..', '..');
const FRODO = join(REPO, 'node_modules', '.bin', 'frodo');
const ADMIN = { user: 'amadmin', password: 'Quartz-Harbor-Lantern-31' };
const ALICE = { user: 'alice', password: 'Tumbleweed-Orchard-42' };
const SCRIPT_ID = '0b4e6f8c-1d2e-4f3a-9b8c-7d6e5f4a3b2c';

let work: string;
let env: NodeJS.ProcessEnv;
const servers: { child: ChildProcess; url: string }[] = [];

/** Starts `cairn serve` (one process) on a free port and resolves with its URL once it listens. */
async function startCairn(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn('node', [join(REPO, 'bin', 'cairn.js'), 'serve', '--workers', '1'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout });
  const stderr: string[] = [];
  child.stderr.on('data', (d: Buffer) => stderr.push(d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const m = /Cairn listening on [^:]+:(\d+)/.exec(line);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
    child.once('exit', (code) => reject(new Error(`cairn serve exited (${code}): ${stderr.join('')}`)));
  });
  const server = { child, url };
  servers.push(server);
  return server;
}

function frodo(...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      FRODO,
      args,
      { cwd: join(work, 'frodo'), env: { ...env, HOME: join(work, 'home'), NO_COLOR: '1' }, timeout: 120_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) || 1 : 0, out: stdout + stderr });
      },
    );
  });
}

async function authenticate(url: string, journey: string, body: unknown = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=${journey}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'protocol=1.0,resource=2.1' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** The header of Login's first step on `url`. */
const loginHeader = async (url: string): Promise<string> => (await authenticate(url, 'Login')).json.header as string;

/** Waits until `check` holds: the other process reads the store every 100 ms (a bound, not a sleep). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'cairn-frodo-'));
  await mkdir(join(work, 'home'));
  await mkdir(join(work, 'frodo'));
  env = {
    PATH: process.env.PATH,
    PORT: '0',
    CAIRN_HOST: '127.0.0.1',
    CAIRN_DATA_DIR: join(work, 'data'),
    CAIRN_JOURNEYS_DIR: join(REPO, 'journeys'),
    CAIRN_LOG_LEVEL: 'warn',
    CAIRN_AUDIT_LOG: join(work, 'audit.jsonl'),
    CAIRN_CONFIG_POLL_MS: '100',
    CAIRN_ADMIN_USERNAME: ADMIN.user,
    CAIRN_ADMIN_PASSWORD: ADMIN.password,
  };
  await startCairn();
  await startCairn();
  const created = await new Promise<number>((resolve) => {
    const p = spawn(
      'node',
      [
        join(REPO, 'bin', 'cairn.js'),
        'users',
        'create',
        '--userName',
        ALICE.user,
        '--mail',
        'alice@example.com',
        '--givenName',
        'Alice',
        '--sn',
        'L',
        '--password',
        ALICE.password,
      ],
      { cwd: REPO, env, stdio: 'ignore' },
    );
    p.on('exit', (code) => resolve(code ?? 1));
  });
  expect(created).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const s of servers) s.child.kill('SIGTERM');
  await Promise.all(servers.map((s) => new Promise((r) => (s.child.exitCode !== null ? r(null) : s.child.once('exit', r)))));
  await rm(work, { recursive: true, force: true });
});

it('frodo manages journeys and scripts on one process; the other runs every change without a restart', async () => {
  const [a, b] = servers;
  if (!a || !b) throw new Error('both Cairn processes should be running');
  const A = `${a.url}/am`;
  const B = `${b.url}/am`;

  // An end user's credentials are refused; an administrator's are saved.
  const refused = await frodo('conn', 'save', A, ALICE.user, ALICE.password);
  expect(refused.code).not.toBe(0);
  expect(refused.out).not.toMatch(/Saved connection profile/);
  const saved = await frodo('conn', 'save', A, ADMIN.user, ADMIN.password);
  expect(saved.out).toMatch(/Saved connection profile/);
  expect(saved.code).toBe(0);
  expect((await frodo('conn', 'save', B, ADMIN.user, ADMIN.password)).code).toBe(0);

  const list = await frodo('journey', 'list', A);
  expect(list.code).toBe(0);
  for (const j of ['Login', 'ResetPassword', 'ForgottenUsername']) expect(list.out).toContain(j);
  expect(list.out).not.toContain('AdminLogin');

  // Export Login, edit its page header, import it: B runs the edit.
  expect((await frodo('journey', 'export', '-i', 'Login', A)).code).toBe(0);
  const file = join(work, 'frodo', 'Login.journey.json');
  const exported = await readFile(file, 'utf8');
  expect(exported).toContain('"Sign in"');
  await writeFile(file, exported.replace('"Sign in"', '"Welcome back"'));
  expect(await loginHeader(b.url)).toBe('Sign in');
  const imported = await frodo('journey', 'import', '-i', 'Login', '-f', file, A);
  expect(imported.out).toMatch(/Imported Login/);
  expect(
    await eventually(
      () => loginHeader(b.url),
      (h) => h === 'Welcome back',
    ),
  ).toBe('Welcome back');

  // The edited Login still signs a user in, on B.
  const first = await authenticate(b.url, 'Login');
  for (const cb of first.json.callbacks as Callback[]) cb.input[0]!.value = cb.type === 'NameCallback' ? ALICE.user : ALICE.password;
  const signedIn = await authenticate(b.url, 'Login', first.json);
  expect(signedIn.status).toBe(200);
  expect(signedIn.json.tokenId).toEqual(expect.any(String));

  // A test journey (a copy of Login with new node ids): imported on A, run on B, deleted on A, gone on B.
  const copy = JSON.parse(exported) as { tree: { _id: string } };
  copy.tree._id = 'FrodoTest';
  const copyFile = join(work, 'frodo', 'FrodoTest.journey.json');
  await writeFile(copyFile, JSON.stringify(copy));
  expect((await frodo('journey', 'import', '--re-uuid', '-i', 'FrodoTest', '-f', copyFile, A)).out).toMatch(/Imported FrodoTest/);
  expect(
    (
      await eventually(
        () => authenticate(b.url, 'FrodoTest'),
        (r) => r.status === 200,
      )
    ).json.header,
  ).toBe('Sign in');
  expect((await frodo('journey', 'list', B)).out).toContain('FrodoTest');
  const deleted = await frodo('journey', 'delete', '-i', 'FrodoTest', A);
  expect(deleted.out).toMatch(/Deleted FrodoTest and (\d+)\/\1 nodes/);
  expect(
    (
      await eventually(
        () => authenticate(b.url, 'FrodoTest'),
        (r) => r.status !== 200,
      )
    ).status,
  ).toBe(400);
  expect((await frodo('journey', 'list', B)).out).not.toContain('FrodoTest');
  // Login is untouched by the copy and its deletion.
  expect(await loginHeader(a.url)).toBe('Welcome back');

  // Scripts: import on A; B has it (read over B's REST); change the body, import again; frodo exports the new body from B.
  const token = (await (
    await fetch(`${B}/json/realms/root/authenticate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-OpenAM-Username': ADMIN.user, 'X-OpenAM-Password': ADMIN.password },
      body: '{}',
    })
  ).json()) as { tokenId: string };
  const scriptOnB = async (): Promise<string | undefined> => {
    const res = await fetch(`${B}/json/realms/root/scripts/${SCRIPT_ID}`, { headers: { iPlanetDirectoryPro: token.tokenId } });
    return res.status === 200 ? Buffer.from(((await res.json()) as { script: string }).script, 'base64').toString() : undefined;
  };
  const scriptFile = join(work, 'frodo', 'always.script.json');
  const record = {
    _id: SCRIPT_ID,
    name: 'Always True',
    description: 'Says true',
    default: false,
    language: 'JAVASCRIPT',
    context: 'AUTHENTICATION_TREE_DECISION_NODE',
    evaluatorVersion: '1.0',
    script: ['outcome = "true";'],
  };
  await writeFile(scriptFile, JSON.stringify({ script: { [SCRIPT_ID]: record } }));
  expect((await frodo('script', 'import', '-f', scriptFile, A)).code).toBe(0);
  expect(await eventually(scriptOnB, (s) => s !== undefined)).toBe('outcome = "true";');
  await writeFile(scriptFile, JSON.stringify({ script: { [SCRIPT_ID]: { ...record, script: ['// changed', 'outcome = "true";'] } } }));
  expect((await frodo('script', 'import', '-f', scriptFile, A)).code).toBe(0);
  expect(await eventually(scriptOnB, (s) => s?.startsWith('// changed') === true)).toBe('// changed\noutcome = "true";');
  expect((await frodo('script', 'export', '-n', 'Always True', B)).code).toBe(0);
  const exportedScript = JSON.parse(await readFile(join(work, 'frodo', 'Always-True.script.json'), 'utf8')) as {
    script: Record<string, { script: string[] }>;
  };
  expect(exportedScript.script[SCRIPT_ID]?.script).toEqual(['// changed', 'outcome = "true";']);

  // Every change is audited with the administrator and the versions before and after.
  const audit = (await readFile(join(work, 'audit.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.event === 'config.changed' && e.by === `admin:${ADMIN.user}`);
  expect(audit).toContainEqual(expect.objectContaining({ kind: 'journey', id: 'Login', before: expect.any(String), after: expect.any(String) }));
  expect(audit).toContainEqual(expect.objectContaining({ kind: 'journey', id: 'FrodoTest', before: expect.any(String), after: null }));
  expect(audit).toContainEqual(expect.objectContaining({ kind: 'script', id: SCRIPT_ID, before: null, after: expect.any(String) }));
}, 900_000);
