/**
 * Journey validation: the schema pass, node config schemas with defaults, and the graph rules, each
 * problem with its JSON pointer; and `cairn journeys validate` through the real command line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateJourneys, type Problem } from '../../src/journeys/validate.js';
import { createNodeRegistry } from '../../src/nodes/index.js';
import { cairn, ROOT } from '../support/cli.js';

const registry = createNodeRegistry();
const check = (...journeys: unknown[]) =>
  validateJourneys(
    journeys.map((json, i) => ({ file: `j${i}.json`, json })),
    registry,
  );
const errors = (problems: Problem[]) => problems.filter((p) => p.severity === 'error').map((p) => [p.pointer, p.message]);
const cli = cairn;

const simple = (nodes: Record<string, unknown>, entryNodeId = 'a') => ({ _id: 'T', entryNodeId, nodes });

describe('journey validation', () => {
  it('accepts a valid journey and fills config defaults', () => {
    const r = check(simple({ a: { nodeType: 'ValidatedUsernameNode', connections: { outcome: 'Success' } } }));
    expect(r.problems).toEqual([]);
    expect(r.journeys.get('T')?.nodes.get('a')?.config).toEqual({ validateInput: false, usernameAttribute: 'userName' });
    expect(r.journeys.get('T')?.identityResource).toBe('managed/user');
  });

  it('reports schema mistakes with JSON pointers and plain sentences', () => {
    const r = check({ _id: 'T', entryNodeId: 'a', nodes: { a: { nodeType: 'MessageNode', connections: {}, colour: 'red' } }, enabled: 'yes' });
    expect(errors(r.problems)).toEqual(
      expect.arrayContaining([
        ['/nodes/a/colour', '"colour" is not a known setting here.'],
        ['/enabled', 'Must be true or false, found the string "yes".'],
      ]),
    );
  });

  it('checks the graph: entry, targets, unconnected and unknown outcomes, reachability', () => {
    const r = check(
      simple(
        {
          a: { nodeType: 'MessageNode', connections: { true: 'nowhere', maybe: 'Success' } },
          lonely: { nodeType: 'UsernameCollectorNode', connections: { outcome: 'Success' } },
        },
        'missing',
      ),
    );
    const msgs = r.problems.map((p) => `${p.severity} ${p.pointer} ${p.message}`);
    expect(msgs).toEqual(
      expect.arrayContaining([
        'error /entryNodeId The entry node "missing" does not exist in this journey.',
        'error /nodes/a/connections/true The connection "true" goes to "nowhere", which is neither a node of this journey nor Success or Failure.',
        'error /nodes/a/connections/maybe "maybe" is not an outcome of MessageNode; its outcomes are "true", "false".',
        'warning /nodes/a/connections The outcome "false" (False) of "a" is not connected; a journey that takes it fails there, as in AM.',
      ]),
    );
    const r2 = check(
      simple({
        a: { nodeType: 'UsernameCollectorNode', connections: { outcome: 'Success' } },
        lonely: { nodeType: 'UsernameCollectorNode', connections: { outcome: 'Success' } },
      }),
    );
    expect(r2.problems).toEqual([
      { file: 'j0.json', pointer: '/nodes/lonely', message: 'The node "lonely" cannot be reached from the entry node.', severity: 'warning' },
    ]);
    expect(r2.journeys.has('T')).toBe(true); // warnings do not reject a journey
  });

  it('enforces the Page Node children rules', () => {
    const r = check(
      simple({
        a: {
          nodeType: 'PageNode',
          config: {
            nodes: [
              { _id: 'm', nodeType: 'MessageNode' },
              { _id: 'p', nodeType: 'PageNode', config: { nodes: [] } },
              { _id: 'i', nodeType: 'InnerTreeEvaluatorNode', config: { tree: 'X' } },
              { _id: 'u', nodeType: 'UsernameCollectorNode', config: { bogus: 1 } },
            ],
          },
          connections: {},
        },
      }),
    );
    expect(errors(r.problems)).toEqual(
      expect.arrayContaining([
        ['/nodes/a/config/nodes/0', '"m" (MessageNode) may send several callbacks, so it must be the last node of its page.'],
        ['/nodes/a/config/nodes/1/nodeType', 'A PageNode cannot be placed inside a Page Node.'],
        ['/nodes/a/config/nodes/2/nodeType', 'A InnerTreeEvaluatorNode cannot be placed inside a Page Node.'],
      ]),
    );
    expect(r.problems).toContainEqual({
      file: 'j0.json',
      pointer: '/nodes/a/config/nodes/3/config/bogus',
      message: '"bogus" is a setting Cairn\'s UsernameCollectorNode does not use: kept, no effect.',
      severity: 'warning',
    });
  });

  it('keeps settings AM has that Cairn does not use, with a warning, and hints at a likely typo', () => {
    const r = check(
      simple({
        a: {
          nodeType: 'ValidatedUsernameNode',
          config: { prepopulate: true, validateInputs: true, usernameAttribute: 'mail' },
          connections: { outcome: 'Success' },
        },
      }),
    );
    expect(r.problems.map((p) => [p.severity, p.pointer, p.message])).toEqual([
      ['warning', '/nodes/a/config/prepopulate', '"prepopulate" is a setting Cairn\'s ValidatedUsernameNode does not use: kept, no effect.'],
      [
        'warning',
        '/nodes/a/config/validateInputs',
        '"validateInputs" is a setting Cairn\'s ValidatedUsernameNode does not use: kept, no effect. (Did you mean "validateInput"?)',
      ],
    ]);
    // The journey runs; the engine sees the settings it knows (with defaults), the file keeps them all.
    const journey = r.journeys.get('T')!;
    expect(journey.nodes.get('a')!.config).toEqual({ usernameAttribute: 'mail', validateInput: false });
    expect(journey.source.nodes.a!.config).toMatchObject({ prepopulate: true });
  });

  it('names the node types Cairn does not run, with the reason and what to do', () => {
    const r = check(
      simple(
        {
          saml: { nodeType: 'product-Saml2Node', connections: {} },
          push: { nodeType: 'PushRegistrationNode', connections: {} },
          script: { nodeType: 'ConfigProviderNode', am: { type: { name: 'Configuration Provider' } }, connections: {} },
          social: { nodeType: 'SocialProviderHandlerNodeV2', connections: {} },
          later: { nodeType: 'AgentDataStoreDecisionNode', connections: {} },
          designed: { nodeType: 'designer-4b76e2122a0541498f380072cd115683', am: { type: { name: 'Debug' } }, connections: {} },
          market: { nodeType: 'LegacyFRLogin', am: { type: { name: 'Legacy-FR-Login' } }, connections: {} },
          typo: { nodeType: 'MessageNodes', connections: {} },
        },
        'saml',
      ),
    );
    expect(errors(r.problems)).toEqual([
      ['/nodes/saml/nodeType', '"product-Saml2Node" (SAML2 Authentication) is not supported by Cairn (SAML2 federation); replace it or remove it.'],
      ['/nodes/push/nodeType', '"PushRegistrationNode" (Push Registration) is not supported by Cairn (push notifications); replace it or remove it.'],
      [
        '/nodes/script/nodeType',
        '"ConfigProviderNode" (Configuration Provider) is not supported by Cairn yet (journey scripts); replace it or remove it.',
      ],
      [
        '/nodes/social/nodeType',
        '"SocialProviderHandlerNodeV2" (Social Provider Handler Node) is not supported by Cairn yet (social sign-in); replace it or remove it.',
      ],
      ['/nodes/later/nodeType', '"AgentDataStoreDecisionNode" (Agent Data Store Decision) is not supported by Cairn yet; replace it or remove it.'],
      [
        '/nodes/designed/nodeType',
        '"designer-4b76e2122a0541498f380072cd115683" (Debug) is a custom node made with AM\'s node designer, which Cairn does not run; replace it or remove it.',
      ],
      [
        '/nodes/market/nodeType',
        '"LegacyFRLogin" (Legacy-FR-Login) is not an AM node type Cairn knows (a custom or marketplace node?); replace it or remove it.',
      ],
      ['/nodes/typo/nodeType', 'Unknown node type "MessageNodes"; did you mean "MessageNode"?'],
    ]);
  });

  it('keeps a connection for an outcome AM declares but Cairn never takes, with a warning', () => {
    const r = check(
      simple({
        a: {
          nodeType: 'MessageNode',
          connections: { true: 'Success', false: 'Failure', later: 'Failure' },
          am: { outcomes: [{ id: 'true' }, { id: 'false' }, { id: 'later' }] },
        },
      }),
    );
    expect(r.problems.filter((p) => p.pointer === '/nodes/a/connections/later')).toEqual([
      {
        file: 'j0.json',
        pointer: '/nodes/a/connections/later',
        severity: 'warning',
        message:
          '"later" is an outcome AM declares for this node, but Cairn\'s MessageNode never takes it (its outcomes are "true", "false"); the connection is kept, unused.',
      },
    ]);
  });

  it("gives the Inner Tree Evaluator AM's error outcome when displayErrorOutcome is on, and only then", () => {
    const inner = {
      _id: 'Inner',
      innerTreeOnly: true,
      entryNodeId: 'm',
      nodes: { m: { nodeType: 'MessageNode', connections: { true: 'Success', false: 'Failure' } } },
    };
    const outer = (displayErrorOutcome: boolean) =>
      simple({
        a: {
          nodeType: 'InnerTreeEvaluatorNode',
          config: { tree: 'Inner', displayErrorOutcome },
          connections: { true: 'Success', false: 'Failure', error: 'Failure' },
        },
      });
    const on = validateJourneys(
      [
        { file: 'j0.json', json: outer(true) },
        { file: 'Inner.json', json: inner },
      ],
      registry,
    );
    expect(on.problems.filter((p) => p.file === 'j0.json')).toEqual([]);
    expect(
      on.journeys
        .get('T')!
        .nodes.get('a')!
        .outcomes.map((o) => o.id),
    ).toEqual(['true', 'false', 'error']);
    const off = validateJourneys(
      [
        { file: 'j0.json', json: outer(false) },
        { file: 'Inner.json', json: inner },
      ],
      registry,
    );
    expect(off.problems.filter((p) => p.file === 'j0.json' && p.severity === 'error').map((p) => p.pointer)).toEqual(['/nodes/a/connections/error']);
  });

  it("runs an AIC realm's journey on Cairn's managed objects while the file keeps AM's names", () => {
    const r = check({
      _id: 'T',
      identityResource: 'managed/alpha_user',
      entryNodeId: 'a',
      nodes: {
        a: {
          nodeType: 'PatchObjectNode',
          config: { identityResource: 'managed/alpha_user' },
          connections: { PATCHED: 'Success', FAILURE: 'Failure' },
        },
        b: {
          nodeType: 'CreateObjectNode',
          config: { identityResource: 'managed/bravo_user' },
          connections: { CREATED: 'Success', FAILURE: 'Failure' },
        },
      },
    });
    const journey = r.journeys.get('T')!;
    expect(journey.identityResource).toBe('managed/user');
    expect(journey.nodes.get('a')!.config.identityResource).toBe('managed/user');
    // A node whose resource differs from its journey's stays different, so it fails at run time as in AM.
    expect(journey.nodes.get('b')!.config.identityResource).toBe('managed/bravo_user');
    expect(journey.source.identityResource).toBe('managed/alpha_user');
  });

  it("takes a page's outcomes from its last child and allows value collectors anywhere", () => {
    const r = check(
      simple({
        a: {
          nodeType: 'PageNode',
          config: {
            nodes: [
              { _id: 'attrs', nodeType: 'AttributeCollectorNode', config: { attributesToCollect: ['givenName', 'sn'] } },
              { _id: 'choose', nodeType: 'ChoiceCollectorNode', config: { choices: ['x', 'y'], defaultChoice: 'x' } },
            ],
          },
          connections: { x: 'Success', y: 'Failure' },
        },
      }),
    );
    expect(r.problems).toEqual([]);
    expect(
      r.journeys
        .get('T')
        ?.nodes.get('a')
        ?.outcomes.map((o) => o.id),
    ).toEqual(['x', 'y']);
  });

  it('checks inner-tree references and recursion across journeys', () => {
    const inner = (id: string, tree: string) => ({
      _id: id,
      entryNodeId: 'i',
      nodes: { i: { nodeType: 'InnerTreeEvaluatorNode', config: { tree }, connections: { true: 'Success', false: 'Failure' } } },
    });
    const r = check(inner('A', 'B'), inner('B', 'A'), inner('C', 'Missing'));
    const msgs = errors(r.problems);
    expect(msgs).toEqual(
      expect.arrayContaining([
        ['/nodes', 'Inner trees recurse: A → B → A.'],
        ['/nodes', 'Inner trees recurse: B → A → B.'],
        ['/nodes/i/config/tree', 'The journey "Missing" does not exist.'],
      ]),
    );
    expect(r.journeys.size).toBe(0);
  });

  it('reports duplicate ids, bad JSON and terminal names used as node ids', () => {
    const r = validateJourneys(
      [
        { file: 'bad.json', text: '{ "_id": ' },
        { file: 'a.json', json: simple({ a: { nodeType: 'UsernameCollectorNode', connections: { outcome: 'Success' } } }) },
        {
          file: 'b.json',
          json: simple({
            a: { nodeType: 'UsernameCollectorNode', connections: { outcome: 'Success' } },
            Success: { nodeType: 'UsernameCollectorNode', connections: { outcome: 'Success' } },
          }),
        },
      ],
      registry,
    );
    const msgs = r.problems.map((p) => `${p.file}#${p.pointer} ${p.message}`);
    expect(msgs.some((m) => m.startsWith('bad.json# The file is not valid JSON'))).toBe(true);
    expect(msgs).toContain('b.json#/_id The journey id "T" is also used by a.json.');
    expect(msgs).toContain('b.json#/nodes/Success "Success" names a terminal and cannot be used as a node id.');
  });
});

describe('cairn journeys validate', () => {
  it('exits 0 on the shipped journeys', async () => {
    const r = await cli('journeys', 'validate', 'journeys/');
    expect(r.stdout).toMatch(/0 errors/);
    expect(r.code).toBe(0);
  });

  it('prints each of three independent mistakes with its pointer and exits 1', async () => {
    const r = await cli('journeys', 'validate', 'test/fixtures/invalid/ThreeMistakes.json');
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    const file = join(ROOT, 'test/fixtures/invalid/ThreeMistakes.json');
    expect(lines.filter((l) => l.startsWith('error:'))).toEqual([
      expect.stringMatching(
        new RegExp(`^error: ${file}#/nodes/askPassword/nodeType: Unknown node type "PasswordCollector"; did you mean "PasswordCollectorNode"\\?`),
      ),
      `error: ${file}#/nodes/choose/config/defaultChoice: Must be a string, found number 2.`,
      `error: ${file}#/nodes/choose/connections/b: The connection "b" goes to "finish", which is neither a node of this journey nor Success or Failure.`,
    ]);
    expect(lines.at(-1)).toBe('1 file checked: 0 valid, 3 errors, 0 warnings.');
  });

  it('answers bad usage with a message, not a trace', async () => {
    const missing = await cli('journeys', 'validate', 'no/such/dir');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no/such/dir: no such file or directory');
    const none = await cli('journeys', 'validate');
    expect(none.code).toBe(2);
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('there is no command "frobnicate"');
    expect(`${missing.stderr}${none.stderr}${unknown.stderr}`).not.toMatch(/\bat .*\.js:\d+/);
  });
});

describe('the editor schema', () => {
  it('is committed up to date with the node registry', async () => {
    const r = await cli('journeys', 'schema');
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(join(ROOT, 'schemas', 'journey.schema.json'), 'utf8')));
  });
});
