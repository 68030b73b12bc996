/**
 * AM / frodo export ⇄ Cairn journey conversion, on the real exports in the shared reference folder:
 * exact ResetPassword structure, the three accepted forms, warnings, errors, and round trips
 * (import → export → import, and export reproducing frodo's own files). Also checks the fixtures.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/errors/cairn-error.js';
import { amNodeId, exportAmJourneys, exportAmTree, sortKeysDeep } from '../../src/journeys/export-am.js';
import { importAmExport } from '../../src/journeys/import-am.js';
import { AM_FAILURE_ID, AM_SUCCESS_ID, type Journey } from '../../src/journeys/model.js';

const EXAMPLES = '/work/shared/reference/examples';
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'am');
type Json = Record<string, any>;

const read = (file: string): Json => JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as Json;
const frodoFiles = readdirSync(EXAMPLES).filter((f) => f.startsWith('frodo-cli_') && f.endsWith('.journey.json'));
const REST_FILE = 'am-rest_alpha_ResetPassword_tree_and_nodes.json';
const RESET = 'frodo-cli_cloud_realm_root-alpha_journey_ResetPassword.journey.json';
const LOGIN = 'frodo-cli_cloud_realm_root-alpha_journey_Login.journey.json';
const FORGOTTEN = 'frodo-cli_cloud_realm_root-alpha_journey_ForgottenUsername.journey.json';

const PAGE1 = 'cc3e1ed2-25f1-47bf-83c6-17084f8b2b2b';
const IDENTIFY = '21b8ddf3-0203-4ae1-ab05-51cf3a3a707a';
const SUSPEND = '06c97be5-7fdd-4739-aea1-ecc7fe082865';
const PAGE2 = 'e4c752f9-c625-48c9-9644-a58802fa9e9c';
const PATCH = '989f0bf8-a328-4217-b82b-5275d79ca8bd';

function importError(json: unknown): CairnError {
  try {
    importAmExport(json);
  } catch (e) {
    expect(e).toBeInstanceOf(CairnError);
    return e as CairnError;
  }
  throw new Error('expected importAmExport to throw');
}

/** Drops what Cairn's format does not carry from frodo's node files: the node type's display name. */
function withoutTypeNames(exported: Json): Json {
  const copy = structuredClone(exported);
  for (const tree of Object.values(copy.trees as Json)) {
    for (const part of ['nodes', 'innerNodes']) for (const node of Object.values(tree[part] as Json)) delete node._type.name;
  }
  return sortKeysDeep(copy);
}

