import { describe, expect, it } from 'vitest';
import { validatedUsernameNode as node } from '../../src/nodes/validated-username.js';
import { blockTestbed, callbacksOf, clientAnswer, configFor, makeNodeContext } from '../support/node-context.js';
import { testbed } from './identity-fixtures.js';

const outputs = (cb: { output: { name: string; value: unknown }[] } | undefined) =>
  Object.fromEntries((cb?.output ?? []).map((f) => [f.name, f.value]));

describe('Platform Username (ValidatedUsernameNode)', () => {
  it('declares AM type, name, defaults and its single outcome', () => {
    expect(node.type).toBe('ValidatedUsernameNode');
    expect(node.displayName).toBe('Platform Username');
    expect(configFor(node)).toEqual({ validateInput: false, usernameAttribute: 'userName' });
    expect(node.outcomes).toEqual([{ id: 'outcome', displayName: 'Outcome' }]);
    expect(() => configFor(node, { validateInput: 'yes' })).toThrow(/validateInput/);
    expect(() => configFor(node, { usernameAttibute: 'x' })).toThrow(/additional/);
  });

  describe('without validation', () => {
    const config = configFor(node, {});

    it('asks with NameCallback("User Name"), again on a blank answer, then stores the username', async () => {
      const shared: Record<string, unknown> = {};
      const sent = callbacksOf(await node.process(makeNodeContext({ config, shared })));
      expect(sent).toEqual([{ type: 'NameCallback', output: [{ name: 'prompt', value: 'User Name' }], input: [{ name: 'IDToken1', value: '' }] }]);

      const blank = await node.process(makeNodeContext({ config, shared, callbacks: clientAnswer(sent, { IDToken1: '' }) }));
      expect(callbacksOf(blank)[0]?.type).toBe('NameCallback');
      expect(shared).toEqual({});

      const done = await node.process(makeNodeContext({ config, shared, callbacks: clientAnswer(sent, { IDToken1: 'alice' }) }));
      expect(done).toEqual({ kind: 'outcome', outcome: 'outcome' });
      expect(shared).toEqual({ username: 'alice', objectAttributes: { userName: 'alice' } });
    });

    it('writes to the configured attribute, keeping other collected attributes', async () => {
      const cfg = configFor(node, { usernameAttribute: 'mail' });
      const shared: Record<string, unknown> = { objectAttributes: { givenName: 'Ann' } };
      const sent = callbacksOf(await node.process(makeNodeContext({ config: cfg, shared })));
      await node.process(makeNodeContext({ config: cfg, shared, callbacks: clientAnswer(sent, { IDToken1: 'ann@example.com' }) }));
      expect(shared).toEqual({ username: 'ann@example.com', objectAttributes: { givenName: 'Ann', mail: 'ann@example.com' } });
    });
  });

  describe('with validation', () => {
    const config = configFor(node, { validateInput: true });
    // The real schema and policy service; `alice` is a stored user, so that name is taken.
    const block = blockTestbed();

    it('sends ValidatedCreateUsernameCallback with the schema title and the policy requirements', async () => {
      const sent = callbacksOf(await node.process(makeNodeContext({ config, services: block.testbed.services })));
      expect(sent).toHaveLength(1);
      expect(sent[0]?.type).toBe('ValidatedCreateUsernameCallback');
      expect(outputs(sent[0])).toEqual({
        policies: block.testbed.services.policy.describe('managed/user', 'userName'),
        failedPolicies: [],
        validateOnly: false,
        prompt: 'Username',
      });
      expect(outputs(sent[0])['policies']).toMatchObject({
        name: 'userName',
        policyRequirements: expect.arrayContaining(['REQUIRED', 'VALID_USERNAME']),
      });
    });

    it('falls back to the prompt "Username" when the schema has no such attribute', async () => {
      const cfg = configFor(node, { validateInput: true, usernameAttribute: 'handle' });
      const sent = callbacksOf(await node.process(makeNodeContext({ config: cfg, services: block.testbed.services })));
      expect(outputs(sent[0])).toMatchObject({ prompt: 'Username', policies: {} });
    });

    it('validateOnly: runs the policies and re-sends with the value and failures, without advancing', async () => {
      const shared: Record<string, unknown> = {};
      const p = await testbed();
      const sent = callbacksOf(await node.process(makeNodeContext({ config, shared, services: p.services })));

      const checkOnly = await node.process(
        makeNodeContext({ config, shared, services: p.services, callbacks: clientAnswer(sent, { IDToken1: 'alice', IDToken1validateOnly: true }) }),
      );
      const resent = callbacksOf(checkOnly);
      expect(outputs(resent[0])).toMatchObject({ failedPolicies: ['{"policyRequirement":"VALID_USERNAME"}'], validateOnly: true });
      expect(resent[0]?.input).toEqual([
        { name: 'IDToken1', value: 'alice' },
        { name: 'IDToken1validateOnly', value: false },
      ]);
      expect(shared).toEqual({});

      const okOnly = await node.process(
        makeNodeContext({ config, shared, services: p.services, callbacks: clientAnswer(sent, { IDToken1: 'fresh', IDToken1validateOnly: true }) }),
      );
      expect(outputs(callbacksOf(okOnly)[0])).toMatchObject({ failedPolicies: [], validateOnly: true });
      expect(shared).toEqual({});
      expect(p.checks.map((c) => [c.property, c.value])).toEqual([
        ['userName', 'alice'],
        ['userName', 'fresh'],
      ]);
    });

    it('a failing submit re-sends with failedPolicies; a passing one stores and advances', async () => {
      const shared: Record<string, unknown> = { _id: 'user-1', objectAttributes: { mail: 'a@example.com' } };
      const p = await testbed();
      const sent = callbacksOf(await node.process(makeNodeContext({ config, shared, services: p.services })));

      const fail = await node.process(
        makeNodeContext({ config, shared, services: p.services, callbacks: clientAnswer(sent, { IDToken1: 'alice' }) }),
      );
      expect(outputs(callbacksOf(fail)[0])).toMatchObject({ failedPolicies: ['{"policyRequirement":"VALID_USERNAME"}'], validateOnly: false });
      expect(shared['username']).toBeUndefined();

      const ok = await node.process(makeNodeContext({ config, shared, services: p.services, callbacks: clientAnswer(sent, { IDToken1: 'alicia' }) }));
      expect(ok).toEqual({ kind: 'outcome', outcome: 'outcome' });
      expect(shared).toEqual({ _id: 'user-1', username: 'alicia', objectAttributes: { mail: 'a@example.com', userName: 'alicia' } });
      // Policy checks see the object id and the attributes collected so far, with the candidate value.
      expect(p.checks[1]?.context).toEqual({ objectId: 'user-1', attributes: { mail: 'a@example.com', userName: 'alicia' } });
    });

    it('a blank submit is re-sent with a REQUIRED failure and never reaches the policy service', async () => {
      const p = await testbed();
      const sent = callbacksOf(await node.process(makeNodeContext({ config, services: p.services })));
      const blank = await node.process(makeNodeContext({ config, services: p.services, callbacks: clientAnswer(sent, { IDToken1: '' }) }));
      expect(outputs(callbacksOf(blank)[0])['failedPolicies']).toEqual(['{"policyRequirement":"REQUIRED"}']);
      expect(p.checks).toEqual([]);
    });
  });
});
