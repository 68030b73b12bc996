/**
 * The runner, driven without HTTP through the Tour journey: a Message Node, a Page Node of two
 * children, a Choice Collector branch and an inner tree (Profile, a compound state of Tour's machine),
 * asserting the callbacks, XState's persisted snapshot and the outcome at each step, a wrong callback
 * shape, and the snapshot's JSON round trip. Then the machine's own rules: a self-loop re-enters, an
 * unconnected outcome fails the journey, a loop without input is cut off, effects leave as data, and
 * the lifecycle comes from the machine's microsteps. Nodes run on the real services over a temporary store.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, type Snapshot } from 'xstate';
import type { Callback } from '../../src/callbacks/types.js';
import { CairnError } from '../../src/errors/cairn-error.js';
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
import { auditEffect, defineNode } from '../../src/nodes/types.js';
import { createNodeTestbed, type NodeTestbed } from '../support/node-context.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'journeys');
const load = (name: string) => ({ file: join(FIXTURES, name), text: readFileSync(join(FIXTURES, name), 'utf8') });

let testbed: NodeTestbed;
beforeAll(async () => void (testbed = await createNodeTestbed()));
afterAll(() => testbed.close());

function tourCatalog() {
  const { catalog, problems } = buildCatalog([load('Tour.json'), load('Profile.json')], createNodeRegistry());
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  return catalog;
}

function makeRunner(deps: Partial<RunnerDeps> = {}) {
  return new JourneyRunner({ catalog: tourCatalog(), services: testbed.services, ...deps });
}

const en: StepInput = { locales: ['en'], request: { headers: {}, query: {} } };

/** What travels between steps: the snapshot survives a JSON round trip (it rides inside the authId). */
const wire = (s: PersistedJourney): PersistedJourney => JSON.parse(JSON.stringify(s)) as PersistedJourney;

/** Plays the client: copies the callbacks and sets input values by position. */
function answer(callbacks: Callback[], values: unknown[][]): Callback[] {
  return callbacks.map((cb, i) => ({
    ...structuredClone(cb),
    input: (cb.input ?? []).map((field, j) => ({ name: field.name, value: values[i]?.[j] ?? field.value })),
  }));
}

function expectCallbacks(r: StepResult): Extract<StepResult, { type: 'callbacks' }> {
  expect(r.type).toBe('callbacks');
  return r as Extract<StepResult, { type: 'callbacks' }>;
}

