import { describe, expect, it } from 'vitest';
import { accountLockoutNode as node } from '../../src/nodes/account-lockout.js';
import { configFor, makeNodeContext } from '../support/node-context.js';
import { ALICE, LOCKED, outcomeOf, ports } from './identity-fixtures.js';

describe('Account Lockout (AccountLockoutNode)', () => {
  it('declares AM type, name, defaults and outcome', () => {
    expect([node.type, node.displayName]).toEqual(['AccountLockoutNode', 'Account Lockout']);
    expect(configFor(node)).toEqual({ lockAction: 'LOCK' });
    expect(() => configFor(node, { lockAction: 'FREEZE' })).toThrow(/lockAction/);
    expect(node.outcomes).toEqual([{ id: 'outcome', displayName: 'Outcome' }]);
  });

  it('LOCK sets the account found by the typed username inactive, and audits it', async () => {
    const p = ports();
    const result = await node.process(makeNodeContext({ config: configFor(node), shared: { username: 'ALICE' }, services: p.services }));
    expect(outcomeOf(result)).toBe('outcome');
    expect(p.identity.users.get(ALICE._id)?.accountStatus).toBe('inactive');
    expect(p.audit.events).toEqual([{ event: 'account.locked', fields: expect.objectContaining({ userId: ALICE._id, action: 'LOCK' }) }]);
  });

  it('UNLOCK sets the identified account (shared._id) active', async () => {
    const p = ports();
    await node.process(makeNodeContext({ config: configFor(node, { lockAction: 'UNLOCK' }), shared: { _id: LOCKED._id }, services: p.services }));
    expect(p.identity.users.get(LOCKED._id)?.accountStatus).toBe('active');
    expect(p.audit.events.map((e) => e.event)).toEqual(['account.unlocked']);
  });

  it('an unknown or missing username still leaves by outcome, changing nothing, with an audit event', async () => {
    const p = ports();
    for (const shared of [{ username: 'nobody' }, {}]) {
      expect(outcomeOf(await node.process(makeNodeContext({ config: configFor(node), shared, services: p.services })))).toBe('outcome');
    }
    expect(p.identity.stats.updates).toBe(0);
    expect(p.audit.events.map((e) => [e.event, e.fields['reason']])).toEqual([
      ['account.lockout.skipped', 'no-account'],
      ['account.lockout.skipped', 'no-account'],
    ]);
  });
});
