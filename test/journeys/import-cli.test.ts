/**
 * `cairn journeys import` through the real command line: AIC's stock ResetPassword export is written,
 * valid, and served by Cairn with the same first step AIC answers (reference §2.2), its realm's
 * managed object name kept in the file; a folder of exports imports journey by journey, each result
 * printed, failures named with file and pointer, inner journeys resolved across the whole import.
 */
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cairn } from '../support/cli.js';
import { startTestServer, type TestServer } from '../support/server.js';

const EXAMPLES = '/work/shared/reference/examples';
const EXPORT = `${EXAMPLES}/frodo-cli_cloud_realm_root-alpha_journey_ResetPassword.journey.json`;

describe('cairn journeys import', { timeout: 60_000 }, () => {
  let dir: string;
  let server: TestServer | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-import-'));
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports the stock AIC ResetPassword export, which Cairn then serves like AIC', async () => {
    const out = join(dir, 'one');
    const r = await cairn('journeys', 'import', EXPORT, '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ResetPassword  imported, runs  (from ${EXPORT}#/trees/ResetPassword/tree)`);
    expect(r.stdout).toContain('1 journey found in 1 export file: 1 imported (1 run), 0 not imported.');
    const journey = JSON.parse(await readFile(join(out, 'ResetPassword.json'), 'utf8'));
    expect(journey.entryNodeId).toBe('cc3e1ed2-25f1-47bf-83c6-17084f8b2b2b');
    // The file keeps AIC's realm object name (so an export gives it back); Cairn runs it on managed/user.
    expect(journey.identityResource).toBe('managed/alpha_user');
  });

  it('leaves an existing journey file alone without --force, saying so for that journey', async () => {
    const out = join(dir, 'one');
    const again = await cairn('journeys', 'import', EXPORT, '--out', out);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`ResetPassword  not imported: ${join(out, 'ResetPassword.json')} exists; use --force to replace it.`);
    expect((await cairn('journeys', 'import', EXPORT, '--out', out, '--force')).code).toBe(0);
  });

  it('serves the imported journey like AIC, and exports it back as AIC exported it', async () => {
    const out = join(dir, 'one');
    server = await startTestServer({ CAIRN_JOURNEYS_DIR: out });
    const res = await fetch(`${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=ResetPassword`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    });
    const step = (await res.json()) as Record<string, unknown>;
    // AIC's answer (reference §2.2, "real AIC ResetPassword first page"), authId aside.
    expect({ ...step, authId: undefined }).toEqual({
      authId: undefined,
      callbacks: [
        {
          type: 'StringAttributeInputCallback',
          output: [
            { name: 'name', value: 'mail' },
            { name: 'prompt', value: 'Email Address' },
            { name: 'required', value: true },
            { name: 'policies', value: {} },
            { name: 'failedPolicies', value: [] },
            { name: 'validateOnly', value: false },
            { name: 'value', value: '' },
          ],
          input: [
            { name: 'IDToken1', value: '' },
            { name: 'IDToken1validateOnly', value: false },
          ],
          _id: 0,
        },
      ],
      header: 'Reset Password',
      description: 'Enter your email address or <a href="#/service/Login">Sign in</a>',
      stage: '',
    });

    // And the export gives AM back what it exported.
    const exported = await cairn('journeys', 'export', join(out, 'ResetPassword.json'));
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual(JSON.parse(await readFile(EXPORT, 'utf8')));
  });

  it('imports a folder journey by journey: each result printed, failures named, inner journeys resolved across files', async () => {
    const src = join(dir, 'src');
    await mkdir(src, { recursive: true });
    const login = JSON.parse(await readFile(`${EXAMPLES}/frodo-cli_cloud_realm_root-alpha_journey_Login.journey.json`, 'utf8'));
    const registration = await readFile(`${EXAMPLES}/frodo-cli_cloud_realm_root-alpha_journey_Registration.journey.json`, 'utf8');
    const forgotten = await readFile(`${EXAMPLES}/frodo-cli_cloud_realm_root-alpha_journey_ForgottenUsername.journey.json`, 'utf8');
    const broken = structuredClone(login);
    broken.trees.Login.tree._id = 'BrokenLogin';
    broken.trees.BrokenLogin = broken.trees.Login;
    delete broken.trees.Login;
    delete broken.trees.BrokenLogin.nodes['51e8c4c1-3509-4635-90e6-d2cc31c4a6a5'];
    await writeFile(join(src, 'Login.journey.json'), JSON.stringify(login));
    await writeFile(join(src, 'Broken.journey.json'), JSON.stringify(broken));
    await writeFile(join(src, 'Registration.journey.json'), registration);
    await writeFile(join(src, 'ForgottenUsername.journey.json'), forgotten);
    await writeFile(join(src, 'notes.json'), '{"todo": []}');
    const escape = structuredClone(login);
    escape.trees.Login.tree._id = '../../escaped';
    await writeFile(join(src, 'Escape.journey.json'), JSON.stringify({ trees: { '../../escaped': escape.trees.Login } }));
    const out = join(dir, 'many');

    const dry = await cairn('journeys', 'import', src, '--out', out, '--dry-run');
    expect(dry.stdout).toContain('Nothing written (--dry-run).');
    await expect(readdir(out)).rejects.toThrow();

    const r = await cairn('journeys', 'import', src, '--out', out);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const line = (id: string): string | undefined => lines.find((l) => l.startsWith(`${id} `));
    // ForgottenUsername runs Login as an inner journey, found in another file of the import.
    expect(line('ForgottenUsername')).toMatch(/imported, runs/);
    // Login's inner journey ProgressiveProfile is in no file: imported, named as what stops it.
    expect(line('Login')).toMatch(/imported, does not run: 1 error/);
    expect(r.stdout).toContain(
      `error: ${join(out, 'Login.json')}#/nodes/33b24514-3e50-4180-8f08-ab6f4e51b07e/config/tree: The journey "ProgressiveProfile" does not exist.`,
    );
    // AIC's Registration (security question, terms) runs as exported.
    expect(line('Registration')).toMatch(/imported, runs/);
    expect(r.stdout).not.toContain('Node types Cairn does not run');
    // The broken journey fails alone, with its file and pointer.
    expect(line('BrokenLogin')).toBe(
      "BrokenLogin        not imported: The node '51e8c4c1-3509-4635-90e6-d2cc31c4a6a5' (AccountLockoutNode) has no configuration in the import.  " +
        `(${src}/Broken.journey.json#/trees/BrokenLogin/tree/nodes/51e8c4c1-3509-4635-90e6-d2cc31c4a6a5)`,
    );
    // A journey whose name would leave the target directory is refused, named like any failure.
    expect(line('../../escaped')).toContain('not imported: The journey name "../../escaped" cannot be a file name');
    expect(r.stdout).toContain('5 journeys found in 5 export files: 3 imported (2 run, 1 need changes to run), 2 not imported.');
    expect((await readdir(out)).sort()).toEqual(['ForgottenUsername.json', 'Login.json', 'Registration.json']);
    expect(r.stderr).toBe('');
  });

  it('answers bad usage and unreadable input with a sentence', async () => {
    const none = await cairn('journeys', 'import');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('name the export file or folder');
    const missing = await cairn('journeys', 'import', 'no/such/export.json');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no/such/export.json: no such file or directory.');
    const notJson = join(dir, 'bad.json');
    await writeFile(notJson, '{"trees": ');
    const bad = await cairn('journeys', 'import', notJson, '--out', join(dir, 'bad'));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/error: .*bad\.json#\/: The file is not valid JSON/);
    expect(`${none.stderr}${missing.stderr}${bad.stdout}`).not.toMatch(/\bat .*\.js:\d+/);
  });
});
