import { describe, expect, it } from 'vitest';
import { validatedUsernameNode as node } from '../../src/nodes/validated-username.js';
import { callbacksOf, clientAnswer, configFor, makeNodeContext } from '../support/node-context.js';
import { createPolicyPort, USERNAME_POLICIES } from '../support/ports.js';

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

    it('sends ValidatedCreateUsernameCallback with the schema title and the policy requirements', async () => {
      const sent = callbacksOf(await node.process(makeNodeContext({ config })));
      expect(sent).toHaveLength(1);
      expect(sent[0]?.type).toBe('ValidatedCreateUsernameCallback');
      expect(outputs(sent[0])).toEqual({ policies: USERNAME_POLICIES, failedPolicies: [], validateOnly: false, prompt: 'Username' });
    });

    it('falls back to the prompt "Username" when the schema has no such attribute', async () => {
      const cfg = configFor(node, { validateInput: true, usernameAttribute: 'handle' });
      const sent = callbacksOf(await node.process(makeNodeContext({ config: cfg })));
      expect(outputs(sent[0])).toMatchObject({ prompt: 'Username', policies: {} });
    });

    it('validateOnly: runs the policies and re-sends with the value and failures, without advancing', async () => {
      const shared: Record<string, unknown> = {};
      const policy = createPolicyPort(['taken']);
      const sent = callbacksOf(await node.process(makeNodeContext({ config, shared, services: { policy } })));

      const checkOnly = await node.process(
        makeNodeContext({ config, shared, services: { policy }, callbacks: clientAnswer(sent, { IDToken1: 'taken', IDToken1validateOnly: true }) }),
      );
      const resent = callbacksOf(checkOnly);
      expect(outputs(resent[0])).toMatchObject({ failedPolicies: ['{"policyRequirement":"UNIQUE"}'], validateOnly: true });
      expect(resent[0]?.input).toEqual([
        { name: 'IDToken1', value: 'taken' },
        { name: 'IDToken1validateOnly', value: false },
      ]);
      expect(shared).toEqual({});

      const okOnly = await node.process(
        makeNodeContext({ config, shared, services: { policy }, callbacks: clientAnswer(sent, { IDToken1: 'fresh', IDToken1validateOnly: true }) }),
      );
      expect(outputs(callbacksOf(okOnly)[0])).toMatchObject({ failedPolicies: [], validateOnly: true });
      expect(shared).toEqual({});
      expect(policy.checks.map((c) => [c.property, c.value])).toEqual([
        ['userName', 'taken'],
        ['userName', 'fresh'],
      ]);
    });

    it('a failing submit re-sends with failedPolicies; a passing one stores and advances', async () => {
      const shared: Record<string, unknown> = { _id: 'user-1', objectAttributes: { mail: 'a@example.com' } };
      const policy = createPolicyPort(['taken']);
      const sent = callbacksOf(await node.process(makeNodeContext({ config, shared, services: { policy } })));

      const fail = await node.process(
        makeNodeContext({ config, shared, services: { policy }, callbacks: clientAnswer(sent, { IDToken1: 'taken' }) }),
      );
      expect(outputs(callbacksOf(fail)[0])).toMatchObject({ failedPolicies: ['{"policyRequirement":"UNIQUE"}'], validateOnly: false });
      expect(shared['username']).toBeUndefined();

      const ok = await node.process(makeNodeContext({ config, shared, services: { policy }, callbacks: clientAnswer(sent, { IDToken1: 'alice' }) }));
      expect(ok).toEqual({ kind: 'outcome', outcome: 'outcome' });
      expect(shared).toEqual({ _id: 'user-1', username: 'alice', objectAttributes: { mail: 'a@example.com', userName: 'alice' } });
      // Policy checks see the object id and the attributes collected so far, with the candidate value.
      expect(policy.checks[1]?.context).toEqual({ objectId: 'user-1', attributes: { mail: 'a@example.com', userName: 'alice' } });
    });

    it('a blank submit is re-sent with a REQUIRED failure and never reaches the policy port', async () => {
      const policy = createPolicyPort();
      const sent = callbacksOf(await node.process(makeNodeContext({ config, services: { policy } })));
      const blank = await node.process(makeNodeContext({ config, services: { policy }, callbacks: clientAnswer(sent, { IDToken1: '' }) }));
      expect(outputs(callbacksOf(blank)[0])['failedPolicies']).toEqual(['{"policyRequirement":"REQUIRED"}']);
      expect(policy.checks).toEqual([]);
    });
  });
});
