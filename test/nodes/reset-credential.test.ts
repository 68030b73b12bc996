import { describe, expect, it } from 'vitest';
import { setObjectAttribute } from '../../src/nodes/helpers/object-attributes.js';
import { resetCredentialNode as reset } from '../../src/nodes/reset-credential.js';
import { configFor, makeNodeContext, USER_RESOURCE } from '../support/node-context.js';
import { ALICE, BOB, operatorSession, outcomeOf, testbed } from './identity-fixtures.js';

const operatorJourney = { id: 'HelpdeskReset', noSession: true };

describe('Reset Credential (ResetCredentialNode)', () => {
  const resetConfig = configFor(reset, {});
  const VALUE = 'Generated-Value-0123456789abcdefgh';
  const transientWith = (value: string): Record<string, unknown> => {
    const transient: Record<string, unknown> = {};
    setObjectAttribute(transient, 'password', value);
    return transient;
  };

  it('saves the value for the operator through the one save path: must-change, audited with requester and target', async () => {
    const t = await testbed();
    const ssoTokenId = await operatorSession(t, 'helen', ['helpdesk']);
    const ctx = makeNodeContext({
      config: resetConfig,
      journey: operatorJourney,
      shared: { _id: BOB._id },
      transient: transientWith(VALUE),
      request: { ssoTokenId },
      services: t.services,
    });
    expect(outcomeOf(await reset.process(ctx))).toBe('RESET');
    expect((await t.stored(BOB._id))?.['passwordMustChange']).toBe(true);
    expect(await t.identity.verifyPassword(USER_RESOURCE, BOB._id, VALUE)).toBe('match');
    expect(t.audit.find((a) => a.event === 'credential.reset')?.fields).toEqual({
      resource: USER_RESOURCE,
      userId: BOB._id,
      requester: 'admin:helen',
      method: 'HelpdeskReset',
      forceChange: true,
    });
    expect(JSON.stringify(t.audit)).not.toContain(VALUE);
  });

  it('PROTECTED for helpdesk when the target is an administrator (same userName or mail) or matches the policy filter; admin may', async () => {
    const t = await testbed({ protectedTargets: { queryFilter: 'sn eq "Builder"' } });
    await t.admins.create(ALICE.mail as string, 'the person behind alice', ['admin']);
    const helpdesk = await operatorSession(t, 'helen', ['helpdesk']);
    const admin = await operatorSession(t, 'ada', ['admin']);
    const run = async (ssoTokenId: string, target: string) => {
      const ctx = makeNodeContext({
        config: resetConfig,
        journey: operatorJourney,
        shared: { _id: target },
        transient: transientWith(VALUE),
        request: { ssoTokenId },
        services: t.services,
      });
      const result = await reset.process(ctx);
      return { outcome: outcomeOf(result), message: result.kind === 'outcome' ? result.errorMessage : undefined, transient: ctx.transient };
    };
    for (const target of [ALICE._id, BOB._id]) {
      const refused = await run(helpdesk, target);
      expect(refused.outcome).toBe('PROTECTED');
      expect(refused.message).toBe('This account is protected: only an administrator can reset its password.');
      expect(JSON.stringify(refused.transient)).not.toContain(VALUE);
      expect(await t.identity.verifyPassword(USER_RESOURCE, target, VALUE)).not.toBe('match');
    }
    expect(t.audit.filter((a) => a.event === 'credential.reset.refused').map((a) => [a.fields['userId'], a.fields['reason']])).toEqual([
      [ALICE._id, 'protected'],
      [BOB._id, 'protected'],
    ]);
    expect((await run(admin, ALICE._id)).outcome).toBe('RESET');
    expect((await run(admin, BOB._id)).outcome).toBe('RESET');
  });

  it('FAILURE without an operator’s session, without a value or a user, and for a value the policy refuses', async () => {
    const t = await testbed();
    const helpdesk = await operatorSession(t, 'helen', ['helpdesk']);
    const user = (await t.sessions.create({ uid: ALICE.userName, userId: ALICE._id, realm: '/', journey: 'Login' })).tokenId;
    const run = async (init: { ssoTokenId?: string; _id?: string; value?: string }) => {
      const ctx = makeNodeContext({
        config: resetConfig,
        journey: operatorJourney,
        shared: init._id ? { _id: init._id } : {},
        transient: init.value ? transientWith(init.value) : {},
        request: init.ssoTokenId ? { ssoTokenId: init.ssoTokenId } : {},
        services: t.services,
      });
      return outcomeOf(await reset.process(ctx));
    };
    expect(await run({ _id: BOB._id, value: VALUE })).toBe('FAILURE');
    expect(await run({ ssoTokenId: user, _id: BOB._id, value: VALUE })).toBe('FAILURE');
    expect(await run({ ssoTokenId: helpdesk, _id: BOB._id })).toBe('FAILURE');
    expect(await run({ ssoTokenId: helpdesk, value: VALUE })).toBe('FAILURE');
    expect(await run({ ssoTokenId: helpdesk, _id: 'no-such-user', value: VALUE })).toBe('FAILURE');
    expect(await run({ ssoTokenId: helpdesk, _id: BOB._id, value: 'short' })).toBe('FAILURE');
    expect(t.audit.filter((a) => a.event === 'credential.reset')).toEqual([]);
  });
});
