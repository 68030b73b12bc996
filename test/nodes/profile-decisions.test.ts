/**
 * The decision nodes of progressive profiling on the real identity service: Login Count Decision (AT /
 * EVERY) and Attribute Value Decision (PRESENT / EQUALS, typed like the attribute, CREST's case rule).
 */
import { describe, expect, it } from 'vitest';
import { attributeValueDecisionNode } from '../../src/nodes/attribute-value-decision.js';
import { loginCountDecisionNode } from '../../src/nodes/login-count-decision.js';
import { auditsOf, configFor, makeNodeContext } from '../support/node-context.js';
import { outcomeOf, testbed } from './identity-fixtures.js';

const THIRD = {
  _id: 'u-third',
  userName: 'third',
  mail: 'third@example.com',
  accountStatus: 'active' as const,
  loginCount: 3,
  tags: ['blue', 'green'],
};
const SIXTH = { _id: 'u-sixth', userName: 'sixth', mail: 'sixth@example.com', accountStatus: 'active' as const, loginCount: 6 };

describe('Login Count Decision (LoginCountDecisionNode)', () => {
  it("declares AM's type, name, defaults and outcomes", () => {
    const node = loginCountDecisionNode;
    expect([node.type, node.displayName]).toEqual(['LoginCountDecisionNode', 'Login Count Decision']);
    expect(configFor(node)).toEqual({ interval: 'AT', amount: 25, identityAttribute: 'userName' });
    expect(configFor(node, { interval: 'AT', identityAttribute: 'userName', amount: 3 })).toEqual({
      interval: 'AT',
      identityAttribute: 'userName',
      amount: 3,
    });
    expect(() => configFor(node, { interval: 'SOMETIMES' })).toThrow(/interval/);
    expect(() => configFor(node, { amount: 0 })).toThrow(/amount/);
    expect(node.outcomes).toEqual([
      { id: 'true', displayName: 'True' },
      { id: 'false', displayName: 'False' },
    ]);
  });

  it('AT: true only at the amount; EVERY: true at each multiple; false for a user who never logged in', async () => {
    const p = await testbed({ users: [THIRD, SIXTH, { _id: 'u-new', userName: 'new', mail: 'new@example.com' }] });
    const run = (interval: string, amount: number, username: string) =>
      loginCountDecisionNode
        .process(makeNodeContext({ config: configFor(loginCountDecisionNode, { interval, amount }), shared: { username }, services: p.services }))
        .then(outcomeOf);
    expect(await run('AT', 3, 'third')).toBe('true');
    expect(await run('AT', 3, 'sixth')).toBe('false');
    expect(await run('EVERY', 3, 'third')).toBe('true');
    expect(await run('EVERY', 3, 'sixth')).toBe('true');
    expect(await run('EVERY', 4, 'sixth')).toBe('false');
    expect(await run('AT', 3, 'new')).toBe('false');
  });

  it('counts the logins Increment Login Count records', async () => {
    const p = await testbed();
    const config = configFor(loginCountDecisionNode, { amount: 2 });
    const run = () => loginCountDecisionNode.process(makeNodeContext({ config, shared: { _id: 'u-bob' }, services: p.services })).then(outcomeOf);
    await p.identity.recordLogin('managed/user', 'u-bob');
    expect(await run()).toBe('false');
    await p.identity.recordLogin('managed/user', 'u-bob');
    expect(await run()).toBe('true');
  });

  it('false with an audit event when nobody is identified (AM would throw)', async () => {
    const p = await testbed();
    const result = await loginCountDecisionNode.process(
      makeNodeContext({ config: configFor(loginCountDecisionNode), shared: {}, services: p.services }),
    );
    expect(outcomeOf(result)).toBe('false');
    expect(auditsOf(result).map((a) => a.event)).toEqual(['journey.identity.missing']);
  });
});

describe('Attribute Value Decision (AttributeValueDecisionNode)', () => {
  const node = attributeValueDecisionNode;

  it("declares AM's type, name, defaults and outcomes; the attribute is required", () => {
    expect([node.type, node.displayName]).toEqual(['AttributeValueDecisionNode', 'Attribute Value Decision']);
    expect(configFor(node, { comparisonAttribute: 'accountStatus' })).toEqual({
      comparisonAttribute: 'accountStatus',
      comparisonOperation: 'EQUALS',
      identityAttribute: 'userName',
    });
    expect(() => configFor(node, {})).toThrow(/comparisonAttribute/);
    expect(() => configFor(node, { comparisonAttribute: 'a', comparisonOperation: 'CONTAINS' })).toThrow(/comparisonOperation/);
  });

  it('EQUALS compares as the attribute is typed (boolean, number, text without case) and inside arrays', async () => {
    const p = await testbed({
      users: [THIRD, { _id: 'u-alice', userName: 'alice', mail: 'alice@example.com', accountStatus: 'active', preferences: { marketing: false } }],
    });
    const run = (comparisonAttribute: string, comparisonValue: string | undefined, username: string, identityAttribute = 'userName') =>
      node
        .process(
          makeNodeContext({
            config: configFor(node, { comparisonAttribute, identityAttribute, ...(comparisonValue === undefined ? {} : { comparisonValue }) }),
            shared: { username, objectAttributes: { mail: `${username}@example.com` } },
            services: p.services,
          }),
        )
        .then(outcomeOf);
    expect(await run('accountStatus', 'Active', 'alice')).toBe('true'); // AIC exports compare "Active" with "active"
    expect(await run('accountStatus', 'inactive', 'alice')).toBe('false');
    expect(await run('preferences/marketing', 'false', 'alice')).toBe('true');
    expect(await run('preferences/marketing', 'true', 'alice')).toBe('false');
    expect(await run('loginCount', '3', 'third')).toBe('true');
    expect(await run('loginCount', '03', 'third')).toBe('true');
    expect(await run('tags', 'GREEN', 'third')).toBe('true');
    expect(await run('tags', 'red', 'third')).toBe('false');
    expect(await run('givenName', undefined, 'third')).toBe('true'); // EQUALS nothing: the attribute is missing
    expect(await run('accountStatus', 'active', 'third', 'mail')).toBe('true');
  });

  it('PRESENT as Attribute Present Decision has it, the password (never read back) included', async () => {
    const p = await testbed();
    const run = (comparisonAttribute: string, username: string) =>
      node
        .process(
          makeNodeContext({
            config: configFor(node, { comparisonAttribute, comparisonOperation: 'PRESENT' }),
            shared: { username },
            services: p.services,
          }),
        )
        .then(outcomeOf);
    expect(await run('password', 'alice')).toBe('true');
    expect(await run('password', 'nopass')).toBe('false');
    expect(await run('preferences/updates', 'alice')).toBe('true');
    expect(await run('givenName', 'nopass')).toBe('false');
  });

  it('false with an audit event when nobody is identified (AM would throw)', async () => {
    const p = await testbed();
    const result = await node.process(
      makeNodeContext({ config: configFor(node, { comparisonAttribute: 'mail' }), shared: { username: 'ghost' }, services: p.services }),
    );
    expect(outcomeOf(result)).toBe('false');
    expect(auditsOf(result).map((a) => a.event)).toEqual(['journey.identity.missing']);
  });
});
