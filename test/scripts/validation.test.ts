/**
 * Scripts are checked when journeys are: at start and by `cairn journeys validate`. An unknown script
 * id, a Groovy script, a script of another context or one that does not compile is an error naming
 * the node and the script; the server does not start with it.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StartupError } from '../../src/server/compose.js';
import { loadScriptLibrary } from '../../src/scripts/library.js';
import { startTestServer } from '../support/server.js';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
let dir: string;

async function addScript(name: string, meta: Record<string, unknown>, source: string, extension = '.js'): Promise<void> {
  await writeFile(
    join(dir, 'scripts', `${name}.meta.json`),
    JSON.stringify({ name, language: 'JAVASCRIPT', context: 'AUTHENTICATION_TREE_DECISION_NODE', evaluatorVersion: '1.0', ...meta }),
  );
  await writeFile(join(dir, 'scripts', name + extension), source);
}

function journey(id: string, script: string) {
  return {
    _id: id,
    entryNodeId: 'decide',
    nodes: {
      decide: { nodeType: 'ScriptedDecisionNode', displayName: 'Decide', config: { script, outcomes: ['true'] }, connections: { true: 'Success' } },
    },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-scripts-'));
  await mkdir(join(dir, 'scripts'));
  await addScript('good', { _id: 'id-good' }, "outcome = 'true';\n");
  await addScript('groovy', { _id: 'id-groovy', language: 'GROOVY' }, "outcome = 'true'\n", '.groovy');
  await addScript('social', { _id: 'id-social', context: 'SOCIAL_IDP_PROFILE_TRANSFORMATION' }, 'var x = 1;\n');
  await addScript('broken', { _id: 'id-broken' }, "var ok = 1;\nif (ok { outcome = 'true'; }\n");
  await writeFile(
    join(dir, 'scripts', 'orphan.meta.json'),
    JSON.stringify({ _id: 'id-orphan', name: 'orphan', language: 'JAVASCRIPT', context: 'SCRIPTED_DECISION_NODE' }),
  );
  for (const [id, script] of [
    ['UsesGood', 'id-good'],
    ['UsesUnknown', 'id-nowhere'],
    ['UsesGroovy', 'id-groovy'],
    ['UsesSocial', 'id-social'],
    ['UsesBroken', 'id-broken'],
  ] as const) {
    await writeFile(join(dir, `${id}.json`), JSON.stringify(journey(id, script)));
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('script validation', () => {
  it('loads the scripts beside the journeys and reports broken ones', async () => {
    const library = await loadScriptLibrary(join(dir, 'scripts'));
    expect(library.get('id-good')?.engine).toBe('legacy');
    expect(library.problemFor('id-good')).toBeUndefined();
    expect(library.problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        "The script's source orphan.js is missing beside it.",
        expect.stringMatching(/^Script "broken" \(id-broken\) does not compile: SyntaxError: .*\(line 2\)\.$/),
      ]),
    );
  });

  it('`cairn journeys validate` names the node and the script of every problem', async () => {
    const r = await run('node', [join(ROOT, 'bin', 'cairn.js'), 'journeys', 'validate', dir], { cwd: ROOT }).catch(
      (e: { stdout: string; code: number }) => e,
    );
    expect((r as { code?: number }).code).toBe(1);
    const out = r.stdout;
    expect(out).toContain(
      'UsesUnknown.json#/nodes/decide/config/script: Node "decide" (Decide) runs script "id-nowhere": There is no script with id "id-nowhere"',
    );
    expect(out).toContain(
      'UsesGroovy.json#/nodes/decide/config/script: Node "decide" (Decide) runs script "id-groovy": Script "groovy" (id-groovy) is written in Groovy, which Cairn does not run: this node needs a JavaScript port of it.',
    );
    expect(out).toContain(
      'Node "decide" (Decide) runs script "id-social": Script "social" (id-social) is a SOCIAL_IDP_PROFILE_TRANSFORMATION script',
    );
    expect(out).toContain('Node "decide" (Decide) runs script "id-broken": Script "broken" (id-broken) does not compile: SyntaxError');
    expect(out).not.toContain('UsesGood.json');
    expect(out).toMatch(/5 files checked: 1 valid/);
  });

  it('the server does not start with those journeys', async () => {
    const failure = await startTestServer({ CAIRN_JOURNEYS_DIR: dir }).then(
      async (s) => {
        await s.stop();
        return undefined;
      },
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(StartupError);
    expect((failure as StartupError).details.join('\n')).toContain('this node needs a JavaScript port of it');
  });
});
