import { describe, expect, it } from 'vitest';
import { identityStoreDecisionNode as node, LOCKED_MESSAGE, LOGIN_FAILURE_MESSAGE } from '../../src/nodes/identity-store-decision.js';
import { configFor, makeNodeContext, type NodeTestbed } from '../support/node-context.js';
import { ALICE, LOCKED, outcomeOf, testbed } from './identity-fixtures.js';

describe('Identity Store Decision (IdentityStoreDecisionNode)', () => {
  const config = configFor(node);
  const login = (p: NodeTestbed, username: string, password: string, cfg = config) => {
    const shared: Record<string, unknown> = { username, objectAttributes: { userName: username } };
    return node
      .process(makeNodeContext({ config: cfg, shared, transient: { password }, services: p.services }))
      .then((result) => ({ result, shared }));
  };

  it('declares AM type, name, defaults and the five outcomes', () => {
    expect([node.type, node.displayName]).toEqual(['IdentityStoreDecisionNode', 'Identity Store Decision']);
    expect(config).toEqual({ minimumPasswordLength: 8, useUniversalIdForUsername: false, mixedCaseForPasswordChangeMessages: false });
    expect(node.outcomes).toEqual([
      { id: 'TRUE', displayName: 'True' },
      { id: 'FALSE', displayName: 'False' },
      { id: 'LOCKED', displayName: 'Locked' },
      { id: 'CANCELLED', displayName: 'Cancelled' },
      { id: 'EXPIRED', displayName: 'Expired' },
    ]);
  });

  it('TRUE on the right password: shared._id and the stored userName as username', async () => {
    const p = await testbed();
    const { result, shared } = await login(p, 'ALICE', ALICE.password as string);
    expect(result).toEqual({ kind: 'outcome', outcome: 'TRUE' });
    expect(shared).toEqual({ _id: ALICE._id, username: 'alice', objectAttributes: { userName: 'ALICE' } });

    const universal = await login(p, 'alice', ALICE.password as string, configFor(node, { useUniversalIdForUsername: true }));
    expect(universal.shared['username']).toBe(ALICE._id);
  });

  it('FALSE "Login failure" for a wrong password and an unknown user, identically', async () => {
    const p = await testbed();
    const wrong = await login(p, 'alice', 'not the password');
    const unknown = await login(p, 'nobody', 'not the password');
    const noPassword = await login(p, 'nopass', 'not the password');
    for (const r of [wrong, unknown, noPassword]) {
      expect(r.result).toEqual({ kind: 'outcome', outcome: 'FALSE', errorMessage: LOGIN_FAILURE_MESSAGE });
      expect(r.shared).not.toHaveProperty('_id');
    }
    expect(outcomeOf((await login(p, 'alice', '')).result)).toBe('FALSE');
  });

  it('LOCKED "User Locked Out." for an inactive account, but only to someone who knows its password', async () => {
    const p = await testbed();
    expect((await login(p, 'locked', LOCKED.password as string)).result).toEqual({
      kind: 'outcome',
      outcome: 'LOCKED',
      errorMessage: LOCKED_MESSAGE,
    });
    const { result, shared } = await login(p, 'locked', 'a wrong guess');
    expect(result).toEqual({ kind: 'outcome', outcome: 'FALSE', errorMessage: LOGIN_FAILURE_MESSAGE });
    expect(shared).not.toHaveProperty('_id');
  });

  it('50 parallel wrong passwords evaluate no more than the budget, and answer like any wrong password', async () => {
    const p = await testbed({ attemptBudget: 5 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => login(p, 'alice', `wrong guess ${i}`)));
    const outcomes = results.map((r) => outcomeOf(r.result));
    // A spent budget must not look different from a wrong password (an unknown user is never throttled).
    expect(outcomes.filter((o) => o === 'FALSE')).toHaveLength(50);
    expect(p.hashes.verified).toBe(5);
    // The right password is not evaluated either while the budget is spent.
    expect(outcomeOf((await login(p, 'alice', ALICE.password as string)).result)).toBe('FALSE');
    expect(p.hashes.verified).toBe(5);
  });
});