describe('importAmExport: ResetPassword (frodo multi form)', () => {
  const result = importAmExport(read(RESET));
  const journey = result.journeys[0]!;

  it('yields the exact journey, with Page Node children inline and named terminals', () => {
    expect(result.journeys).toHaveLength(1);
    expect(result.warnings).toEqual([]);
    expect(result.emailTemplates).toEqual({});
    expect(journey).toStrictEqual({
      _id: 'ResetPassword',
      description: 'Reset Password Tree',
      enabled: true,
      entryNodeId: PAGE1,
      identityResource: 'managed/alpha_user',
      innerTreeOnly: false,
      mustRun: false,
      nodes: {
        [SUSPEND]: {
          nodeType: 'EmailSuspendNode',
          displayName: 'Email Suspend Node',
          config: {
            emailAttribute: 'mail',
            emailSuspendMessage: { en: 'An email has been sent to the address you entered. Click the link in that email to proceed.' },
            emailTemplateName: 'resetPassword',
            identityAttribute: 'mail',
            objectLookup: true,
          },
          connections: { outcome: PAGE2 },
          x: 453,
          y: 66,
        },
        [IDENTIFY]: {
          nodeType: 'IdentifyExistingUserNode',
          displayName: 'Identify Existing User',
          config: { identifier: 'userName', identityAttribute: 'mail' },
          connections: { false: SUSPEND, true: SUSPEND },
          x: 271,
          y: 21,
        },
        [PATCH]: {
          nodeType: 'PatchObjectNode',
          displayName: 'Patch Object',
          config: { identityAttribute: 'mail', identityResource: 'managed/alpha_user', ignoredFields: [], patchAsObject: false },
          connections: { FAILURE: 'Failure', PATCHED: 'Success' },
          x: 819,
          y: 61,
        },
        [PAGE1]: {
          nodeType: 'PageNode',
          displayName: 'Page Node',
          config: {
            nodes: [
              {
                _id: '276afa7c-a680-4cf4-a5f6-d6c78191f5c9',
                nodeType: 'AttributeCollectorNode',
                displayName: 'Attribute Collector',
                config: { attributesToCollect: ['mail'], identityAttribute: 'mail', required: true, validateInputs: false },
              },
            ],
            pageDescription: { en: 'Enter your email address or <a href="#/service/Login">Sign in</a>' },
            pageHeader: { en: 'Reset Password' },
          },
          connections: { outcome: IDENTIFY },
          x: 103,
          y: 50,
        },
        [PAGE2]: {
          nodeType: 'PageNode',
          displayName: 'Page Node',
          config: {
            nodes: [
              {
                _id: '009c19c8-9572-47bb-adb2-1f092c559a43',
                nodeType: 'ValidatedPasswordNode',
                displayName: 'Platform Password',
                config: { passwordAttribute: 'password', validateInput: true },
              },
            ],
            pageDescription: { en: 'Change password' },
            pageHeader: { en: 'Reset Password' },
          },
          connections: { outcome: PATCH },
          x: 643,
          y: 50,
        },
      },
      staticNodes: {
        [AM_SUCCESS_ID]: { x: 970, y: 79 },
        [AM_FAILURE_ID]: { x: 981, y: 147 },
        startNode: { x: 25, y: 25 },
      },
      uiConfig: { categories: '["Password Reset"]' },
    });
  });

  it("keeps AM's _outcomes per node, Page Node children included", () => {
    const outcomes = result.outcomesByNode.ResetPassword!;
    expect(outcomes[IDENTIFY]).toEqual([
      { id: 'true', displayName: 'True' },
      { id: 'false', displayName: 'False' },
    ]);
    expect(outcomes[PATCH]).toEqual([
      { id: 'PATCHED', displayName: 'Patched' },
      { id: 'FAILURE', displayName: 'Failed' },
    ]);
    expect(outcomes['009c19c8-9572-47bb-adb2-1f092c559a43']).toEqual([{ id: 'outcome', displayName: 'Outcome' }]);
    expect(Object.keys(outcomes)).toHaveLength(7);
  });

  it("keeps AM's static ids when terminalNames is false", () => {
    const raw = importAmExport(read(RESET), { terminalNames: false }).journeys[0]!;
    expect(raw.nodes[PATCH]!.connections).toEqual({ FAILURE: AM_FAILURE_ID, PATCHED: AM_SUCCESS_ID });
  });

  it('renames node ids after display names when keepAmIds is false, in walk order', () => {
    const { journeys, outcomesByNode } = importAmExport(read(RESET), { keepAmIds: false });
    const readable = journeys[0]!;
    expect(readable.entryNodeId).toBe('PageNode');
    expect(Object.keys(readable.nodes).sort()).toEqual(['EmailSuspendNode', 'IdentifyExistingUser', 'PageNode', 'PageNode2', 'PatchObject']);
    expect(readable.nodes.IdentifyExistingUser!.connections).toEqual({ false: 'EmailSuspendNode', true: 'EmailSuspendNode' });
    expect(readable.nodes.EmailSuspendNode!.connections).toEqual({ outcome: 'PageNode2' });
    expect(readable.nodes.PatchObject!.connections).toEqual({ FAILURE: 'Failure', PATCHED: 'Success' });
    expect((readable.nodes.PageNode!.config!.nodes as Json[])[0]!._id).toBe('AttributeCollector');
    expect((readable.nodes.PageNode2!.config!.nodes as Json[])[0]!._id).toBe('PlatformPassword');
    expect(outcomesByNode.ResetPassword!.IdentifyExistingUser).toHaveLength(2);
    expect(outcomesByNode.ResetPassword!.PlatformPassword).toHaveLength(1);
  });
});

