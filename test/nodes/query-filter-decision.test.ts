import { describe, expect, it } from 'vitest';
import { queryFilterDecisionNode as node } from '../../src/nodes/query-filter-decision.js';
import { auditsOf, configFor, makeNodeContext } from '../support/node-context.js';
import { outcomeOf, testbed } from './identity-fixtures.js';

/** ProgressiveProfile's filter (reference §4.2). */
const PROFILE_FILTER = '!(/preferences pr) or /preferences/marketing eq false or /preferences/updates eq false';

describe('Query Filter Decision (QueryFilterDecisionNode)', () => {
  const config = configFor(node, { queryFilter: PROFILE_FILTER });

  it('declares AM type, name, defaults and outcomes; the filter is required and checked', () => {
    expect([node.type, node.displayName]).toEqual(['QueryFilterDecisionNode', 'Query Filter Decision']);
    expect(config).toEqual({ queryFilter: PROFILE_FILTER, identityAttribute: 'userName' });
    expect(() => configFor(node, {})).toThrow(/queryFilter/);
    expect(node.outcomes).toEqual([
      { id: 'true', displayName: 'True' },
      { id: 'false', displayName: 'False' },
    ]);
    expect(node.checkConfig?.(config)).toEqual([]);
    expect(node.checkConfig?.({ queryFilter: '/mail eq', identityAttribute: 'userName' })).toEqual([
      { pointer: '/queryFilter', message: expect.stringMatching(/^Not a valid CREST query filter: /) },
    ]);
  });

  it('true when the user matches, false when not', async () => {
    const p = await testbed();
    const run = (shared: Record<string, unknown>) => node.process(makeNodeContext({ config, shared, services: p.services })).then(outcomeOf);
    expect(await run({ username: 'alice' })).toBe('true'); // marketing false
    expect(await run({ username: 'bob' })).toBe('false'); // both true
    expect(await run({ _id: 'u-locked' })).toBe('true'); // no preferences
  });

  it('false with an audit event when nobody is identified (AM would throw)', async () => {
    const p = await testbed();
    for (const shared of [{}, { username: 'nobody' }]) {
      const result = await node.process(makeNodeContext({ config, shared, services: p.services }));
      expect(outcomeOf(result)).toBe('false');
      expect(auditsOf(result)).toEqual([
        { event: 'journey.identity.missing', fields: { journey: 'TestJourney', node: 'node-under-test', nodeType: 'QueryFilterDecisionNode' } },
      ]);
    }
  });
});
