import { describe, expect, it } from 'vitest';
import { validatedPasswordNode as node } from '../../src/nodes/validated-password.js';
import { blockTestbed, callbacksOf, clientAnswer, configFor, createNodeTestbed, makeNodeContext } from '../support/node-context.js';

const outputs = (cb: { output: { name: string; value: unknown }[] } | undefined) =>
  Object.fromEntries((cb?.output ?? []).map((f) => [f.name, f.value]));

describe('Platform Password (ValidatedPasswordNode)', () => {
  it('declares AM type, name, defaults and its single outcome', () => {
    expect([node.type, node.displayName]).toEqual(['ValidatedPasswordNode', 'Platform Password']);
    expect(configFor(node)).toEqual({ validateInput: false, passwordAttribute: 'password' });
    expect(node.outcomes).toEqual([{ id: 'outcome', displayName: 'Outcome' }]);
  });

  it('without validation: PasswordCallback("Password"), re-sent on blank, stored in transient state only', async () => {
    const config = configFor(node, {});
    const shared: Record<string, unknown> = {};
    const transient: Record<string, unknown> = {};
    const sent = callbacksOf(await node.process(makeNodeContext({ config, shared, transient })));
    expect(sent).toEqual([{ type: 'PasswordCallback', output: [{ name: 'prompt', value: 'Password' }], input: [{ name: 'IDToken1', value: '' }] }]);

    expect(callbacksOf(await node.process(makeNodeContext({ config, shared, transient, callbacks: clientAnswer(sent, { IDToken1: '' }) })))).toEqual(
      sent,
    );

    const done = await node.process(makeNodeContext({ config, shared, transient, callbacks: clientAnswer(sent, { IDToken1: 'short' }) }));
    expect(done).toEqual({ kind: 'outcome', outcome: 'outcome' });
    expect(transient).toEqual({ password: 'short', objectAttributes: { password: 'short' } });
    expect(shared).toEqual({});
  });

  describe('with validation', () => {
    const config = configFor(node, { validateInput: true });
    // The real schema and policy service.
    const block = blockTestbed();
    const ctx = block.context;

    it('sends ValidatedCreatePasswordCallback (echoOn false, schema title, password policies)', async () => {
      const sent = callbacksOf(await node.process(ctx({ config })));
      expect(sent[0]?.type).toBe('ValidatedCreatePasswordCallback');
      expect(outputs(sent[0])).toEqual({
        echoOn: false,
        policies: block.testbed.services.policy.describe('managed/user', 'password'),
        failedPolicies: [],
        validateOnly: false,
        prompt: 'Password',
      });
      expect(outputs(sent[0])['policies']).toMatchObject({
        name: 'password',
        policyRequirements: expect.arrayContaining(['MIN_LENGTH', 'CANNOT_BE_COMMON']),
      });
    });

    it('validateOnly re-sends the failures with the password input blanked and does not store anything', async () => {
      const transient: Record<string, unknown> = {};
      const sent = callbacksOf(await node.process(ctx({ config, transient })));
      const result = await node.process(ctx({ config, transient, callbacks: clientAnswer(sent, { IDToken1: 'abc', IDToken1validateOnly: true }) }));
      const [resent] = callbacksOf(result);
      expect(outputs(resent)).toMatchObject({
        validateOnly: true,
        failedPolicies: ['{"params":{"minLength":8},"policyRequirement":"MIN_LENGTH"}', '{"policyRequirement":"CANNOT_BE_REPETITIVE_OR_SEQUENTIAL"}'],
      });
      expect(resent?.input?.[0]?.value).toBe('');
      expect(JSON.stringify(result)).not.toContain('abc');
      expect(transient).toEqual({});
    });

    it('validateOnly with a good password still does not advance', async () => {
      const sent = callbacksOf(await node.process(ctx({ config })));
      const result = await node.process(ctx({ config, callbacks: clientAnswer(sent, { IDToken1: 'long enough', IDToken1validateOnly: true }) }));
      expect(outputs(callbacksOf(result)[0])).toMatchObject({ validateOnly: true, failedPolicies: [] });
    });

    it('checks with the user id and collected attributes, then stores the password in transient state', async () => {
      const p = await createNodeTestbed();
      const shared: Record<string, unknown> = { _id: 'u-42', username: 'alice', objectAttributes: { userName: 'alice' } };
      const transient: Record<string, unknown> = { objectAttributes: { kbaInfo: [] } };
      const sent = callbacksOf(await node.process(ctx({ config, shared, transient }, p)));

      const fail = await node.process(ctx({ config, shared, transient, callbacks: clientAnswer(sent, { IDToken1: 'short' }) }, p));
      expect(outputs(callbacksOf(fail)[0])['failedPolicies']).toEqual([
        '{"params":{"minLength":8},"policyRequirement":"MIN_LENGTH"}',
        '{"policyRequirement":"CANNOT_BE_COMMON"}',
      ]);

      const ok = await node.process(ctx({ config, shared, transient, callbacks: clientAnswer(sent, { IDToken1: 'Secret123!' }) }, p));
      expect(ok).toEqual({ kind: 'outcome', outcome: 'outcome' });
      expect(transient).toEqual({ password: 'Secret123!', objectAttributes: { kbaInfo: [], password: 'Secret123!' } });
      expect(JSON.stringify(shared)).not.toContain('Secret123!');
      expect(p.checks[1]).toEqual({
        resource: 'managed/user',
        property: 'password',
        value: 'Secret123!',
        context: { objectId: 'u-42', attributes: { userName: 'alice', kbaInfo: [] } },
      });
    });

    it('a blank password gets REQUIRED without a policy call', async () => {
      const p = await createNodeTestbed();
      const sent = callbacksOf(await node.process(ctx({ config }, p)));
      const blank = await node.process(ctx({ config, callbacks: clientAnswer(sent, { IDToken1: '' }) }, p));
      expect(outputs(callbacksOf(blank)[0])['failedPolicies']).toEqual(['{"policyRequirement":"REQUIRED"}']);
      expect(p.checks).toHaveLength(0);
    });
  });
});