describe('importAmExport: the other accepted forms', () => {
  const fromFrodo = importAmExport(read(RESET)).journeys[0]!;

  it('reads the legacy single form {meta, tree, nodes, innerNodes, …} like the multi form', () => {
    const single = { meta: { exportTool: 'frodo' }, ...read(RESET).trees.ResetPassword };
    const result = importAmExport(single);
    expect(result.journeys).toEqual([fromFrodo]);
    expect(result.warnings).toEqual([]);
  });

  it('reads raw AM REST responses (tree GET + every node GET, children included)', () => {
    const result = importAmExport(read(REST_FILE));
    const rest = result.journeys[0]!;
    expect(result.warnings).toEqual([]);
    expect(rest.identityResource).toBe('managed/bravo_user');
    expect(rest).toMatchObject({ noSession: false, transactionalOnly: false, mustRun: false });
    expect(rest.nodes[IDENTIFY]).toMatchObject({ version: '1.0', connections: { false: SUSPEND, true: SUSPEND } });
    expect((rest.nodes[PAGE2]!.config!.nodes as Json[])[0]).toEqual({
      _id: '009c19c8-9572-47bb-adb2-1f092c559a43',
      nodeType: 'ValidatedPasswordNode',
      displayName: 'Platform Password',
      config: { passwordAttribute: 'password', validateInput: true },
    });
    // Apart from the realm and AM's version bookkeeping, the same journey as frodo's export of the alpha realm.
    const normalise = (j: Journey): Json => {
      const copy: Json = JSON.parse(JSON.stringify(j).replaceAll('bravo', 'alpha'));
      delete copy.noSession;
      delete copy.transactionalOnly;
      for (const node of Object.values(copy.nodes as Json)) delete node.version;
      return copy;
    };
    expect(normalise(rest)).toEqual(normalise(fromFrodo));
  });

  it('accepts node responses given as an array', () => {
    const rest = read(REST_FILE);
    const asArray = { tree: rest.tree.response, nodes: Object.values(rest.nodes as Json).map((n) => n.response) };
    expect(importAmExport(asArray).journeys).toEqual(importAmExport(rest).journeys);
  });

  it("keeps the Login journey's inner tree reference and warns that ProgressiveProfile is not in the export", () => {
    const result = importAmExport(read(LOGIN));
    const login = result.journeys[0]!;
    expect(login.nodes['33b24514-3e50-4180-8f08-ab6f4e51b07e']).toEqual({
      nodeType: 'InnerTreeEvaluatorNode',
      displayName: 'Inner Tree Evaluator',
      config: { tree: 'ProgressiveProfile' },
      connections: { false: 'Failure', true: 'Success' },
      x: 827,
      y: 13,
    });
    expect(login.nodes['7f0c2aee-8c74-4d02-82a6-9d4ed9d11708']!.connections).toEqual({
      CANCELLED: 'Failure',
      EXPIRED: 'Failure',
      FALSE: '2119f332-0f69-4088-a7a1-6582bf0f2001',
      LOCKED: 'Failure',
      TRUE: 'bba3e0d8-8525-4e82-bf48-ac17f7988917',
    });
    expect(result.warnings).toEqual([
      "journey 'Login': node '33b24514-3e50-4180-8f08-ab6f4e51b07e' (Inner Tree Evaluator) runs journey 'ProgressiveProfile', which is not in this export",
    ]);
  });

  it('imports several trees of one export (an inner tree shipped as a dependency)', () => {
    const multi = { meta: { exportTool: 'frodo' }, trees: { ...read(FORGOTTEN).trees, ...read(LOGIN).trees } };
    const result = importAmExport(multi);
    expect(result.journeys.map((j) => j._id)).toEqual(['ForgottenUsername', 'Login']);
    const inner = Object.values(result.journeys[0]!.nodes).find((n) => n.nodeType === 'InnerTreeEvaluatorNode');
    expect(inner!.config).toEqual({ tree: 'Login' });
    // Login is now part of the export; only Login's own inner tree is missing.
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain("'ProgressiveProfile'");
  });

  it('collects email templates and reports unsupported parts instead of dropping them silently', () => {
    const file = read(RESET);
    const tree = file.trees.ResetPassword;
    const template = { _id: 'emailTemplate/resetPassword', defaultLocale: 'en', subject: { en: 'Reset your password' } };
    tree.emailTemplates = { resetPassword: template };
    tree.scripts = { '01e1a3c0-038b-4c16-956a-6c9d89328cff': { _id: '01e1a3c0-038b-4c16-956a-6c9d89328cff', name: 'x' } };
    tree.themes = [{ _id: 'ee06c9a5-theme', name: 'Starter' }];
    tree.tree.maximumSessionTime = 120;
    const result = importAmExport(file);
    expect(result.emailTemplates).toEqual({ resetPassword: template });
    expect(result.warnings).toEqual([
      "tree 'ResetPassword': 1 scripts (Scripted Decision and other scripted nodes) not imported, Cairn does not support them yet: 01e1a3c0-038b-4c16-956a-6c9d89328cff",
      "tree 'ResetPassword': 1 themes not imported, Cairn does not support them yet: ee06c9a5-theme",
      "tree 'ResetPassword': tree attribute 'maximumSessionTime' dropped, Cairn's journey format has no such field",
    ]);
  });
});

