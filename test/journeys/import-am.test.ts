/**
 * AM / frodo export ⇄ Cairn journey conversion, on the real exports in the shared reference folder and
 * layouts built from them: the exact ResetPassword structure, every accepted form (frodo multi, legacy,
 * full configuration, AM REST, node-details records, fr-config-manager folders, Amster and file-based
 * config entities), per-journey failures with file and JSON pointer, realms, what is kept from AM,
 * the scripts seam, and round trips (export reproducing frodo's own files). The corpus of real exports
 * from public repositories is imported in corpus.test.ts.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { amNodeId, exportAmJourneys, exportAmTree, sortKeysDeep } from '../../src/journeys/export-am.js';
import { importAm, importAmExport, type AmImportResult } from '../../src/journeys/import-am.js';
import type { ImportSource } from '../../src/journeys/import-sources.js';
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
const ATTRS = '276afa7c-a680-4cf4-a5f6-d6c78191f5c9';
const IDENTIFY = '21b8ddf3-0203-4ae1-ab05-51cf3a3a707a';
const SUSPEND = '06c97be5-7fdd-4739-aea1-ecc7fe082865';
const PAGE2 = 'e4c752f9-c625-48c9-9644-a58802fa9e9c';
const PASSWORD = '009c19c8-9572-47bb-adb2-1f092c559a43';
const PATCH = '989f0bf8-a328-4217-b82b-5275d79ca8bd';

/** The journey without what was kept from AM (`am` fields), to compare forms that carry different amounts of it. */
function withoutAm<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutAm) as T;
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => k !== 'am')
      .map(([k, v]) => [k, withoutAm(v)]),
  ) as T;
}
const only = (r: AmImportResult): Journey => {
  expect(r.failed).toEqual([]);
  expect(r.journeys).toHaveLength(1);
  return r.journeys[0]!.journey;
};
const resetTree = (): Json => read(RESET).trees.ResetPassword;
const allNodes = (part: Json): Json[] => [...Object.values(part.nodes as Json), ...Object.values(part.innerNodes as Json)];