describe('JourneyRunner through the Tour journey', () => {
  it('runs message → page → choice → inner tree → success, with the state at each step', async () => {
    const runner = makeRunner();

    // Step 1: the Message Node asks yes/no; stand-alone callbacks carry no _id.
    const s1 = expectCallbacks(await runner.start('Tour', en));
    expect(s1.callbacks).toEqual([
      {
        type: 'TextOutputCallback',
        output: [
          { name: 'message', value: 'Ready to start?' },
          { name: 'messageType', value: '0' },
        ],
      },
      {
        type: 'ConfirmationCallback',
        output: [
          { name: 'prompt', value: '' },
          { name: 'messageType', value: 0 },
          { name: 'options', value: ['Yes', 'No'] },
          { name: 'optionType', value: -1 },
          { name: 'defaultOption', value: 1 },
        ],
        input: [{ name: 'IDToken2', value: 0 }],
      },
    ]);
    expect(s1.header).toBeUndefined();
    expect(s1.snapshot).toMatchObject({ v: 2, journey: 'Tour', version: s1.journey.version, machine: { status: 'active', value: 'welcome' } });
    expect(s1.effects).toEqual([]);

    // Step 2: "Yes" → the page with two children, callbacks numbered by position, _ids 0 and 1.
    const s2 = expectCallbacks(await runner.next(wire(s1.snapshot), answer(s1.callbacks, [[], [0]]), en));
    expect(s2.header).toBe('Sign In');
    expect(s2.description).toBe('Enter your details');
    expect(s2.callbacks).toEqual([
      { type: 'NameCallback', output: [{ name: 'prompt', value: 'User Name' }], input: [{ name: 'IDToken1', value: '' }], _id: 0 },
      { type: 'PasswordCallback', output: [{ name: 'prompt', value: 'Password' }], input: [{ name: 'IDToken2', value: '' }], _id: 1 },
    ]);
    expect(s2.snapshot.machine.value).toBe('credentials');

    // A wrong callback shape (one callback missing) is refused and changes nothing.
    const before = JSON.stringify(s2.snapshot);
    const short = answer(s2.callbacks, [['bjensen']]).slice(0, 1);
    await expect(runner.next(wire(s2.snapshot), short, en)).rejects.toMatchObject({ status: 400 });
    await expect(runner.next(wire(s2.snapshot), short, en)).rejects.toBeInstanceOf(CairnError);
    // A changed type is refused too.
    const retyped = answer(s2.callbacks, [['bjensen'], ['pw']]).map((c, i) => (i === 1 ? { ...c, type: 'TextInputCallback' } : c));
    await expect(runner.next(wire(s2.snapshot), retyped, en)).rejects.toMatchObject({ status: 400 });
    expect(JSON.stringify(s2.snapshot)).toBe(before);

    // Step 3: credentials → the choice; username in shared state, password only in transient state.
    const s3 = expectCallbacks(await runner.next(wire(s2.snapshot), answer(s2.callbacks, [['bjensen'], ['s3cret-Passw0rd']]), en));
    expect(s3.callbacks).toEqual([
      {
        type: 'ChoiceCallback',
        output: [
          { name: 'prompt', value: 'What next?' },
          { name: 'choices', value: ['profile', 'done'] },
          { name: 'defaultChoice', value: 1 },
        ],
        input: [{ name: 'IDToken1', value: 1 }],
      },
    ]);
    const c3 = s3.snapshot.machine.context;
    expect(c3.shared.username).toBe('bjensen');
    expect(c3.transient.password).toBe('s3cret-Passw0rd');
    expect(JSON.stringify(c3.shared)).not.toContain('s3cret');
    expect(c3.local).toEqual({}); // the page's routing state is gone once it left

    // Step 4: "profile" → the inner tree's page: the Inner Tree Evaluator is a compound state of Tour's machine.
    const s4 = expectCallbacks(await runner.next(wire(s3.snapshot), answer(s3.callbacks, [[0]]), en));
    expect(s4.header).toBe('Your names');
    expect(s4.snapshot.machine.value).toEqual({ profile: 'names' });
    expect(Object.keys(s4.snapshot.machine.context.local)).toEqual(['profile.names']); // the inner page's routes, by state path
    expect(s4.callbacks.map((c) => [c.type, c._id, c.output.find((o) => o.name === 'name')?.value])).toEqual([
      ['StringAttributeInputCallback', 0, 'givenName'],
      ['StringAttributeInputCallback', 1, 'sn'],
    ]);
    expect(s4.callbacks[1]?.input?.map((i) => i.name)).toEqual(['IDToken2', 'IDToken2validateOnly']);

    // A required value left blank: the same page again, nothing advances.
    const s4b = expectCallbacks(await runner.next(wire(s4.snapshot), answer(s4.callbacks, [['Barbara'], ['']]), en));
    expect(s4b.snapshot.machine.value).toEqual({ profile: 'names' });
    expect(s4b.callbacks).toHaveLength(2);

    // Step 5: names given → inner Success → Inner Tree "true" → Success URL → Success.
    const s5 = await runner.next(wire(s4b.snapshot), answer(s4b.callbacks, [['Barbara'], ['Jensen']]), en);
    expect(s5.type).toBe('success');
    expect(s5.snapshot.machine).toMatchObject({ status: 'done', value: 'Success' });
    expect(s5.snapshot.machine.context.shared).toMatchObject({
      username: 'bjensen',
      successUrl: 'https://app.example.com/welcome',
      objectAttributes: { givenName: 'Barbara', sn: 'Jensen' },
    });
  });

  it('takes the other branch of the choice straight to Success', async () => {
    const runner = makeRunner();
    const s1 = expectCallbacks(await runner.start('Tour', en));
    const s2 = expectCallbacks(await runner.next(s1.snapshot, answer(s1.callbacks, [[], [0]]), en));
    const s3 = expectCallbacks(await runner.next(s2.snapshot, answer(s2.callbacks, [['a'], ['b']]), en));
    const s4 = await runner.next(s3.snapshot, answer(s3.callbacks, [[1]]), en);
    expect(s4.type).toBe('success');
    expect(s4.snapshot.machine.context.shared.successUrl).toBeUndefined();
  });

  it('fails with AM\'s message when the Message Node is answered "No"', async () => {
    const runner = makeRunner();
    const s1 = expectCallbacks(await runner.start('Tour', en));
    const r = await runner.next(s1.snapshot, answer(s1.callbacks, [[], [1]]), en);
    expect(r).toMatchObject({ type: 'failure', message: 'Login failure' });
  });

  it('localises texts from the request locales', async () => {
    const runner = makeRunner();
    const fr: StepInput = { locales: ['fr-ca', 'en'], request: { headers: {}, query: {} } };
    const s1 = expectCallbacks(await runner.start('Tour', fr));
    expect(s1.callbacks[0]?.output[0]?.value).toBe('Prêt ?');
    const s2 = expectCallbacks(await runner.next(s1.snapshot, answer(s1.callbacks, [[], [0]]), fr));
    expect(s2.header).toBe('Connexion');
    expect(s2.description).toBe('Enter your details'); // no French text: the first entry
  });

  it('refuses to start unknown and inner-only journeys, and snapshots of another journey version', async () => {
    const runner = makeRunner();
    await expect(runner.start('Nope', en)).rejects.toMatchObject({ status: 400, message: 'No Configuration found' });
    await expect(runner.start('Profile', en)).rejects.toMatchObject({ status: 400, message: 'No Configuration found' });
    const s1 = expectCallbacks(await runner.start('Tour', en));
    const stale = { ...wire(s1.snapshot), version: '0000000000000000' };
    await expect(runner.next(stale, answer(s1.callbacks, [[], [0]]), en)).rejects.toMatchObject({ status: 401, code: 'journey.changed' });
    // A state the machine does not have, another journey's snapshot, the old (v1) format: the same timeout.
    const lost = wire(s1.snapshot);
    lost.machine.value = 'nowhere';
    await expect(runner.next(lost, answer(s1.callbacks, [[], [0]]), en)).rejects.toMatchObject({ code: 'journey.changed' });
    await expect(runner.next({ ...wire(s1.snapshot), journey: 'Profile' }, [], en)).rejects.toMatchObject({ code: 'journey.changed' });
    const v1 = { v: 1, frames: [{ journeyId: 'Tour', version: s1.journey.version, state: 'welcome' }], shared: {}, transient: {}, local: {} };
    await expect(runner.next(v1 as unknown as PersistedJourney, [], en)).rejects.toMatchObject({ code: 'journey.changed' });
  });

  it('turns an unexpected node error into a journey failure without leaking it', async () => {
    const errors: unknown[] = [];
    const runner = makeRunner({
      services: {
        ...testbed.services,
        now: () => {
          throw new Error('clock exploded');
        },
      },
      onNodeError: (e) => errors.push(e),
    });
    // start() reads the clock before any node runs: the error surfaces to the caller, not as a journey result.
    await expect(runner.start('Tour', en)).rejects.toThrow('clock exploded');
    expect(errors).toEqual([]);
  });
});

