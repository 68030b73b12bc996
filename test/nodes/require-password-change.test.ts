import { describe, expect, it } from 'vitest';
import { PASSWORD_MUST_CHANGE } from '../../src/identity/identity-service.js';
import { requirePasswordChangeNode as node } from '../../src/nodes/require-password-change.js';
import { auditsOf, configFor, makeNodeContext, USER_RESOURCE } from '../support/node-context.js';
import { ALICE, outcomeOf, testbed } from './identity-fixtures.js';

describe('Require Password Change (RequirePasswordChangeNode)', () => {
  const config = configFor(node, {});

  it('marks the user; the next password change that does not set the mark clears it', async () => {
    const t = await testbed();
    const result = await node.process(makeNodeContext({ config, shared: { _id: ALICE._id }, services: t.services }));
    expect(outcomeOf(result)).toBe('outcome');
    expect(auditsOf(result)).toEqual([{ event: 'password.mustchange', fields: { journey: 'TestJourney', userId: ALICE._id } }]);
    expect((await t.stored(ALICE._id))?.[PASSWORD_MUST_CHANGE]).toBe(true);
    await t.identity.update(USER_RESOURCE, ALICE._id, { givenName: 'Alicia' });
    expect((await t.stored(ALICE._id))?.[PASSWORD_MUST_CHANGE]).toBe(true);
    await t.identity.update(USER_RESOURCE, ALICE._id, { password: 'a brand new passphrase' });
    expect(await t.stored(ALICE._id)).not.toHaveProperty(PASSWORD_MUST_CHANGE);
  });

  it('a reset that asks for it keeps it through its own password change', async () => {
    const t = await testbed();
    const r = await t.identity.resetPassword(USER_RESOURCE, ALICE._id, 'another fine passphrase', {
      requester: 'admin:x',
      method: 'm',
      forceChange: true,
    });
    expect(r).toHaveProperty('user');
    expect((await t.stored(ALICE._id))?.[PASSWORD_MUST_CHANGE]).toBe(true);
    expect(t.audit.find((a) => a.event === 'credential.reset')?.fields).toMatchObject({ userId: ALICE._id, requester: 'admin:x', method: 'm' });
  });

  it('FAILURE when nobody is identified', async () => {
    const t = await testbed();
    expect(outcomeOf(await node.process(makeNodeContext({ config, shared: {}, services: t.services })))).toBe('FAILURE');
  });
});
