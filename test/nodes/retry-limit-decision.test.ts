import { describe, expect, it } from 'vitest';
import { RETRY_WINDOW_MS } from '../../src/nodes/helpers/counter-keys.js';
import { dataStoreDecisionNode } from '../../src/nodes/data-store-decision.js';
import { identityStoreDecisionNode } from '../../src/nodes/identity-store-decision.js';
import { RETRY_RUN_ID, retryLimitDecisionNode as node, type RetryLimitDecisionConfig } from '../../src/nodes/retry-limit-decision.js';
import type { ProcessingNodeDescriptor } from '../../src/nodes/types.js';
import { configFor, makeNodeContext, type NodeContextInit, type NodeTestbed } from '../support/node-context.js';
import { ALICE, outcomeOf, testbed } from './identity-fixtures.js';

describe('Retry Limit Decision (RetryLimitDecisionNode)', () => {
  const config = configFor(node);
  const visit = (p: NodeTestbed, init: Partial<NodeContextInit<RetryLimitDecisionConfig>> = {}) =>
    node.process(makeNodeContext({ config, shared: { username: 'alice' }, ...init, services: p.services })).then(outcomeOf);

  it('declares AM type, name, defaults and outcomes', () => {
    expect([node.type, node.displayName]).toEqual(['RetryLimitDecisionNode', 'Retry Limit Decision']);
    expect(config).toEqual({ retryLimit: 3, incrementUserAttributeOnFailure: true });
    expect(() => configFor(node, { retryLimit: 0 })).toThrow(/retryLimit/);
    expect(node.outcomes).toEqual([
      { id: 'Retry', displayName: 'Retry' },
      { id: 'Reject', displayName: 'Reject' },
    ]);
  });

  it('Retry up to retryLimit, then Reject; the window then reopens', async () => {
    const p = await testbed();
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await visit(p));
    expect(outcomes).toEqual(['Retry', 'Retry', 'Retry', 'Reject', 'Reject']);
    p.clock.advance(RETRY_WINDOW_MS);
    expect(await visit(p)).toBe('Retry');
  });

  it('50 concurrent visits give exactly retryLimit Retry outcomes', async () => {
    const p = await testbed();
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => visit(p, { shared: { username: 'alice' } })));
    expect(outcomes.filter((o) => o === 'Retry')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'Reject')).toHaveLength(47);
  });

  it('a replayed or cloned journey state does not reset the count', async () => {
    const p = await testbed();
    const shared: Record<string, unknown> = { username: 'alice' };
    const local: Record<string, unknown> = {};
    const snapshot = structuredClone({ shared, local }); // what an old authId carries
    expect(await visit(p, { shared, local })).toBe('Retry');
    expect(await visit(p, { shared, local })).toBe('Retry');
    expect(await visit(p, { shared, local })).toBe('Retry');
    for (let i = 0; i < 3; i++) expect(await visit(p, structuredClone(snapshot))).toBe('Reject');
  });

  it('counts per account (username case-insensitive, else _id), per node and per journey', async () => {
    const p = await testbed();
    for (const username of ['alice', 'ALICE', 'Alice']) await visit(p, { shared: { username } });
    expect(await visit(p, { shared: { username: 'alice' } })).toBe('Reject');
    expect(await visit(p, { shared: { username: 'bob' } })).toBe('Retry');
    expect(await visit(p, { shared: { username: 'alice' }, nodeId: 'another-retry-node' })).toBe('Retry');
    expect(await visit(p, { shared: { username: 'alice' }, journey: { id: 'OtherJourney' } })).toBe('Retry');
    for (let i = 0; i < 3; i++) expect(await visit(p, { shared: { _id: 'u-bob', username: 'alice' } })).toBe('Retry');
    expect(await visit(p, { shared: { _id: 'u-bob' } })).toBe('Reject');
  });

  it('without any account, counts per journey run under an id kept in shared state', async () => {
    const p = await testbed();
    const shared: Record<string, unknown> = {};
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await visit(p, { shared }));
    expect(outcomes).toEqual(['Retry', 'Retry', 'Retry', 'Reject']);
    expect(shared[RETRY_RUN_ID]).toMatch(/^[0-9a-f-]{36}$/);
    expect(await visit(p, { shared: {} })).toBe('Retry'); // another run
  });

  it("a successful credential check (Identity Store or Data Store Decision) clears the account's counts", async () => {
    const decisions: ProcessingNodeDescriptor[] = [identityStoreDecisionNode, dataStoreDecisionNode];
    for (const decision of decisions) {
      const p = await testbed();
      for (let i = 0; i < 3; i++) await visit(p, { shared: { username: 'Alice' } });
      await visit(p, { shared: { _id: ALICE._id } });
      expect(await visit(p, { shared: { username: 'alice' } })).toBe('Reject');

      const shared: Record<string, unknown> = { username: 'ALICE' };
      const ok = await decision.process(
        makeNodeContext({ config: configFor(decision), shared, transient: { password: ALICE.password }, services: p.services }),
      );
      expect(['TRUE', 'true']).toContain(outcomeOf(ok));
      expect(await visit(p, { shared: { username: 'alice' } })).toBe('Retry');
      expect(await visit(p, { shared: { _id: ALICE._id } })).toBe('Retry');
    }
  });
});
