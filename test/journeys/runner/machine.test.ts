/**
 * The machine decides where a journey goes: a self-loop re-enters, an unconnected outcome fails the
 * journey, a loop without input is cut off, and a step's effects leave as data.
 */
import { describe, expect, it } from 'vitest';
import { buildCatalog } from '../../../src/journeys/catalog.js';
import { JourneyRunner, type LifecycleRecord, type RunnerDeps } from '../../../src/journeys/runner.js';
import { createNodeRegistry, NODE_DESCRIPTORS } from '../../../src/nodes/index.js';
import { auditEffect, defineNode } from '../../../src/nodes/types.js';
import { answer, en, expectCallbacks, tourRunners, wire } from './support.js';

const testbed = tourRunners();

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