describe('importAmExport: ResetPassword (frodo multi form)', () => {
  const result = importAmExport(read(RESET), { file: 'ResetPassword.journey.json' });
  const journey = result.journeys[0]!.journey;

  it('yields the exact journey, with Page Node children inline and named terminals', () => {
    expect(result.journeys).toHaveLength(1);
    expect(result.issues).toEqual([]);
    expect(result.failed).toEqual([]);
    expect(result.emailTemplates).toEqual({});
    expect(result.journeys[0]).toMatchObject({ file: 'ResetPassword.journey.json', pointer: '/trees/ResetPassword/tree', format: 'frodo' });
    expect(result.files).toEqual([{ file: 'ResetPassword.journey.json', what: 'frodo export', format: 'frodo' }]);
    expect(withoutAm(journey)).toStrictEqual({
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

  it("keeps AM's _type record and _outcomes of every node, Page Node children included", () => {
    expect(journey.nodes[PATCH]!.am).toEqual({
      type: { collection: true, name: 'Patch Object' },
      outcomes: [
        { id: 'PATCHED', displayName: 'Patched' },
        { id: 'FAILURE', displayName: 'Failed' },
      ],
    });
    expect(journey.nodes[IDENTIFY]!.am!.outcomes).toEqual([
      { id: 'true', displayName: 'True' },
      { id: 'false', displayName: 'False' },
    ]);
    const child = (journey.nodes[PAGE2]!.config!.nodes as Json[])[0]!;
    expect(child.am).toEqual({ type: { collection: true, name: 'Platform Password' }, outcomes: [{ id: 'outcome', displayName: 'Outcome' }] });
  });

  it("keeps AM's static ids when terminalNames is false", () => {
    const raw = only(importAmExport(read(RESET), { terminalNames: false }));
    expect(raw.nodes[PATCH]!.connections).toEqual({ FAILURE: AM_FAILURE_ID, PATCHED: AM_SUCCESS_ID });
  });

  it('renames node ids after display names when keepAmIds is false, in walk order', () => {
    const readable = only(importAmExport(read(RESET), { keepAmIds: false }));
    expect(readable.entryNodeId).toBe('PageNode');
    expect(Object.keys(readable.nodes).sort()).toEqual(['EmailSuspendNode', 'IdentifyExistingUser', 'PageNode', 'PageNode2', 'PatchObject']);
    expect(readable.nodes.IdentifyExistingUser!.connections).toEqual({ false: 'EmailSuspendNode', true: 'EmailSuspendNode' });
    expect(readable.nodes.EmailSuspendNode!.connections).toEqual({ outcome: 'PageNode2' });
    expect(readable.nodes.PatchObject!.connections).toEqual({ FAILURE: 'Failure', PATCHED: 'Success' });
    expect((readable.nodes.PageNode!.config!.nodes as Json[])[0]!._id).toBe('AttributeCollector');
    expect((readable.nodes.PageNode2!.config!.nodes as Json[])[0]!._id).toBe('PlatformPassword');
    expect(readable.nodes.IdentifyExistingUser!.am!.outcomes).toHaveLength(2);
  });
});

/** The ResetPassword export laid out as fr-config-manager writes it: a folder per journey, `nodes/` with a folder per page. */
function frConfigManagerLayout(root: string): ImportSource[] {
  const part = resetTree();
  const dir = `${root}/journeys/ResetPassword`;
  const sources: ImportSource[] = [{ file: `${dir}/ResetPassword.json`, json: { ...part.tree, _rev: '1' } }];
  for (const node of Object.values(part.nodes as Json)) {
    const name = `${node._type.name} - ${node._id}`;
    sources.push({ file: `${dir}/nodes/${name}.json`, json: { ...node, _rev: '2' } });
    for (const ref of (node.nodes ?? []) as Json[]) {
      sources.push({ file: `${dir}/nodes/${name}/${ref.displayName} - ${ref._id}.json`, json: part.innerNodes[ref._id] });
    }
  }
  return sources;
}

/** The ResetPassword export as Amster writes it: one `{metadata, data}` entity per file. */
function amsterLayout(): ImportSource[] {
  const part = resetTree();
  const meta = (entityType: string, entityId: string): Json => ({ realm: '/alpha', amsterVersion: '7.5.0', entityType, entityId, pathParams: {} });
  return [
    { file: 'realms/root-alpha/AuthTree/ResetPassword.json', json: { metadata: meta('AuthTree', 'ResetPassword'), data: part.tree } },
    ...allNodes(part).map((n) => ({
      file: `realms/root-alpha/${(n._type.name as string).replace(/ /g, '')}/${n._id}.json`,
      json: { metadata: meta(n._type.name.replace(/ /g, ''), n._id), data: n },
    })),
    {
      file: 'realms/root-alpha/OAuth2Clients/end-user-ui.json',
      json: { metadata: meta('OAuth2Clients', 'end-user-ui'), data: { _id: 'end-user-ui' } },
    },
  ];
}

/** The ResetPassword export as AM's file-based configuration stores it (ids `default/<uuid>`, storage `_type`, children as strings). */
function fileBasedLayout(): ImportSource[] {
  const part = resetTree();
  const meta = (entityType: string, id: string, sunServiceID: string): Json => ({
    realm: '/',
    entityType,
    entityId: `default/${id}`,
    uid: `ou=${id},ou=default`,
    sunServiceID,
    pathParams: {},
  });
  const storageType = (id: string): Json => ({ _id: id, name: id, collection: false });
  const { _id, ...tree } = part.tree;
  return [
    {
      file: 'services/realm/root/authenticationtreesservice/1.0/organizationconfig/default/resetpassword.json',
      json: {
        metadata: meta('authenticationTreesService', 'ResetPassword', 'tree'),
        data: { ...tree, _id: 'default/ResetPassword', _type: storageType('authenticationTreesService') },
      },
    },
    ...allNodes(part).map((n) => {
      const { _id: id, _type, _outcomes, ...settings } = n;
      const data: Json = { ...settings, _id: `default/${id}`, _type: storageType(_type._id), objectType: 'user' };
      if (Array.isArray(n.nodes)) data.nodes = n.nodes.map((c: Json) => `${c._id}:${c.nodeType}:${c.displayName}`);
      return {
        file: `services/realm/root/${(_type._id as string).toLowerCase()}/1.0/organizationconfig/default/${id}.json`,
        json: { metadata: meta(_type._id, id, 'instance'), data },
      };
    }),
    {
      file: 'services/realm/root/pagenode/1.0/organizationconfig/default.json',
      json: {
        metadata: { ...meta('PageNode', '', 'x'), entityId: 'default', sunServiceID: null },
        data: { _id: 'default', _type: storageType('PageNode') },
      },
    },
  ];
}

describe('every accepted form gives the same journey', () => {
  const fromFrodo = only(importAmExport(read(RESET)));

  it('reads the legacy single form {meta, tree, nodes, innerNodes, …} like the multi form', () => {
    const result = importAmExport({ meta: { exportTool: 'frodo' }, ...resetTree() });
    expect(only(result)).toEqual(fromFrodo);
    expect(result.journeys[0]!.format).toBe('frodo-legacy');
    expect(result.issues).toEqual([]);
  });

  it('reads raw AM REST responses (tree GET + every node GET, children included)', () => {
    const result = importAmExport(read(REST_FILE));
    const rest = only(result);
    expect(result.issues).toEqual([]);
    expect(result.journeys[0]!.format).toBe('am-rest');
    expect(rest.identityResource).toBe('managed/bravo_user');
    expect(rest).toMatchObject({ noSession: false, transactionalOnly: false, mustRun: false });
    expect(rest.nodes[IDENTIFY]).toMatchObject({ version: '1.0', connections: { false: SUSPEND, true: SUSPEND } });
    // REST children carry nodeVersion in their page's list: kept for the round trip.
    expect((rest.nodes[PAGE2]!.config!.nodes as Json[])[0]).toMatchObject({ _id: PASSWORD, am: { ref: { nodeVersion: '1.0' } } });
    // Apart from the realm and AM's version bookkeeping, the same journey as frodo's export of the alpha realm.
    const normalise = (j: Journey): Json => {
      const copy: Json = withoutAm(JSON.parse(JSON.stringify(j).replaceAll('bravo', 'alpha')));
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
    expect(importAmExport(asArray).journeys.map((j) => j.journey)).toEqual(importAmExport(rest).journeys.map((j) => j.journey));
  });

  it('reads a tree beside node records {_id, nodeType, details}, as other tools write them', () => {
    const part = resetTree();
    const records = allNodes(part).map(({ _id, _type, _outcomes, ...details }) => ({ _id, nodeType: _type._id, details }));
    const result = importAmExport({ nodes: records, tree: part.tree });
    expect(result.journeys[0]!.format).toBe('node-details');
    // Such records carry no `_type` or `_outcomes`: the journey is frodo's without them.
    expect(only(result)).toEqual(withoutAm(fromFrodo));
  });

  it('reads a fr-config-manager folder (tree file, nodes/ with a folder per page), finding node files beside the tree', () => {
    const result = importAm(frConfigManagerLayout('realms/alpha'));
    expect(only(result)).toEqual(fromFrodo);
    expect(result.journeys[0]).toMatchObject({
      format: 'fr-config-manager',
      realm: 'alpha',
      file: 'realms/alpha/journeys/ResetPassword/ResetPassword.json',
    });
    expect(result.files.filter((f) => f.what === 'node config')).toHaveLength(7);
  });

  it('reads an Amster export (one entity per file), leaving other entities aside', () => {
    const result = importAm(amsterLayout());
    expect(only(result)).toEqual(fromFrodo);
    expect(result.journeys[0]).toMatchObject({ format: 'amster', realm: 'alpha', pointer: '/data' });
    expect(result.files.find((f) => f.file.includes('OAuth2Clients'))!.what).toBe('not journey configuration');
  });

  it("reads AM's file-based configuration ('default/<uuid>' ids, children as '<uuid>:<type>:<name>' strings)", () => {
    const result = importAm(fileBasedLayout());
    const journey = only(result);
    expect(result.journeys[0]).toMatchObject({ format: 'am-file-config', realm: 'root' });
    // The storage records carry no REST envelope, and AM 7.0's `objectType` setting is kept as it is.
    const noObjectType = withoutAm(JSON.parse(JSON.stringify(journey).replaceAll(',"objectType":"user"', '').replaceAll('"objectType":"user",', '')));
    expect(noObjectType).toEqual(withoutAm(fromFrodo));
    expect(journey.nodes[PATCH]!.config).toMatchObject({ objectType: 'user' });
  });

  it('reads the trees of a frodo full configuration export, realm by realm', () => {
    const alpha = resetTree();
    const bravo = structuredClone(alpha);
    bravo.tree.description = 'Bravo reset';
    const full = { global: {}, realm: { 'root-alpha': { trees: { ResetPassword: alpha } }, 'root-bravo': { trees: { ResetPassword: bravo } } } };
    // The same journey name in two realms with different content: Cairn has one realm, so neither is guessed.
    const both = importAmExport(full);
    expect(both.journeys).toEqual([]);
    expect(both.failed.map((f) => [f.journey, f.pointer])).toEqual([
      ['ResetPassword', '/realm/root-alpha/trees/ResetPassword/tree'],
      ['ResetPassword', '/realm/root-bravo/trees/ResetPassword/tree'],
    ]);
    expect(both.failed[0]!.message).toMatch(/several realms \(alpha, bravo\).*import one realm at a time/);
    const chosen = importAmExport(full, { realm: 'bravo' });
    expect(only(chosen).description).toBe('Bravo reset');
    expect(chosen.otherRealms).toEqual([{ journey: 'ResetPassword', realm: 'alpha', file: 'export.json' }]);
  });

  it('imports an inner tree met in several exports of a folder once', () => {
    const login = read(LOGIN);
    const sources = [
      { file: 'a/ForgottenUsername.journey.json', json: { trees: { ...read(FORGOTTEN).trees, ...login.trees } } },
      { file: 'a/Login.journey.json', json: login },
    ];
    const result = importAm(sources);
    expect(result.journeys.map((j) => j.journey._id)).toEqual(['ForgottenUsername', 'Login']);
    expect(result.failed).toEqual([]);
  });
});

describe('per-journey results: a journey that cannot be converted fails alone, named with file and pointer', () => {
  it('names the page and child when a Page Node child is missing, and imports the export’s other journeys', () => {
    const file = { trees: { ...read(RESET).trees, ...read(LOGIN).trees } };
    delete file.trees.ResetPassword.innerNodes[ATTRS];
    const result = importAmExport(file, { file: 'both.json' });
    expect(result.journeys.map((j) => j.journey._id)).toEqual(['Login']);
    expect(result.failed).toEqual([
      {
        journey: 'ResetPassword',
        file: 'both.json',
        pointer: `/trees/ResetPassword/nodes/${PAGE1}/nodes/0`,
        message: `The Page Node '${PAGE1}': its child '${ATTRS}' (AttributeCollectorNode) has no configuration in the import.`,
      },
    ]);
    expect(result.issues).toContainEqual({ severity: 'error', ...result.failed[0]!, journey: 'ResetPassword' });
  });

  it('names the tree node when a node config is missing', () => {
    const file = read(LOGIN);
    delete file.trees.Login.nodes['51e8c4c1-3509-4635-90e6-d2cc31c4a6a5'];
    expect(importAmExport(file).failed).toEqual([
      {
        journey: 'Login',
        file: 'export.json',
        pointer: '/trees/Login/tree/nodes/51e8c4c1-3509-4635-90e6-d2cc31c4a6a5',
        message: "The node '51e8c4c1-3509-4635-90e6-d2cc31c4a6a5' (AccountLockoutNode) has no configuration in the import.",
      },
    ]);
  });

  it('rejects a node whose config is of another type than the tree says', () => {
    const file = read(RESET);
    file.trees.ResetPassword.nodes[PATCH]._type._id = 'CreateObjectNode';
    expect(importAmExport(file).failed[0]!.message).toBe(
      `The node '${PATCH}' is a PatchObjectNode in the tree but its configuration (export.json#/trees/ResetPassword/nodes/${PATCH}) is a CreateObjectNode.`,
    );
  });

  it('answers what is not an export with a sentence saying what is expected, never a throw', () => {
    const error = (json: unknown): string | undefined => importAmExport(json).issues.find((i) => i.severity === 'error')?.message;
    expect(error({ journeys: [] })).toMatch(/^Unrecognised AM export: expected a frodo export \{trees: .*found keys journeys\.$/);
    expect(error([])).toBe('Unrecognised AM export: expected a JSON object, got an array.');
    expect(error(null)).toBe('Unrecognised AM export: expected a JSON object, got null.');
    expect(error({ trees: 'x' })).toBe("'trees' must be an object of tree name → tree export.");
    expect(importAmExport({ trees: { X: { tree: { _id: 'X', entryNodeId: 'a' } } } }).failed[0]!.message).toBe("The tree 'X' has no 'nodes' object.");
    const bad = { tree: { _id: 'X', entryNodeId: 'a', nodes: { a: { nodeType: 'PageNode', connections: 'b' } } } };
    expect(importAmExport(bad).failed[0]).toMatchObject({
      pointer: '/tree/nodes/a/connections',
      message: "The node 'a': connections must map outcome ids to node ids.",
    });
    expect(importAm([{ file: 'broken.json', text: '{"trees": ' }]).issues[0]).toMatchObject({
      file: 'broken.json',
      severity: 'error',
      message: expect.stringMatching(/^The file is not valid JSON/),
    });
  });

  it('lists the files of a folder that hold no journey configuration without calling them errors', () => {
    const result = importAm([...frConfigManagerLayout('x'), { file: 'x/cors/cors.json', json: { allowedOrigins: [] } }]);
    expect(result.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(result.files.find((f) => f.file === 'x/cors/cors.json')!.what).toBe('not journey configuration');
  });
});

describe('what AM exported that Cairn does not use is kept, not refused', () => {
  it('keeps newer settings, tree attributes and reference fields, and reports parts Cairn does not import', () => {
    const file = read(RESET);
    const tree = file.trees.ResetPassword;
    tree.nodes[PAGE1].prepopulate = true;
    tree.tree.maximumSessionTime = 120;
    tree.tree.nodes[IDENTIFY].nodeVersion = '2.0';
    tree.themes = [{ _id: 'ee06c9a5-theme', name: 'Starter' }];
    const template = { _id: 'emailTemplate/resetPassword', defaultLocale: 'en', subject: { en: 'Reset your password' } };
    tree.emailTemplates = { resetPassword: template };
    const result = importAmExport(file);
    const journey = only(result);
    expect(journey.nodes[PAGE1]!.config!.prepopulate).toBe(true);
    expect(journey.am).toEqual({ maximumSessionTime: 120 });
    expect(journey.nodes[IDENTIFY]!.am!.ref).toEqual({ nodeVersion: '2.0' });
    expect(result.emailTemplates).toEqual({ resetPassword: template });
    expect(result.issues.map((i) => [i.severity, i.pointer, i.message])).toEqual([
      ['warning', '/trees/ResetPassword/themes', '1 themes not imported, Cairn does not support them yet: ee06c9a5-theme.'],
    ]);
    // … and all of it goes back to AM.
    const back = exportAmJourneys([journey]).trees.ResetPassword!;
    expect(back.tree.maximumSessionTime).toBe(120);
    expect((back.tree.nodes as Json)[IDENTIFY].nodeVersion).toBe('2.0');
    expect(back.nodes[PAGE1]!.prepopulate).toBe(true);
  });

  it('keeps the identity resource as exported (managed/alpha_user stays managed/alpha_user)', () => {
    const journey = only(importAmExport(read(RESET)));
    expect(journey.identityResource).toBe('managed/alpha_user');
    expect(exportAmJourneys([journey]).trees.ResetPassword!.tree.identityResource).toBe('managed/alpha_user');
  });
});

describe('scripts are returned for src/scripts/ to write, never written by the importer', () => {
  const body = "outcome = 'true';\n// é\n";
  const record = {
    _id: 'c5717943-0000-4000-8000-000000000001',
    name: 'Check',
    context: 'AUTHENTICATION_TREE_DECISION_NODE',
    language: 'JAVASCRIPT',
    evaluatorVersion: '1.0',
    default: false,
  };

  it('decodes base64 and line-array bodies of frodo exports, keeping every other field of the record', () => {
    const file = read(RESET);
    file.trees.ResetPassword.scripts = {
      [record._id]: { ...record, script: Buffer.from(body).toString('base64') },
      'c5717943-0000-4000-8000-000000000002': { ...record, _id: 'c5717943-0000-4000-8000-000000000002', name: 'Lines', script: body.split('\n') },
    };
    const { scripts } = importAmExport(file);
    expect(scripts.map((s) => [s._id, s.name, s.exportEncoding, s.source])).toEqual([
      [record._id, 'Check', 'base64', body],
      ['c5717943-0000-4000-8000-000000000002', 'Lines', 'lines', body],
    ]);
    expect(scripts[0]!.record).toEqual(record);
    expect(scripts[0]!.pointer).toBe(`/trees/ResetPassword/scripts/${record._id}`);
  });

  it('reads bodies kept in files: fr-config-manager scripts-content, frodo file:// references', () => {
    const result = importAm([
      {
        file: 'realms/alpha/scripts/scripts-config/s1.json',
        json: { ...record, _id: 's1', script: { file: 'scripts-content/AUTHENTICATION_TREE_DECISION_NODE/Check.js' } },
      },
      { file: 'realms/alpha/scripts/scripts-content/AUTHENTICATION_TREE_DECISION_NODE/Check.js', text: body },
      { file: 'realm/root-alpha/script/Check.script.json', json: { script: { s2: { ...record, _id: 's2', script: "'file://Check.script.js'" } } } },
      { file: 'realm/root-alpha/script/Check.script.js', text: body },
    ]);
    expect(result.scripts.map((s) => [s._id, s.exportEncoding, s.source, s.realm])).toEqual([
      ['s1', 'file', body, 'alpha'],
      ['s2', 'file', body, 'alpha'],
    ]);
    expect(result.scripts[0]!.bodyFile).toBe('realms/alpha/scripts/scripts-content/AUTHENTICATION_TREE_DECISION_NODE/Check.js');
  });
});

describe('round trips', () => {
  const sources = [...frodoFiles, REST_FILE];

  for (const file of sources) {
    it(`import → export → import is lossless for ${file}`, () => {
      for (const options of [{}, { keepAmIds: false }, { terminalNames: false }]) {
        const first = importAmExport(read(file), options);
        const journeys = first.journeys.map((j) => j.journey);
        const exported = exportAmJourneys(journeys, { emailTemplates: first.emailTemplates });
        const second = importAmExport(JSON.parse(JSON.stringify(exported)) as unknown, options);
        expect(sortKeysDeep(second.journeys.map((j) => j.journey))).toStrictEqual(sortKeysDeep(journeys));
        expect(first.issues).toEqual([]);
        expect(second.issues).toEqual([]);
        // The single-tree shape carries the same tree.
        const single = importAmExport(exportAmTree(journeys[0]!), options);
        expect(sortKeysDeep(single.journeys.map((j) => j.journey))).toStrictEqual(sortKeysDeep(journeys));
      }
    });
  }

  for (const file of frodoFiles) {
    it(`export gives back frodo's own file ${file}`, () => {
      const original = read(file);
      const imported = importAmExport(original);
      const exported = exportAmJourneys(
        imported.journeys.map((j) => j.journey),
        { emailTemplates: imported.emailTemplates },
      );
      expect(exported).toStrictEqual(sortKeysDeep(original));
    });
  }

  it('export gives back the AM REST responses, without _rev', () => {
    const rest = read(REST_FILE);
    const { tree, nodes, innerNodes } = exportAmTree(only(importAmExport(rest)));
    const { _rev, ...restTree } = rest.tree.response;
    expect(tree).toStrictEqual(sortKeysDeep(restTree));
    const restNodes = Object.values(rest.nodes as Json).map((n) => {
      const { _rev: _r, ...node } = n.response;
      return [node._id, node];
    });
    expect({ ...nodes, ...innerNodes }).toStrictEqual(sortKeysDeep(Object.fromEntries(restNodes)));
  });

  it("gives hand-written journeys stable UUIDs, AM's type names, and outcomes from the node registry", () => {
    const journey: Journey = {
      _id: 'Mini',
      entryNodeId: 'Ask',
      nodes: {
        Ask: {
          nodeType: 'PageNode',
          config: { nodes: [{ _id: 'User', nodeType: 'ValidatedUsernameNode', config: { validateInput: false } }] },
          connections: { outcome: 'Check' },
        },
        Check: { nodeType: 'DataStoreDecisionNode', connections: { true: 'Success', false: 'Failure', other: 'elsewhere' } },
      },
    };
    const outcomesOf = (type: string) =>
      type === 'DataStoreDecisionNode'
        ? [
            { id: 'true', displayName: 'True' },
            { id: 'false', displayName: 'False' },
          ]
        : undefined;
    const { tree, nodes, innerNodes } = exportAmTree(journey, { outcomesOf });
    const ask = amNodeId('Mini', 'Ask');
    expect(ask).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(amNodeId('Mini', 'Ask')).toBe(ask);
    expect(tree.entryNodeId).toBe(ask);
    // A connection to something that is not a node of the journey is written as it is.
    expect((tree.nodes as Json)[amNodeId('Mini', 'Check')].connections).toEqual({ false: AM_FAILURE_ID, other: 'elsewhere', true: AM_SUCCESS_ID });
    const user = amNodeId('Mini', 'User');
    expect(nodes[ask]!.nodes).toEqual([{ _id: user, displayName: 'Platform Username', nodeType: 'ValidatedUsernameNode' }]);
    expect(innerNodes[user]).toEqual({
      _id: user,
      _type: { _id: 'ValidatedUsernameNode', collection: true, name: 'Platform Username' },
      validateInput: false,
    });
    expect(nodes[amNodeId('Mini', 'Check')]).toEqual({
      _id: amNodeId('Mini', 'Check'),
      _outcomes: [
        { displayName: 'True', id: 'true' },
        { displayName: 'False', id: 'false' },
      ],
      _type: { _id: 'DataStoreDecisionNode', collection: true, name: 'Data Store Decision' },
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
    const journey = only(importAmExport(read(file)));
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