describe('the journey lifecycle, read from the machine', () => {
  it('reports start, every node entered (inner ones by state path), every outcome and the end', async () => {
    const records: LifecycleRecord[] = [];
    const runner = makeRunner({ lifecycle: (r) => void records.push(r) });
    const from = { ...en, request: { ...en.request, clientIp: '192.0.2.7' } };
    const seen = () => records.splice(0).map(({ journey, clientIp, ...r }) => (expect([journey, clientIp]).toEqual(['Tour', '192.0.2.7']), r));

    const s1 = expectCallbacks(await runner.start('Tour', from));
    expect(seen()).toEqual([{ type: 'journey.started' }, { type: 'journey.node.entered', node: 'welcome', nodeType: 'MessageNode' }]);
    const s2 = expectCallbacks(await runner.next(s1.snapshot, answer(s1.callbacks, [[], [0]]), from));
    expect(seen()).toEqual([
      { type: 'journey.node.outcome', node: 'welcome', nodeType: 'MessageNode', outcome: 'true' },
      { type: 'journey.node.entered', node: 'credentials', nodeType: 'PageNode' },
    ]);
    const s3 = expectCallbacks(await runner.next(s2.snapshot, answer(s2.callbacks, [['a'], ['b']]), from));
    seen();
    const s4 = expectCallbacks(await runner.next(s3.snapshot, answer(s3.callbacks, [[0]]), from));
    expect(seen()).toEqual([
      { type: 'journey.node.outcome', node: 'pick', nodeType: 'ChoiceCollectorNode', outcome: 'profile' },
      { type: 'journey.node.entered', node: 'profile', nodeType: 'InnerTreeEvaluatorNode' },
      { type: 'journey.node.entered', node: 'profile.names', nodeType: 'PageNode' },
    ]);
    const again = expectCallbacks(await runner.next(s4.snapshot, answer(s4.callbacks, [['Barbara'], ['']]), from));
    expect(seen()).toEqual([]); // the same node asks again: nothing entered, nothing left
    expect((await runner.next(again.snapshot, answer(again.callbacks, [['Barbara'], ['Jensen']]), from)).type).toBe('success');
    expect(seen()).toEqual([
      { type: 'journey.node.outcome', node: 'profile.names', nodeType: 'PageNode', outcome: 'outcome' },
      // The inner journey reached its Success: the compound state is done with output "true".
      { type: 'journey.node.outcome', node: 'profile', nodeType: 'InnerTreeEvaluatorNode', outcome: 'true' },
      { type: 'journey.node.entered', node: 'landing', nodeType: 'SetSuccessUrlNode' },
      { type: 'journey.node.outcome', node: 'landing', nodeType: 'SetSuccessUrlNode', outcome: 'outcome' },
      { type: 'journey.ended', outcome: 'success' },
    ]);
  });

  it('a failure ends the journey too, and a lifecycle sink that throws does not break the step', async () => {
    const records: LifecycleRecord[] = [];
    const errors: unknown[] = [];
    const runner = makeRunner({
      lifecycle: (r) => {
        records.push(r);
        throw new Error('sink down');
      },
      onNodeError: (e) => errors.push(e),
    });
    const s1 = expectCallbacks(await runner.start('Tour', en));
    expect(await runner.next(s1.snapshot, answer(s1.callbacks, [[], [1]]), en)).toMatchObject({ type: 'failure', message: 'Login failure' });
    expect(records.map((r) => r.type)).toEqual(['journey.started', 'journey.node.entered', 'journey.node.outcome', 'journey.ended']);
    expect(records.at(-1)).toMatchObject({ outcome: 'failure' });
    expect(errors).toHaveLength(4);
  });
});

