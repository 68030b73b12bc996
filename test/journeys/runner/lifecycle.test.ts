/**
 * The journey lifecycle (started, node entered, outcome, ended) comes from the machine's microsteps
 * through XState's inspection, inner nodes named by state path; a throwing sink breaks nothing.
 */
import { describe, expect, it } from 'vitest';
import type { LifecycleRecord } from '../../../src/journeys/runner.js';
import { answer, en, expectCallbacks, tourRunners } from './support.js';

const { makeRunner } = tourRunners();

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
