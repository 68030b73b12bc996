import { describe, expect, it } from 'vitest';
import { deliverCredentialNode as node, splitValue } from '../../src/nodes/deliver-credential.js';
import { outcomesOf } from '../../src/nodes/types.js';
import { setObjectAttribute } from '../../src/nodes/helpers/object-attributes.js';
import { auditsOf, callbacksOf, clientAnswer, configFor, mailsOf, makeNodeContext } from '../support/node-context.js';
import { ALICE, BOB, outcomeOf, testbed } from './identity-fixtures.js';

const SECRET = 'Gx7-q9Lm_Pz2.Rt4vW8@kN3s';
const withValue = (): Record<string, unknown> => {
  const transient: Record<string, unknown> = {};
  setObjectAttribute(transient, 'password', SECRET);
  return transient;
};

describe('Deliver Credential (DeliverCredentialNode)', () => {
  it('declares its type, defaults and outcomes; split needs two recipients', () => {
    expect([node.type, node.displayName]).toEqual(['DeliverCredentialNode', 'Deliver Credential']);
    const config = configFor(node, {});
    expect(config.method).toBe('screen');
    expect(outcomesOf(node, config).map((o) => o.id)).toEqual(['DELIVERED', 'NOT_DELIVERED']);
    expect(node.checkConfig?.(configFor(node, { method: 'split', recipients: ['a@example.com'] }))).toHaveLength(1);
  });

  it('screen: shows the value once, forgets it, and the acknowledged step (or a replay of it) never shows it again', async () => {
    const t = await testbed();
    const config = configFor(node, { method: 'screen' });
    const transient = withValue();
    const local: Record<string, unknown> = {};
    const shared = { _id: ALICE._id };
    const first = await node.process(makeNodeContext({ config, shared, transient, local, services: t.services }));
    const sent = callbacksOf(first);
    expect(JSON.stringify(sent)).toContain(SECRET);
    expect(JSON.stringify(transient)).not.toContain(SECRET);
    expect(JSON.stringify(shared)).not.toContain(SECRET);
    // The client answers: DELIVERED, with nothing secret in the result.
    const second = await node.process(
      makeNodeContext({ config, shared, transient, local, callbacks: clientAnswer(sent, { IDToken2: 0 }), services: t.services }),
    );
    expect(outcomeOf(second)).toBe('DELIVERED');
    expect(JSON.stringify(second)).not.toContain(SECRET);
    // Entered again without the value (a later visit): nothing to show.
    const again = await node.process(makeNodeContext({ config, shared, transient, local: {}, services: t.services }));
    expect(outcomeOf(again)).toBe('NOT_DELIVERED');
    expect(JSON.stringify(again)).not.toContain(SECRET);
    expect(JSON.stringify([...auditsOf(first), ...auditsOf(second), ...t.audit])).not.toContain(SECRET);
  });

  it('email: one mail effect to the user with the value in the template object only; audit without it', async () => {
    const t = await testbed();
    const config = configFor(node, { method: 'email' });
    const transient = withValue();
    const result = await node.process(makeNodeContext({ config, shared: { _id: ALICE._id }, transient, services: t.services }));
    expect(outcomeOf(result)).toBe('DELIVERED');
    const mails = mailsOf(result);
    expect(mails).toEqual([
      expect.objectContaining({ template: 'generatedPassword', to: ALICE.mail, object: expect.objectContaining({ credential: SECRET }) }),
    ]);
    expect(mails[0]?.object).not.toHaveProperty('password');
    expect(JSON.stringify(auditsOf(result))).not.toContain(SECRET);
    expect(transient).toEqual({ objectAttributes: {} });
  });

  it('split: k parts to k recipients, joined in order they are the value, no part holds it', async () => {
    const t = await testbed();
    const recipients = ['ops1@example.com', 'ops2@example.com', 'ops3@example.com'];
    const config = configFor(node, { method: 'split', recipients });
    const result = await node.process(makeNodeContext({ config, shared: { _id: BOB._id }, transient: withValue(), services: t.services }));
    const mails = mailsOf(result);
    expect(mails.map((m) => m.to)).toEqual(recipients);
    const parts = mails.map((m) => m.object['credentialPart'] as string);
    expect(parts.join('')).toBe(SECRET);
    for (const p of parts) expect(p.length).toBeLessThan(SECRET.length / 2);
    expect(mails.map((m) => [m.object['partNumber'], m.object['partCount']])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect(JSON.stringify(auditsOf(result))).not.toContain(parts[0]);
    expect(splitValue('abcdé', 2)).toEqual(['ab', 'cdé']);
  });

  it('NOT_DELIVERED without a value or a recipient', async () => {
    const t = await testbed();
    const email = configFor(node, { method: 'email' });
    expect(outcomeOf(await node.process(makeNodeContext({ config: email, shared: { _id: ALICE._id }, services: t.services })))).toBe('NOT_DELIVERED');
    expect(
      outcomeOf(await node.process(makeNodeContext({ config: email, shared: { _id: 'u-nomail' }, transient: withValue(), services: t.services }))),
    ).toBe('NOT_DELIVERED');
  });
});
