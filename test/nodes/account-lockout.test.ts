import { describe, expect, it } from 'vitest';
import { accountLockoutNode as node } from '../../src/nodes/account-lockout.js';
import { auditsOf, configFor, makeNodeContext } from '../support/node-context.js';
import { ALICE, LOCKED, outcomeOf, testbed } from './identity-fixtures.js';

describe('Account Lockout (AccountLockoutNode)', () => {
  it('declares AM type, name, defaults and outcome', () => {
    expect([node.type, node.displayName]).toEqual(['AccountLockoutNode', 'Account Lockout']);
    expect(configFor(node)).toEqual({ lockAction: 'LOCK' });
    expect(() => configFor(node, { lockAction: 'FREEZE' })).toThrow(/lockAction/);
    expect(node.outcomes).toEqual([{ id: 'outcome', displayName: 'Outcome' }]);
  });

  it('LOCK sets the account found by the typed username inactive, noting when, and audits it', async () => {
    const t = await testbed();
    const result = await node.process(makeNodeContext({ config: configFor(node), shared: { username: 'ALICE' }, services: t.services }));
    expect(outcomeOf(result)).toBe('outcome');
    expect(await t.stored(ALICE._id)).toMatchObject({ accountStatus: 'inactive', lockoutAt: new Date(t.clock.now()).toISOString() });
    expect(auditsOf(result)).toEqual([{ event: 'account.locked', fields: expect.objectContaining({ userId: ALICE._id, action: 'LOCK' }) }]);
  });

  it('UNLOCK sets the identified account (shared._id) active', async () => {
    const t = await testbed();
    const result = await node.process(
      makeNodeContext({ config: configFor(node, { lockAction: 'UNLOCK' }), shared: { _id: LOCKED._id }, services: t.services }),
    );
    expect(await t.stored(LOCKED._id)).toMatchObject({ accountStatus: 'active', lockoutAt: null });
    expect(auditsOf(result).map((e) => e.event)).toEqual(['account.unlocked']);
  });

  it('an unknown or missing username still leaves by outcome, changing nothing, with an audit event', async () => {
    const t = await testbed();
    const before = await t.stored(ALICE._id);
    const results = [];
    for (const shared of [{ username: 'nobody' }, {}]) {
      const result = await node.process(makeNodeContext({ config: configFor(node), shared, services: t.services }));
      expect(outcomeOf(result)).toBe('outcome');
      results.push(...auditsOf(result));
    }
    expect((await t.stored(ALICE._id))?._rev).toBe(before?._rev);
    expect(t.audit).toEqual([]);
    expect(results.map((e) => [e.event, e.fields['reason']])).toEqual([
      ['account.lockout.skipped', 'no-account'],
      ['account.lockout.skipped', 'no-account'],
    ]);
  });
});
