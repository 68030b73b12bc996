import { describe, expect, it } from 'vitest';
import type { Callback } from '../../src/callbacks/types.js';
import { CairnError } from '../../src/errors/cairn-error.js';
import { attributeCollectorNode as node } from '../../src/nodes/attribute-collector.js';
import { blockTestbed, callbacksOf, clientAnswer, configFor, createNodeTestbed } from '../support/node-context.js';

const outputs = (cb: Callback | undefined) => Object.fromEntries((cb?.output ?? []).map((f) => [f.name, f.value]));

describe('Attribute Collector (AttributeCollectorNode)', () => {
  // The real managed-object schema and policy service over a temporary store.
  const ctx = blockTestbed().context;

  it('declares AM type, name, defaults; attributesToCollect is required', () => {
    expect([node.type, node.displayName]).toEqual(['AttributeCollectorNode', 'Attribute Collector']);
    expect(configFor(node, { attributesToCollect: ['mail'] })).toEqual({
      attributesToCollect: ['mail'],
      required: false,
      validateInputs: false,
      identityAttribute: 'userName',
    });
    expect(() => configFor(node, {})).toThrow(/attributesToCollect/);
    expect(() => configFor(node, { attributesToCollect: [] })).toThrow();
    expect(() => configFor(node, { attributesToCollect: ['/bad//path'] })).toThrow();
    // Collects several values but decides nothing among them: may stand anywhere on a page.
    expect(node.multipleCallbacks).toBe(false);
  });

  it('the ResetPassword page: one StringAttributeInputCallback exactly as AIC sends it', async () => {
    const config = configFor(node, { attributesToCollect: ['mail'], identityAttribute: 'mail', required: true, validateInputs: false });
    const sent = callbacksOf(await node.process(ctx({ config })));
    expect(JSON.stringify(sent)).toBe(
      '[{"type":"StringAttributeInputCallback","output":[{"name":"name","value":"mail"},{"name":"prompt","value":"Email Address"},{"name":"required","value":true},{"name":"policies","value":{}},{"name":"failedPolicies","value":[]},{"name":"validateOnly","value":false},{"name":"value","value":""}],"input":[{"name":"IDToken1","value":""},{"name":"IDToken1validateOnly","value":false}]}]',
    );
  });

  it('picks the callback type from the schema, prompt from title/description/name, required from config and nullability', async () => {
    const config = configFor(node, {
      attributesToCollect: ['givenName', 'age', 'loginCount', 'preferences/marketing', 'preferences/updates', 'telephoneNumber', 'nickname'],
      required: true,
    });
    const sent = callbacksOf(await node.process(ctx({ config })));
    expect(sent.map((cb) => [cb.type, outputs(cb)['name'], outputs(cb)['prompt'], outputs(cb)['required'], outputs(cb)['value']])).toEqual([
      ['StringAttributeInputCallback', 'givenName', 'First Name', true, ''],
      ['NumberAttributeInputCallback', 'age', 'Age', true, null], // the description when there is no title
      ['NumberAttributeInputCallback', 'loginCount', 'loginCount', true, null], // else the name
      ['BooleanAttributeInputCallback', 'preferences/marketing', 'Send me special offers and services', true, false],
      ['BooleanAttributeInputCallback', 'preferences/updates', 'Send me news and updates', true, false],
      ['StringAttributeInputCallback', 'telephoneNumber', 'Telephone Number', false, ''],
      ['StringAttributeInputCallback', 'nickname', 'nickname', true, ''],
    ]);
  });

  it('pre-fills values from shared objectAttributes (nested paths included)', async () => {
    const config = configFor(node, { attributesToCollect: ['givenName', 'preferences/marketing', 'age'] });
    const shared = { objectAttributes: { givenName: 'Ann', preferences: { marketing: true }, age: 'not a number' } };
    const sent = callbacksOf(await node.process(ctx({ config, shared })));
    expect(sent.map((cb) => cb.input?.[0]?.value)).toEqual(['Ann', true, null]);
  });

  it('loops while a required value is blank, then writes all values (nested) to shared state', async () => {
    const config = configFor(node, { attributesToCollect: ['givenName', 'sn', 'preferences/marketing', 'age'], required: true });
    const shared: Record<string, unknown> = { objectAttributes: { userName: 'ann' } };
    const sent = callbacksOf(await node.process(ctx({ config, shared })));

    const missing = await node.process(
      ctx({ config, shared, callbacks: clientAnswer(sent, { IDToken1: 'Ann', IDToken2: '', IDToken3: true, IDToken4: 30 }) }),
    );
    const resent = callbacksOf(missing);
    expect(resent.map((cb) => cb.input?.[0]?.value)).toEqual(['Ann', '', true, 30]);
    expect(resent.map((cb) => outputs(cb)['failedPolicies'])).toEqual([[], ['{"policyRequirement":"REQUIRED"}'], [], []]);
    expect(shared).toEqual({ objectAttributes: { userName: 'ann' } });

    const done = await node.process(
      ctx({ config, shared, callbacks: clientAnswer(sent, { IDToken1: 'Ann', IDToken2: 'Lee', IDToken3: true, IDToken4: 30 }) }),
    );
    expect(done).toEqual({ kind: 'outcome', outcome: 'outcome' });
    expect(shared).toEqual({ objectAttributes: { userName: 'ann', givenName: 'Ann', sn: 'Lee', preferences: { marketing: true }, age: 30 } });
  });

  it('optional blank values are not required and not written; false booleans are written', async () => {
    const config = configFor(node, { attributesToCollect: ['preferences/updates', 'preferences/marketing', 'telephoneNumber'] });
    const shared: Record<string, unknown> = {};
    const sent = callbacksOf(await node.process(ctx({ config, shared })));
    const done = await node.process(ctx({ config, shared, callbacks: clientAnswer(sent, { IDToken2: true }) }));
    expect(done).toEqual({ kind: 'outcome', outcome: 'outcome' });
    expect(shared).toEqual({ objectAttributes: { preferences: { updates: false, marketing: true } } });
  });

  it('validating: policies sent, failures re-sent per attribute, validateOnly never advances', async () => {
    const config = configFor(node, { attributesToCollect: ['givenName', 'mail'], required: true, validateInputs: true });
    const fresh = await createNodeTestbed();
    const shared: Record<string, unknown> = { _id: 'u-1' };
    const sent = callbacksOf(await node.process(ctx({ config, shared }, fresh)));
    expect(sent.map((cb) => outputs(cb)['policies'])).toMatchObject([
      { name: 'givenName', policyRequirements: expect.arrayContaining(['REQUIRED', 'MIN_LENGTH']) },
      { name: 'mail', policyRequirements: expect.arrayContaining(['REQUIRED', 'VALID_EMAIL_ADDRESS_FORMAT']) },
    ]);

    const bad = await node.process(ctx({ config, shared, callbacks: clientAnswer(sent, { IDToken1: 'Ann', IDToken2: 'nope' }) }, fresh));
    const badCallbacks = callbacksOf(bad);
    expect(badCallbacks.map((cb) => outputs(cb)['failedPolicies'])).toEqual([[], ['{"policyRequirement":"VALID_EMAIL_ADDRESS_FORMAT"}']]);
    expect(badCallbacks.map((cb) => cb.input?.[0]?.value)).toEqual(['Ann', 'nope']);

    const only = await node.process(
      ctx(
        {
          config,
          shared,
          callbacks: clientAnswer(sent, { IDToken1: 'Ann', IDToken2: 'ann@example.com', IDToken2validateOnly: true }),
        },
        fresh,
      ),
    );
    expect(callbacksOf(only).map((cb) => [outputs(cb)['validateOnly'], outputs(cb)['failedPolicies']])).toEqual([
      [false, []],
      [true, []],
    ]);
    expect(shared).toEqual({ _id: 'u-1' });

    const ok = await node.process(ctx({ config, shared, callbacks: clientAnswer(sent, { IDToken1: 'Ann', IDToken2: 'ann@example.com' }) }, fresh));
    expect(ok).toEqual({ kind: 'outcome', outcome: 'outcome' });
    expect(shared).toEqual({ _id: 'u-1', objectAttributes: { givenName: 'Ann', mail: 'ann@example.com' } });
    const last = fresh.checks.at(-1);
    expect(last?.context).toEqual({ objectId: 'u-1', attributes: { givenName: 'Ann', mail: 'ann@example.com' } });
  });

  it('without validation, no policy is consulted', async () => {
    const config = configFor(node, { attributesToCollect: ['mail'] });
    const fresh = await createNodeTestbed();
    const sent = callbacksOf(await node.process(ctx({ config }, fresh)));
    const done = await node.process(ctx({ config, callbacks: clientAnswer(sent, { IDToken1: 'not-an-email' }) }, fresh));
    expect(done).toEqual({ kind: 'outcome', outcome: 'outcome' });
    expect(fresh.checks).toEqual([]);
  });

  it('reports attributes it cannot collect as a configuration problem (not exposed to clients)', async () => {
    const cases: [string[], boolean, RegExp][] = [
      [['shoeSize'], false, /"shoeSize" is not a property of managed\/user/],
      [['effectiveRoles'], false, /has type array/],
      [['preferences'], false, /has type object/],
      [['password'], false, /not viewable/],
      [['loginCount'], true, /not user-editable/],
    ];
    for (const [attributesToCollect, validateInputs, message] of cases) {
      const config = configFor(node, { attributesToCollect, validateInputs });
      const error = await node.process(ctx({ config })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CairnError);
      expect((error as CairnError).expose).toBe(false);
      expect((error as CairnError).message).toMatch(message);
    }
  });

  it('uses the journey identity resource', async () => {
    const config = configFor(node, { attributesToCollect: ['mail'] });
    const error = await node.process(ctx({ config, journey: { identityResource: 'managed/alpha_user' } })).catch((e: unknown) => e);
    expect((error as CairnError).message).toMatch(/managed\/alpha_user/);
  });
});