describe("XState's persisted snapshot", () => {
  it('is what the machine itself persists: an actor restores it at the same state with the same context', async () => {
    const catalog = tourCatalog();
    const runner = new JourneyRunner({ catalog, services: testbed.services });
    const s1 = expectCallbacks(await runner.start('Tour', en));
    const s2 = expectCallbacks(await runner.next(wire(s1.snapshot), answer(s1.callbacks, [[], [0]]), en));
    const persisted = wire(s2.snapshot).machine;
    expect(Object.keys(persisted).sort()).toEqual(['children', 'context', 'historyValue', 'status', 'value']);
    const machine = catalog.get('Tour')?.machine;
    if (!machine) throw new Error('no Tour');
    const actor = createActor(machine, { snapshot: persisted as unknown as Snapshot<unknown> });
    expect(actor.getSnapshot().value).toBe('credentials');
    expect(actor.getSnapshot().context).toEqual(persisted.context);
    expect(machine.getPersistedSnapshot(actor.getSnapshot())).toEqual(persisted);
    expect(persisted.context.pending).toEqual(s2.callbacks);
  });

  it("the journey's version covers the inner journeys it embeds", () => {
    const tour = tourCatalog().get('Tour');
    const edited = JSON.parse(readFileSync(join(FIXTURES, 'Profile.json'), 'utf8')) as { description: string };
    edited.description = 'changed';
    const { catalog } = buildCatalog([load('Tour.json'), { file: 'Profile.json', json: edited }], createNodeRegistry());
    expect(catalog.get('Tour')?.version).not.toBe(tour?.version);
    expect(catalog.get('Tour')?.source).toEqual(tour?.source);
  });
});

/** Test-only node types: one that leaves by an outcome it does not declare, one that audits. */
const strayNode = defineNode<Record<string, never>>({
  type: 'StrayTestNode',
  displayName: 'Stray (test)',
  configSchema: { type: 'object', additionalProperties: false },
  outcomes: [{ id: 'declared', displayName: 'Declared' }],
  process: async () => ({ kind: 'outcome', outcome: 'undeclared' }),
});
const noteNode = defineNode<{ note: string }>({
  type: 'NoteTestNode',
  displayName: 'Note (test)',
  configSchema: { type: 'object', additionalProperties: false, properties: { note: { type: 'string' } }, required: ['note'] },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],
  process: async (ctx) => ({ kind: 'outcome', outcome: 'outcome', effects: [auditEffect('test.note', { note: ctx.config.note })] }),
});
const testRegistry = createNodeRegistry([...NODE_DESCRIPTORS, strayNode, noteNode]);

