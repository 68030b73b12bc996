import { describe, expect, it } from 'vitest';
import { incrementLoginCountNode as node } from '../../src/nodes/increment-login-count.js';
import { configFor, makeNodeContext } from '../support/node-context.js';
import { ALICE, BOB, outcomeOf, ports } from './identity-fixtures.js';

describe('Increment Login Count (IncrementLoginCountNode)', () => {
  const config = configFor(node);

  it('declares AM type, name, defaults and outcome', () => {
    expect([node.type, node.displayName]).toEqual(['IncrementLoginCountNode', 'Increment Login Count']);
    expect(config).toEqual({ identityAttribute: 'userName' });
    expect(node.outcomes).toEqual([{ id: 'outcome', displayName: 'Outcome' }]);
  });

  it('records a login on the identified user, else on the one found by identityAttribute', async () => {
    const p = ports();
    await node.process(makeNodeContext({ config, shared: { _id: ALICE._id, username: 'bob' }, services: p.services }));
    await node.process(makeNodeContext({ config, shared: { _id: ALICE._id }, services: p.services }));
    await node.process(makeNodeContext({ config, shared: { objectAttributes: { userName: 'BOB' } }, services: p.services }));
    expect(p.identity.users.get(ALICE._id)).toMatchObject({ loginCount: 2, lastLogin: '2025-01-01T00:00:00.000Z' });
    expect(p.identity.users.get(BOB._id)).toMatchObject({ loginCount: 1 });
  });

  it('swallows a missing user and a failing identity service, always leaving by outcome', async () => {
    const p = ports();
    const failing = { ...p.services, identity: { ...p.services.identity, recordLogin: async () => Promise.reject(new Error('store down')) } };
    expect(outcomeOf(await node.process(makeNodeContext({ config, shared: { username: 'nobody' }, services: p.services })))).toBe('outcome');
    expect(outcomeOf(await node.process(makeNodeContext({ config, shared: { _id: ALICE._id }, services: failing })))).toBe('outcome');
    expect(p.audit.events.map((e) => e.fields['reason'])).toEqual(['no-account', 'error']);
  });
});
