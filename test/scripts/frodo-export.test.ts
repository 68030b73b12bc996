/**
 * A real frodo export with scripts (test/fixtures/frodo-scripts/README.md): `cairn journeys import`
 * writes its journeys and, beside them, its scripts; Cairn runs the nested journeys through the
 * ForgeRock SDK; `cairn journeys export` gives the scripts back byte for byte.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asStep, createSdkClient, sdk, type Sdk } from '../support/forgerock-sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const EXPORT = join(import.meta.dirname, '..', 'fixtures', 'frodo-scripts', 'nested-journeys.journey.json');
const run = promisify(execFile);
const cairn = (...args: string[]) => run('node', [join(ROOT, 'bin', 'cairn.js'), ...args], { cwd: ROOT, maxBuffer: 32 * 1024 * 1024 });

type Tree = { scripts: Record<string, { script: string; name: string }> };
let dir: string;
let original: { trees: Record<string, Tree> };
let server: TestServer | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-frodo-scripts-'));
  original = JSON.parse(await readFile(EXPORT, 'utf8'));
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a frodo export with scripts', () => {
  it('imports its journeys and scripts; the sources are the decoded bodies, byte for byte', async () => {
    const r = await cairn('journeys', 'import', EXPORT, '--out', dir);
    expect(r.stdout).toContain('11 journeys found in 1 export file: 11 imported (11 run)');
    expect(r.stdout).toMatch(/4 scripts found: 4 written to .*scripts/);
    const files = (await readdir(join(dir, 'scripts'))).sort();
    expect(files).toEqual([
      'debug.js',
      'debug.meta.json',
      'level.js',
      'level.meta.json',
      'mode.js',
      'mode.meta.json',
      'shared.js',
      'shared.meta.json',
    ]);
    const exported = original.trees.j00!.scripts['5bbdaeff-ddee-44b9-b608-8d413d7d65a6']!;
    expect(await readFile(join(dir, 'scripts', 'mode.js'), 'utf8')).toBe(JSON.parse(exported.script));
    const meta = JSON.parse(await readFile(join(dir, 'scripts', 'mode.meta.json'), 'utf8'));
    expect(meta).toMatchObject({ _id: '5bbdaeff-ddee-44b9-b608-8d413d7d65a6', name: 'mode', evaluatorVersion: '1.0', exportEncoding: 'json' });
    expect(meta.script).toBeUndefined();
    const validate = await cairn('journeys', 'validate', dir);
    expect(validate.stdout).toContain('11 files checked: 11 valid, 0 errors');
  });

  it('runs the nested journeys: the legacy scripts ask, count the levels in shared state and show it', async () => {
    server = await startTestServer({ CAIRN_JOURNEYS_DIR: dir, CAIRN_SCRIPT_CPU_MS: '4000' });
    const c = createSdkClient({ baseUrl: server.amUrl, tree: 'j10', timeout: 30_000 });
    const first = asStep(await c.start());
    const choice = first.getCallbackOfType<Sdk.ChoiceCallback>(sdk.CallbackType.ChoiceCallback);
    expect(choice.getPrompt()).toBe('Choose test mode');
    expect(choice.getChoices()).toEqual(['shared and level', 'shared only', 'level only', 'none']);
    choice.setChoiceIndex(0);
    // Ten inner trees down, j00's debug script shows the shared state every level wrote.
    const debug = asStep(await c.next(first));
    const outputs = debug.getCallbacksOfType<Sdk.TextOutputCallback>(sdk.CallbackType.TextOutputCallback);
    expect(outputs).toHaveLength(2);
    expect(outputs[0]!.getMessage()).toMatch(/^anchor-\d{3}$/);
    expect(outputs[1]!.getMessageType()).toBe('4');
    const page = outputs[1]!.getMessage();
    expect(page).toContain('sharedValue=Level 10: This is a longer string value shared across all nested journeys.');
    for (let level = 0; level <= 10; level++)
      expect(page).toContain(`level${level}Value=Level ${level}: This is a longer string value set at each level`);
    expect(page).toContain('mode=shared and level');
    // As on AIC, the test journey then ends at Failure.
    const end = await c.next(debug);
    expect(end.type).toBe('LoginFailure');
  });

  it('exports the scripts back byte for byte', async () => {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => join(dir, f));
    const r = await cairn('journeys', 'export', ...files);
    const back = JSON.parse(r.stdout) as { trees: Record<string, Tree> };
    expect(Object.keys(back.trees).sort()).toEqual(Object.keys(original.trees).sort());
    for (const [id, tree] of Object.entries(original.trees)) {
      expect(JSON.stringify(back.trees[id]!.scripts), `scripts of ${id}`).toBe(JSON.stringify(tree.scripts));
    }
  });
});
