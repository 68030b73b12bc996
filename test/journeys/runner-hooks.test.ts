/**
 * What the runner does for the nodes of issue 15, through real journeys: effects held back until
 * Success (Set Persistent Cookie's cookie) and dropped on Failure; the session the journey asks for
 * (Set Session Properties) in the success result; the Inner Tree Evaluator's `error` outcome; Page Node
 * 2.0's `<childId>-<outcome>` outcomes; transient state kept through a suspension.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Callback } from '../../src/callbacks/types.js';
import { buildCatalog } from '../../src/journeys/catalog.js';
import {
  JourneyRunner,
  type LifecycleRecord,
  type PersistedJourney,
  type RunnerDeps,
  type StepInput,
  type StepResult,
} from '../../src/journeys/runner.js';
import { createNodeRegistry, NODE_DESCRIPTORS } from '../../src/nodes/index.js';
import { CairnError } from '../../src/errors/cairn-error.js';
import { defineNode } from '../../src/nodes/types.js';
import { createNodeTestbed, type NodeTestbed } from '../support/node-context.js';

let testbed: NodeTestbed;
beforeAll(async () => void (testbed = await createNodeTestbed({ users: [{ _id: 'u-1', userName: 'bjensen', mail: 'b@example.com' }] })));
afterAll(() => testbed.close());

const failing = defineNode<{ exposed: boolean }>({
  type: 'FailingTestNode',
  displayName: 'Failing (test)',
  configSchema: { type: 'object', additionalProperties: false, properties: { exposed: { type: 'boolean', default: false } } },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],
  process: async (ctx) => {
    throw ctx.config.exposed
      ? new CairnError({ status: 500, code: 'test', message: 'The directory is down.', expose: true })
      : new Error('secret internals');
  },
});
const registry = createNodeRegistry([...NODE_DESCRIPTORS, failing]);

function runnerFor(journeys: Record<string, unknown>[], deps: Partial<RunnerDeps> = {}) {
  const { catalog, problems } = buildCatalog(
    journeys.map((j) => ({ file: `${String(j._id)}.json`, json: j })),
    registry,
  );
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  return new JourneyRunner({ catalog, services: testbed.services, ...deps });
}

const en: StepInput = { locales: ['en'], request: { headers: {}, query: {}, clientIp: '192.0.2.1' } };
const wire = (s: PersistedJourney): PersistedJourney => JSON.parse(JSON.stringify(s)) as PersistedJourney;
const answer = (callbacks: Callback[], values: unknown[]): Callback[] =>
  callbacks.map((cb, i) => ({
    ...structuredClone(cb),
    input: (cb.input ?? []).map((f, j) => ({ name: f.name, value: j === 0 && values[i] !== undefined ? values[i] : f.value })),
  }));
const callbacksOf = (r: StepResult): Callback[] => {
  expect(r.type).toBe('callbacks');
  return (r as Extract<StepResult, { type: 'callbacks' }>).callbacks;
};

const remember = (ok: string) => ({
  _id: 'Remember',
  entryNodeId: 'name',
  nodes: {
    name: { nodeType: 'UsernameCollectorNode', connections: { outcome: 'props' } },
    props: {
      nodeType: 'SetSessionPropertiesNode',
      config: { properties: { department: 'sales' }, maxIdleTime: 7 },
      connections: { outcome: 'cookie' },
    },
    cookie: { nodeType: 'SetPersistentCookieNode', connections: { outcome: 'confirm' } },
    confirm: { nodeType: 'MessageNode', config: { message: { en: 'Stay?' } }, connections: { true: ok, false: 'Failure' } },
  },
});

describe('effects held back until Success, and the session the journey asks for', () => {
  it('releases the cookie and the session draft only when the journey succeeds', async () => {
    const runner = runnerFor([remember('Success')]);
    const s1 = await runner.start('Remember', en);
    const s2 = await runner.next(wire(s1.snapshot), answer(callbacksOf(s1), ['bjensen']), en);
    expect(s2.effects.filter((e) => e.type === 'cookie')).toEqual([]); // not on the step that ran the node
    const yes = await runner.next(wire(s2.snapshot), answer(callbacksOf(s2), [undefined, 0]), en);
    expect(yes.type).toBe('success');
    expect(yes.effects).toEqual([expect.objectContaining({ type: 'cookie', name: 'session-jwt', atSuccess: true })]);
    expect(yes).toMatchObject({ session: { properties: { department: 'sales' }, maxIdleMinutes: 7 } });
    const no = await runner.next(wire(s2.snapshot), answer(callbacksOf(s2), [undefined, 1]), en);
    expect(no.type).toBe('failure');
    expect(no.effects).toEqual([]);
  });
});

describe("the Inner Tree Evaluator's error outcome", () => {
  const inner = (exposed = false) => ({
    _id: 'Inner',
    innerTreeOnly: true,
    entryNodeId: 'boom',
    nodes: { boom: { nodeType: 'FailingTestNode', displayName: 'Boom', config: { exposed }, connections: { outcome: 'Success' } } },
  });
  const outer = (displayErrorOutcome: boolean, error?: string) => ({
    _id: 'Outer',
    entryNodeId: 'run',
    nodes: {
      run: {
        nodeType: 'InnerTreeEvaluatorNode',
        config: { tree: 'Inner', displayErrorOutcome },
        connections: { true: 'Success', false: 'Failure', ...(error ? { error } : {}) },
      },
      handled: { nodeType: 'MessageNode', config: { message: { en: 'Something went wrong' } }, connections: { true: 'Success', false: 'Failure' } },
    },
  });

  it('leaves by error, with errorNode and errorMessage in shared state, when displayErrorOutcome is on', async () => {
    const errors: unknown[] = [];
    const records: LifecycleRecord[] = [];
    const runner = runnerFor([outer(true, 'handled'), inner()], { onNodeError: (e) => errors.push(e), lifecycle: (r) => void records.push(r) });
    const r = await runner.start('Outer', en);
    expect(r.type).toBe('callbacks');
    expect(r.snapshot.machine.value).toBe('handled');
    expect(r.snapshot.machine.context.shared).toMatchObject({
      errorNode: { id: 'boom', displayName: 'Boom', type: 'FailingTestNode' },
      errorMessage: 'Boom failed.',
    });
    expect(JSON.stringify(r.snapshot)).not.toContain('secret internals');
    expect(String(errors[0])).toContain('secret internals'); // reported, as every node error is
    expect(records).toContainEqual(expect.objectContaining({ type: 'journey.node.outcome', node: 'run', outcome: 'error' }));
    const exposed = await runnerFor([outer(true, 'handled'), inner(true)]).start('Outer', en);
    expect(exposed.snapshot.machine.context.shared['errorMessage']).toBe('The directory is down.');
  });

  it('fails the journey when the error outcome is off, or on but not connected', async () => {
    for (const journey of [outer(false), outer(true)]) {
      const r = await runnerFor([journey, inner()]).start('Outer', en);
      expect(r).toMatchObject({ type: 'failure', message: 'Login failure' });
    }
  });

  it('the innermost evaluator that shows the error takes it', async () => {
    const middle = {
      _id: 'Middle',
      innerTreeOnly: true,
      entryNodeId: 'run',
      nodes: { run: { nodeType: 'InnerTreeEvaluatorNode', config: { tree: 'Inner' }, connections: { true: 'Success', false: 'Failure' } } },
    };
    const top = outer(true, 'handled');
    (top.nodes.run.config as { tree: string }).tree = 'Middle';
    const r = await runnerFor([top, middle, inner()]).start('Outer', en);
    expect(r.snapshot.machine.value).toBe('handled');
  });
});

describe('Page Node 2.0', () => {
  it('leaves by `<childId>-<outcome>`, as PingOne AIC names the outcomes', async () => {
    const runner = runnerFor([
      {
        _id: 'Page2',
        entryNodeId: 'page',
        nodes: {
          page: {
            nodeType: 'PageNode',
            version: '2.0',
            config: { nodes: [{ _id: 'e4c5071f-acc8-47c9-b097-5c4144170742', nodeType: 'UsernameCollectorNode' }] },
            connections: { 'e4c5071f-acc8-47c9-b097-5c4144170742-outcome': 'Success' },
          },
        },
      },
    ]);
    const s1 = await runner.start('Page2', en);
    expect((await runner.next(wire(s1.snapshot), answer(callbacksOf(s1), ['bjensen']), en)).type).toBe('success');
  });
});

describe('a suspended journey keeps its transient state', () => {
  it('the password chosen before an e-mail verification is still there when the journey resumes', async () => {
    const runner = runnerFor([
      {
        _id: 'Verify',
        entryNodeId: 'page',
        nodes: {
          page: {
            nodeType: 'PageNode',
            config: { nodes: [{ _id: 'pw', nodeType: 'ValidatedPasswordNode', config: { validateInput: false } }] },
            connections: { outcome: 'mail' },
          },
          mail: { nodeType: 'EmailSuspendNode', config: { emailTemplateName: 'registration' }, connections: { outcome: 'Success' } },
        },
      },
    ]);
    const s1 = await runner.start('Verify', en);
    const suspended = await runner.next(wire(s1.snapshot), answer(callbacksOf(s1), ['Chosen-Passw0rd']), en);
    expect(suspended.type).toBe('suspended');
    expect(suspended.snapshot.machine.context.transient).toMatchObject({ password: 'Chosen-Passw0rd' });
    const resumed = await runner.resume(wire(suspended.snapshot), en);
    expect(resumed.type).toBe('success');
    expect(resumed.snapshot.machine.context.transient).toMatchObject({ password: 'Chosen-Passw0rd' });
  });
});