function runnerFor(journey: Record<string, unknown>, deps: Partial<RunnerDeps> = {}) {
  const { catalog, problems } = buildCatalog([{ file: `${String(journey._id)}.json`, json: journey }], testRegistry);
  expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  return new JourneyRunner({ catalog, services: testbed.services, ...deps });
}

describe('the machine decides where a journey goes', () => {
  it('a node connected back to itself re-enters (a choice that loops asks again)', async () => {
    const records: LifecycleRecord[] = [];
    const runner = runnerFor(
      {
        _id: 'Loop',
        entryNodeId: 'ask',
        nodes: {
          ask: {
            nodeType: 'ChoiceCollectorNode',
            config: { choices: ['again', 'done'], defaultChoice: 'done' },
            connections: { again: 'ask', done: 'Success' },
          },
        },
      },
      { lifecycle: (r) => void records.push(r) },
    );
    let step = expectCallbacks(await runner.start('Loop', en));
    for (let i = 0; i < 3; i++) {
      step = expectCallbacks(await runner.next(wire(step.snapshot), answer(step.callbacks, [[0]]), en));
      expect(step.snapshot.machine.value).toBe('ask');
    }
    expect((await runner.next(wire(step.snapshot), answer(step.callbacks, [[1]]), en)).type).toBe('success');
    // Each "again" left the node and entered it anew.
    expect(records.filter((r) => r.type === 'journey.node.entered')).toHaveLength(4);
  });

  it('an outcome the node was not connected by fails the journey with "Login failure", reported', async () => {
    const errors: unknown[] = [];
    const records: LifecycleRecord[] = [];
    const runner = runnerFor(
      { _id: 'Stray', entryNodeId: 'stray', nodes: { stray: { nodeType: 'StrayTestNode', connections: { declared: 'Success' } } } },
      { onNodeError: (e) => errors.push(e), lifecycle: (r) => void records.push(r) },
    );
    const r = await runner.start('Stray', en);
    expect(r).toMatchObject({ type: 'failure', message: 'Login failure', snapshot: { machine: { status: 'done', value: 'Failure' } } });
    expect(String(errors[0])).toMatch(/stray of journey Stray left by outcome "undeclared", which is not connected/);
    expect(records.at(-1)).toMatchObject({ type: 'journey.ended', outcome: 'failure' });
  });

  it('a journey that runs nodes for ever without asking anything fails', async () => {
    const errors: unknown[] = [];
    const runner = runnerFor(
      {
        _id: 'Spin',
        entryNodeId: 'spin',
        nodes: { spin: { nodeType: 'SetSuccessUrlNode', config: { successUrl: 'https://example.com/' }, connections: { outcome: 'spin' } } },
      },
      { onNodeError: (e) => errors.push(e) },
    );
    expect(await runner.start('Spin', en)).toMatchObject({ type: 'failure', message: 'Login failure' });
    expect(String(errors[0])).toMatch(/ran 1000 nodes without asking for input/);
  });

  it("a step's effects leave as data, in order, a page's children's included", async () => {
    const runner = runnerFor({
      _id: 'Notes',
      entryNodeId: 'first',
      nodes: {
        first: { nodeType: 'NoteTestNode', config: { note: 'one' }, connections: { outcome: 'page' } },
        page: {
          nodeType: 'PageNode',
          config: {
            nodes: [
              { _id: 'note', nodeType: 'NoteTestNode', config: { note: 'two' } },
              { _id: 'name', nodeType: 'UsernameCollectorNode' },
            ],
          },
          connections: { outcome: 'Success' },
        },
      },
    });
    const s1 = expectCallbacks(await runner.start('Notes', en));
    expect(s1.effects).toEqual([auditEffect('test.note', { note: 'one' }), auditEffect('test.note', { note: 'two' })]);
    expect(JSON.parse(JSON.stringify(s1))).toEqual(s1); // the whole step result is plain data
    const s2 = await runner.next(wire(s1.snapshot), answer(s1.callbacks, [['bjensen']]), en);
    expect(s2).toMatchObject({ type: 'success', effects: [auditEffect('test.note', { note: 'two' })] });
  });
});
