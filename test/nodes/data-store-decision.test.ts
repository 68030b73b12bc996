import { describe, expect, it } from 'vitest';
import { dataStoreDecisionNode as node } from '../../src/nodes/data-store-decision.js';
import { configFor, makeNodeContext, type NodeTestbed } from '../support/node-context.js';
import { ALICE, LOCKED, outcomeOf, testbed } from './identity-fixtures.js';

describe('Data Store Decision (DataStoreDecisionNode)', () => {
  const config = configFor(node);
  const check = (p: NodeTestbed, username: string | undefined, password: string | undefined) => {
    const shared: Record<string, unknown> = username === undefined ? {} : { username };
    const transient = password === undefined ? {} : { password };
    return node.process(makeNodeContext({ config, shared, transient, services: p.services })).then((r) => ({ outcome: outcomeOf(r), shared }));
  };

  it('declares AM type, name, no config and outcomes', () => {
    expect([node.type, node.displayName]).toEqual(['DataStoreDecisionNode', 'Data Store Decision']);
    expect(config).toEqual({});
    expect(() => configFor(node, { anything: 1 })).toThrow(/additional/);
    expect(node.outcomes).toEqual([
      { id: 'true', displayName: 'True' },
      { id: 'false', displayName: 'False' },
    ]);
  });

  it('true on the right password (any username case), writing shared._id', async () => {
    const p = await testbed();
    expect(await check(p, 'Alice', ALICE.password)).toEqual({ outcome: 'true', shared: { username: 'Alice', _id: ALICE._id } });
  });

  it('false, alike, for a wrong password, an unknown user, a blank password and an inactive account', async () => {
    const p = await testbed();
    const answers = [
      await check(p, 'alice', 'wrong password'),
      await check(p, 'nobody', 'whatever pass'),
      await check(p, 'alice', ''),
      await check(p, 'alice', undefined),
      await check(p, undefined, 'whatever pass'),
      await check(p, 'locked', LOCKED.password),
    ];
    expect(answers.map((a) => a.outcome)).toEqual(['false', 'false', 'false', 'false', 'false', 'false']);
    for (const a of answers) expect(a.shared).not.toHaveProperty('_id');
    expect(p.hashes.verified).toBe(2); // alice's wrong password and locked's; blank ones evaluate nothing
  });

  it('false once the attempt budget is spent, even with the right password', async () => {
    const p = await testbed({ attemptBudget: 2 });
    await check(p, 'alice', 'wrong 1');
    await check(p, 'alice', 'wrong 2');
    expect((await check(p, 'alice', ALICE.password)).outcome).toBe('false');
    expect(p.hashes.verified).toBe(2);
  });
});
