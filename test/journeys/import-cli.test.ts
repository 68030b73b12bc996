/**
 * `cairn journeys import` on AIC's real stock ResetPassword export: the journey is written, valid,
 * and served by Cairn with the same first step AIC answers (reference §2.2, the real AIC page).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const EXPORT = '/work/shared/reference/examples/frodo-cli_cloud_realm_root-alpha_journey_ResetPassword.journey.json';
const run = promisify(execFile);

describe('cairn journeys import', () => {
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
    const r = await run('node', [join(ROOT, 'bin', 'cairn.js'), 'journeys', 'import', EXPORT, '--out', dir], { cwd: ROOT });
    expect(r.stdout).toContain('Imported 1 journey');
    expect(r.stderr).toContain('mapped to managed/user');
    const journey = JSON.parse(await readFile(join(dir, 'ResetPassword.json'), 'utf8'));
    expect(journey.entryNodeId).toBe('cc3e1ed2-25f1-47bf-83c6-17084f8b2b2b');

    // Importing again without --force refuses to overwrite.
    await expect(run('node', [join(ROOT, 'bin', 'cairn.js'), 'journeys', 'import', EXPORT, '--out', dir], { cwd: ROOT })).rejects.toMatchObject({
      code: 1,
    });

    server = await startTestServer({ CAIRN_JOURNEYS_DIR: dir });
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
  });
});