describe('importAmExport: errors', () => {
  it('names tree, page and child when a Page Node child is missing from innerNodes', () => {
    const file = read(RESET);
    delete file.trees.ResetPassword.innerNodes['276afa7c-a680-4cf4-a5f6-d6c78191f5c9'];
    const error = importError(file);
    expect(error.status).toBe(400);
    expect(error.message).toBe(
      "AM export: tree 'ResetPassword', Page Node 'cc3e1ed2-25f1-47bf-83c6-17084f8b2b2b', child '276afa7c-a680-4cf4-a5f6-d6c78191f5c9' (AttributeCollectorNode) is missing from innerNodes",
    );
    expect(error.detail).toEqual({ tree: 'ResetPassword', node: PAGE1, child: '276afa7c-a680-4cf4-a5f6-d6c78191f5c9' });
  });

  it('names the tree and node when a node config is missing', () => {
    const file = read(LOGIN);
    delete file.trees.Login.nodes['51e8c4c1-3509-4635-90e6-d2cc31c4a6a5'];
    expect(importError(file).message).toBe(
      "AM export: tree 'Login', node '51e8c4c1-3509-4635-90e6-d2cc31c4a6a5' (AccountLockoutNode) has no configuration in the export's nodes",
    );
  });

  it('rejects a node whose config is of another type than the tree says', () => {
    const file = read(RESET);
    file.trees.ResetPassword.nodes[PATCH]._type._id = 'CreateObjectNode';
    expect(importError(file).message).toBe(
      `AM export: tree 'ResetPassword', node '${PATCH}' is a PatchObjectNode in the tree but its config is a CreateObjectNode`,
    );
  });

  it('rejects unknown formats with a message saying what is expected', () => {
    expect(importError({ journeys: [] }).message).toMatch(/^Unrecognised AM export: expected a frodo export \{trees: .*found keys journeys$/);
    expect(importError([]).message).toBe('Unrecognised AM export: expected a JSON object, got an array');
    expect(importError(null).message).toBe('Unrecognised AM export: expected a JSON object, got null');
    expect(importError('{"trees":{}}').message).toBe('Unrecognised AM export: expected a JSON object, got string');
    expect(importError({ trees: {} }).message).toBe("AM export: 'trees' is empty");
    expect(importError({ trees: { X: { tree: { _id: 'X', entryNodeId: 'a' } } } }).message).toBe("AM export: tree 'X' has no 'nodes' object");
    expect(importError({ tree: { _id: 'X', entryNodeId: 'a', nodes: { a: { nodeType: 'PageNode', connections: 'b' } } } }).message).toBe(
      "AM export: tree 'X', node 'a': connections must map outcome ids to node ids",
    );
  });
});

describe('round trips', () => {
  const sources = [...frodoFiles, REST_FILE];

  for (const file of sources) {
    it(`import → export → import is lossless for ${file}`, () => {
      for (const options of [{}, { keepAmIds: false }, { terminalNames: false }]) {
        const first = importAmExport(read(file), options);
        const exported = exportAmJourneys(first.journeys, { outcomesByNode: first.outcomesByNode, emailTemplates: first.emailTemplates });
        const second = importAmExport(JSON.parse(JSON.stringify(exported)) as unknown, options);
        expect(sortKeysDeep(second.journeys)).toStrictEqual(sortKeysDeep(first.journeys));
        expect(second.outcomesByNode).toEqual(first.outcomesByNode);
        expect(second.warnings).toEqual(first.warnings);
        // The single-tree shape carries the same tree.
        const single = importAmExport(exportAmTree(first.journeys[0]!), options);
        expect(sortKeysDeep(single.journeys)).toStrictEqual(sortKeysDeep(first.journeys));
      }
    });
  }

  for (const file of frodoFiles) {
    it(`export reproduces frodo's own file ${file} (but for node type display names)`, () => {
      const original = read(file);
      const imported = importAmExport(original);
      const exported = exportAmJourneys(imported.journeys, { outcomesByNode: imported.outcomesByNode, emailTemplates: imported.emailTemplates });
      expect(withoutTypeNames(exported)).toStrictEqual(withoutTypeNames(original));
    });
  }

  it('export reproduces the AM REST responses, without _rev', () => {
    const rest = read(REST_FILE);
    const imported = importAmExport(rest);
    const { tree, nodes, innerNodes } = exportAmTree(imported.journeys[0]!, { outcomes: imported.outcomesByNode.ResetPassword! });
    const { _rev, ...restTree } = rest.tree.response;
    expect(tree).toStrictEqual(sortKeysDeep(restTree));
    const restNodes = Object.values(rest.nodes as Json).map((n) => {
      const { _rev: _r, ...node } = n.response;
      if (Array.isArray(node.nodes)) node.nodes = node.nodes.map(({ nodeVersion: _v, ...ref }: Json) => ref);
      return [node._id, node];
    });
    const ours = { ...nodes, ...innerNodes } as Json;
    // Child nodes' _type.version is not carried (Cairn keeps `version` on tree nodes only).
    for (const id of Object.keys(innerNodes)) ours[id] = { ...ours[id], _type: { ...ours[id]._type, version: '1.0' } };
    expect(ours).toStrictEqual(sortKeysDeep(Object.fromEntries(restNodes)));
  });

  it('gives hand-written readable node ids stable UUIDs and maps terminals to static ids', () => {
    const journey: Journey = {
      _id: 'Mini',
      entryNodeId: 'Ask',
      nodes: {
        Ask: {
          nodeType: 'PageNode',
          config: { nodes: [{ _id: 'User', nodeType: 'ValidatedUsernameNode', config: { validateInput: false } }] },
          connections: { outcome: 'Check' },
        },
        Check: { nodeType: 'DataStoreDecisionNode', connections: { true: 'Success', false: 'Failure' } },
      },
    };
    const { tree, nodes, innerNodes } = exportAmTree(journey);
    const ask = amNodeId('Mini', 'Ask');
    expect(ask).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(amNodeId('Mini', 'Ask')).toBe(ask);
    expect(tree.entryNodeId).toBe(ask);
    expect((tree.nodes as Json)[amNodeId('Mini', 'Check')].connections).toEqual({ false: AM_FAILURE_ID, true: AM_SUCCESS_ID });
    const user = amNodeId('Mini', 'User');
    expect(nodes[ask]!.nodes).toEqual([{ _id: user, displayName: 'ValidatedUsernameNode', nodeType: 'ValidatedUsernameNode' }]);
    expect(innerNodes[user]).toEqual({
      _id: user,
      _type: { _id: 'ValidatedUsernameNode', collection: true, name: 'ValidatedUsernameNode' },
      validateInput: false,
    });
    expect(nodes[amNodeId('Mini', 'Check')]).toEqual({
      _id: amNodeId('Mini', 'Check'),
      _type: { _id: 'DataStoreDecisionNode', collection: true, name: 'DataStoreDecisionNode' },
    });
  });

  it('rejects a malformed journey with a message naming the node', () => {
    const bad = {
      _id: 'Bad',
      entryNodeId: 'A',
      nodes: { A: { nodeType: 'PageNode', config: { nodes: 'x' }, connections: {} } },
    } as unknown as Journey;
    expect(() => exportAmTree(bad)).toThrow("AM export: journey 'Bad', node 'A': config.nodes must be a list of child nodes");
  });
});

describe('fixtures test/fixtures/am/*.json', () => {
  // Regenerate with CAIRN_UPDATE_FIXTURES=1 npx vitest run test/journeys/import-am.test.ts
  const update = process.env.CAIRN_UPDATE_FIXTURES === '1';
  for (const file of frodoFiles) {
    const journey = importAmExport(read(file)).journeys[0]!;
    it(`${journey._id}.json is the current import of ${file}`, () => {
      const path = join(FIXTURES, `${journey._id}.json`);
      if (update) {
        mkdirSync(FIXTURES, { recursive: true });
        writeFileSync(path, JSON.stringify(journey, null, 2) + '\n');
      }
      expect(existsSync(path)).toBe(true);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toStrictEqual(JSON.parse(JSON.stringify(journey)));
    });
  }
});
