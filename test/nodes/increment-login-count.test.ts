import { describe, expect, it } from 'vitest';
import { incrementLoginCountNode as node } from '../../src/nodes/increment-login-count.js';
import { auditsOf, configFor, makeNodeContext } from '../support/node-context.js';
import { ALICE, BOB, outcomeOf, testbed } from './identity-fixtures.js';

describe('Increment Login Count (IncrementLoginCountNode)', () => {
  const config = configFor(node);

  it('declares AM type, name, defaults and outcome', () => {
    expect([node.type, node.displayName]).toEqual(['IncrementLoginCountNode', 'Increment Login Count']);
    expect(config).toEqual({ identityAttribute: 'userName' });
    expect(node.outcomes).toEqual([{ id: 'outcome', displayName: 'Outcome' }]);
  });

  it('records a login on the identified user, else on the one found by identityAttribute', async () => {
    const t = await testbed();
    await node.process(makeNodeContext({ config, shared: { _id: ALICE._id, username: 'bob' }, services: t.services }));
    await node.process(makeNodeContext({ config, shared: { _id: ALICE._id }, services: t.services }));
    await node.process(makeNodeContext({ config, shared: { objectAttributes: { userName: 'BOB' } }, services: t.services }));
    expect(await t.stored(ALICE._id)).toMatchObject({ loginCount: 2, lastLogin: '2025-01-01T00:00:00.000Z' });
    expect(await t.stored(BOB._id)).toMatchObject({ loginCount: 1 });
  });

  it('swallows a missing user and a failing identity service, always leaving by outcome', async () => {
    const t = await testbed();
    const missing = await node.process(makeNodeContext({ config, shared: { username: 'nobody' }, services: t.services }));
    await t.store.close(); // the store goes away under the identity service
    const failed = await node.process(makeNodeContext({ config, shared: { _id: ALICE._id }, services: t.services }));
    expect([missing, failed].map(outcomeOf)).toEqual(['outcome', 'outcome']);
    expect([missing, failed].flatMap(auditsOf).map((e) => [e.event, e.fields['reason']])).toEqual([
      ['login.count.skipped', 'no-account'],
      ['login.count.skipped', 'error'],
    ]);
  });
});
