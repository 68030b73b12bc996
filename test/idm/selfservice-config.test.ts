/**
 * PingIDM's self-service files, read at start (src/idm/selfservice/config.ts): the shipped folder loads
 * clean into one journey per process; an operator's files replace shipped ones; every problem of every
 * file is named at once with the file and a JSON pointer into it (stage settings through the stage node's
 * own schema, as for journeys); IDM's KBA amendments are warned about; a broken folder stops the server
 * with those lines. The compiled processes are journeys like any other: the validator, the diagram and
 * AM export / import take their stage nodes as they take every node.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSelfService, SHIPPED_SELFSERVICE_DIR } from '../../src/idm/selfservice/config.js';
import { mermaidOf } from '../../src/journeys/diagram.js';
import type { Journey } from '../../src/journeys/model.js';
import { exportAmTree } from '../../src/journeys/export-am.js';
import { importAmExport } from '../../src/journeys/import-am.js';
import { outcomesOf } from '../../src/nodes/types.js';
import { validateJourneys } from '../../src/journeys/validate.js';
import { createNodeRegistry } from '../../src/nodes/index.js';
import { StartupError } from '../../src/server/start.js';
import { SHIPPED_SELFSERVICE, selfServiceDir } from '../support/selfservice.js';
import { startTestServer } from '../support/server.js';

const registry = createNodeRegistry();
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
const folder = async (files: Record<string, unknown>): Promise<string> => {
  const d = await selfServiceDir(files);
  dirs.push(d);
  return d;
};
const shipped = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(join(SHIPPED_SELFSERVICE, name), 'utf8')) as Record<string, unknown>;

describe('the shipped self-service configuration', () => {
  it('loads without a problem: reset and username on, registration off, the stages in order', async () => {
    const setup = await loadSelfService([SHIPPED_SELFSERVICE_DIR], registry);
    expect(setup.problems).toEqual([]);
    const reset = setup.processes.get('reset');
    expect(reset).toMatchObject({ enabled: true, tokenExpirySeconds: 300, journeyId: 'selfservice-reset', legacyEnumerationErrors: false });
    expect(reset?.stages.map((s) => s.name)).toEqual(['parameters', 'userQuery', 'emailValidation', 'resetStage']);
    expect(setup.processes.get('username')?.stages.map((s) => s.name)).toEqual(['userQuery', 'emailUsername', 'retrieveUsername']);
    expect(setup.processes.get('registration')).toMatchObject({ enabled: false });
    expect(setup.kba).toMatchObject({ kbaPropertyName: 'kbaInfo', minimumAnswersToDefine: 1, minimumAnswersToVerify: 1 });

    const journey = setup.catalog.get('selfservice-reset');
    expect(journey?.noSession).toBe(true);
    expect([...(journey?.nodes.values() ?? [])].map((n) => [n.id, n.nodeType, n.connections])).toEqual([
      ['0-parameters', 'IdmParametersNode', { outcome: '1-userQuery' }],
      ['1-userQuery', 'IdmUserQueryNode', { outcome: '2-emailValidation' }],
      ['2-emailValidation', 'IdmEmailValidationNode', { outcome: '3-resetStage' }],
      ['3-resetStage', 'IdmResetNode', { outcome: 'Success' }],
    ]);
  });

  it('lets an operator file replace a shipped one, and serves a process of any name', async () => {
    const username = await shipped('selfservice-username.json');
    (username.stageConfigs as unknown[]).splice(1, 1);
    const dir = await folder({ 'selfservice-username.json': username, 'selfservice-profile.json': await shipped('selfservice-reset.json') });
    const setup = await loadSelfService([SHIPPED_SELFSERVICE_DIR, dir, join(dir, 'missing')], registry);
    expect(setup.problems).toEqual([]);
    expect(setup.processes.get('username')?.stages.map((s) => s.name)).toEqual(['userQuery', 'retrieveUsername']);
    expect(setup.processes.get('profile')).toMatchObject({ enabled: true, file: join(dir, 'selfservice-profile.json') });
  });
});

describe('problems', () => {
  it('names every problem of every file at once, with the file and a pointer into it', async () => {
    const reset = await shipped('selfservice-reset.json');
    reset.extra = 1;
    reset.snapshotToken = { type: 'jwt', tokenExpiry: 'soon' };
    const stages = reset.stageConfigs as Record<string, unknown>[];
    stages[1] = { ...stages[1], validQueryFields: [], identityServiceUrl: 'managed/role' };
    stages[2] = {
      ...stages[2],
      verificationLink: 'ftp://example.com/#/passwordreset/',
      messageTranslations: { en: 'Hello {{object.x}} %link%' },
      verificatonLinkToken: '%link%',
    };
    stages.push({ name: 'resetStag' }, { class: 'org.forgerock.selfservice.custom.MathProblemStageConfig' });
    const kba = { questions: { '1': {} }, minimumAnswersToVerify: 0 };
    const ui = { configuration: { passwordReset: 'yes' } };
    const dir = await folder({ 'selfservice-reset.json': reset, 'selfservice.kba.json': kba, 'ui-configuration.json': ui });
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'selfservice-username.json'), '{ "stageConfigs": [ ');

    const setup = await loadSelfService([SHIPPED_SELFSERVICE_DIR, dir], registry);
    const at = (file: string, pointer: string, message?: unknown) =>
      expect.objectContaining({ file: join(dir, file), pointer, severity: 'error', ...(message === undefined ? {} : { message }) });
    expect(setup.problems).toEqual(
      expect.arrayContaining([
        at('selfservice-reset.json', '/extra', '"extra" is not a known setting here.'),
        at('selfservice-reset.json', '/snapshotToken/tokenExpiry', 'Must be a whole number of seconds from 1 to 86400.'),
        at('selfservice-reset.json', '/stageConfigs/1/validQueryFields', 'Must list at least 1 item(s).'),
        at('selfservice-reset.json', '/stageConfigs/1/identityServiceUrl'),
        at('selfservice-reset.json', '/stageConfigs/2/verificationLink', 'must be an http(s) URL or a path starting with "/"'),
        at('selfservice-reset.json', '/stageConfigs/2/messageTranslations/en', expect.stringContaining('"{{"')),
        // The journeys' validator keeps an unknown setting with a warning, and suggests the known one.
        expect.objectContaining({
          file: join(dir, 'selfservice-reset.json'),
          pointer: '/stageConfigs/2/verificatonLinkToken',
          severity: 'warning',
          message: expect.stringContaining('Did you mean "verificationLinkToken"?'),
        }),
        at('selfservice-reset.json', '/stageConfigs/4/name', expect.stringContaining('Unknown stage "resetStag"')),
        at('selfservice-reset.json', '/stageConfigs/5/class', expect.stringContaining('Java code')),
        at('selfservice-username.json', '', expect.stringContaining('not valid JSON')),
        at('selfservice.kba.json', '/questions/1'),
        at('selfservice.kba.json', '/minimumAnswersToVerify', 'must be a whole number from 1 to 20'),
        at('ui-configuration.json', '/configuration/passwordReset', 'Must be true or false.'),
      ]),
    );
    expect(setup.processes.has('reset')).toBe(false);
    expect(setup.processes.has('username')).toBe(false);
  });

  it("warns where IDM's start-up amendments replace a stage's setting", async () => {
    const reset = await shipped('selfservice-reset.json');
    (reset.stageConfigs as unknown[]).splice(3, 0, {
      name: 'kbaSecurityAnswerVerificationStage',
      numberOfQuestionsUserMustAnswer: '3',
      kbaConfig: { questions: {} },
    });
    const dir = await folder({ 'selfservice-reset.json': reset });
    const setup = await loadSelfService([SHIPPED_SELFSERVICE_DIR, dir], registry);
    expect(setup.problems.map((p) => [p.pointer, p.severity, p.message])).toEqual([
      ['/stageConfigs/3/numberOfQuestionsUserMustAnswer', 'warning', 'Replaced by minimumAnswersToVerify (1) of selfservice.kba.json, as IDM does.'],
      ['/stageConfigs/3/kbaConfig', 'warning', 'Replaced by selfservice.kba.json, as IDM does.'],
    ]);
    expect(setup.processes.get('reset')?.stages).toHaveLength(5);
  });

  it('stops the server with every line', async () => {
    const dir = await folder({ 'selfservice-reset.json': { stageConfigs: [{ name: 'emailValidation' }] } });
    const error = await startTestServer({ CAIRN_SELFSERVICE_DIR: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect((error as StartupError).details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^error: .*selfservice-reset\.json#\/stageConfigs\/0: The required setting "verificationLink" is missing\.$/),
        expect.stringMatching(/selfservice-reset\.json#\/stageConfigs\/0: The required setting "subjectTranslations" is missing\.$/),
      ]),
    );
  });
});

describe('stage nodes in ordinary journeys', () => {
  it('validate, draw and go through AM export and import like any node', async () => {
    const setup = await loadSelfService([SHIPPED_SELFSERVICE_DIR], registry);
    const source = setup.catalog.get('selfservice-reset')?.source;
    expect(source).toBeDefined();
    const journey: Journey = { ...structuredClone(source as Journey), _id: 'IdmStyleReset', noSession: false };
    const { problems, journeys } = validateJourneys([{ file: 'IdmStyleReset.json', json: journey }], registry);
    expect(problems).toEqual([]);
    expect(journeys.has('IdmStyleReset')).toBe(true);
    const diagram = mermaidOf(journey);
    for (const stage of ['userQuery', 'emailValidation', 'resetStage']) expect(diagram).toContain(stage);

    // AM export (outcomes from the registry, as the CLI gives them) and back: the same nodes and settings.
    const exported = exportAmTree(journey, {
      outcomesOf: (type, config) => {
        const d = registry.get(type);
        return d ? outcomesOf(d, config) : undefined;
      },
    });
    const back = importAmExport(JSON.parse(JSON.stringify(exported)) as unknown);
    expect(back.issues).toEqual([]);
    const imported = back.journeys[0]?.journey;
    const summary = (j: Journey) =>
      Object.values(j.nodes)
        .map((n) => [n.nodeType, n.config])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(summary(imported as Journey)).toEqual(summary(journey));
    expect(validateJourneys([{ file: 'back.json', json: imported }], registry).problems).toEqual([]);
  });
});
