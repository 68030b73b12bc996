import { describe, expect, it } from 'vitest';
import { identifyExistingUserNode as node } from '../../src/nodes/identify-existing-user.js';
import { configFor, makeNodeContext } from '../support/node-context.js';
import { ALICE, outcomeOf, testbed } from './identity-fixtures.js';

describe('Identify Existing User (IdentifyExistingUserNode)', () => {
  it('declares AM type, name, defaults and outcomes', () => {
    expect([node.type, node.displayName]).toEqual(['IdentifyExistingUserNode', 'Identify Existing User']);
    expect(configFor(node)).toEqual({ identifier: 'userName', identityAttribute: 'mail' });
    expect(configFor(node, { identifier: '' })).toEqual({ identifier: '', identityAttribute: 'mail' });
    expect(node.outcomes).toEqual([
      { id: 'true', displayName: 'True' },
      { id: 'false', displayName: 'False' },
    ]);
    expect(() => configFor(node, { identityAttribute: '' })).toThrow(/identityAttribute/);
  });

  it('found by the collected mail (any case) → true, writing _id, username and objectAttributes.userName', async () => {
    const { services } = await testbed();
    const shared: Record<string, unknown> = { objectAttributes: { mail: 'ALICE@Example.com' } };
    const result = await node.process(makeNodeContext({ config: configFor(node), shared, services }));
    expect(outcomeOf(result)).toBe('true');
    expect(shared).toEqual({ _id: ALICE._id, username: 'alice', objectAttributes: { mail: 'ALICE@Example.com', userName: 'alice' } });
  });

  it('with identifier "" writes only _id', async () => {
    const { services } = await testbed();
    const shared: Record<string, unknown> = { objectAttributes: { mail: 'alice@example.com' } };
    await node.process(makeNodeContext({ config: configFor(node, { identifier: '' }), shared, services }));
    expect(shared).toEqual({ _id: ALICE._id, objectAttributes: { mail: 'alice@example.com' } });
  });

  it('copies nothing when the identifier attribute is absent on the object', async () => {
    const { services } = await testbed();
    const shared: Record<string, unknown> = { objectAttributes: { mail: 'alice@example.com' } };
    await node.process(makeNodeContext({ config: configFor(node, { identifier: 'nickname' }), shared, services }));
    expect(shared).toEqual({ _id: ALICE._id, objectAttributes: { mail: 'alice@example.com' } });
  });

  it('falls back to shared.username when objectAttributes lacks the identity attribute', async () => {
    const { services } = await testbed();
    const shared: Record<string, unknown> = { username: 'ALICE' };
    const result = await node.process(makeNodeContext({ config: configFor(node, { identityAttribute: 'userName' }), shared, services }));
    expect(outcomeOf(result)).toBe('true');
    expect(shared).toEqual({ _id: ALICE._id, username: 'alice', objectAttributes: { userName: 'alice' } });
  });

  it('not found, or nothing to look up → false with the state untouched', async () => {
    const { services } = await testbed();
    for (const start of [{ objectAttributes: { mail: 'nobody@example.com' } }, {}, { objectAttributes: { mail: '  ' } }]) {
      const shared: Record<string, unknown> = structuredClone(start);
      const result = await node.process(makeNodeContext({ config: configFor(node), shared, services }));
      expect(outcomeOf(result)).toBe('false');
      expect(shared).toEqual(start);
    }
  });
});
