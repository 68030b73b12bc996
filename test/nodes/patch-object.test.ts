import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/errors/cairn-error.js';
import { patchObjectNode as node } from '../../src/nodes/patch-object.js';
import { configFor, makeNodeContext, USER_RESOURCE } from '../support/node-context.js';
import { ALICE, BOB, outcomeOf, testbed } from './identity-fixtures.js';

/** ResetPassword's Patch Object, as AIC exports it (reference §4.2), for the default resource. */
const RESET = configFor(node, { identityAttribute: 'mail', patchAsObject: false, ignoredFields: [], identityResource: 'managed/user' });

/** State after a reset: Identify Existing User found Alice, Platform Password collected the new password. */
const afterReset = (password: string) => ({
  shared: { _id: ALICE._id, username: 'alice', objectAttributes: { mail: 'ALICE@example.com', userName: 'alice' } },
  transient: { password, objectAttributes: { password } },
});

describe('Patch Object (PatchObjectNode)', () => {
  it('declares AM type, name, defaults and outcomes', () => {
    expect([node.type, node.displayName]).toEqual(['PatchObjectNode', 'Patch Object']);
    expect(configFor(node)).toEqual({ patchAsObject: false, ignoredFields: [], identityResource: 'managed/user', identityAttribute: 'userName' });
    expect(node.outcomes).toEqual([
      { id: 'PATCHED', displayName: 'Patched' },
      { id: 'FAILURE', displayName: 'Failed' },
    ]);
  });

  it('PATCHED: writes the new password (and the collected attributes) to the identified user', async () => {
    const p = await testbed();
    const before = await p.stored(ALICE._id);
    const result = await node.process(makeNodeContext({ config: RESET, ...afterReset('brand new password'), services: p.services }));
    expect(outcomeOf(result)).toBe('PATCHED');
    const stored = await p.stored(ALICE._id);
    expect(stored).toMatchObject({ _id: ALICE._id, userName: 'alice', givenName: 'Alice' });
    expect(stored?._rev).not.toBe(before?._rev);
    expect(await p.identity.verifyPassword(USER_RESOURCE, ALICE._id, 'brand new password')).toBe('match');
    // The service's own consequences of a password change happened too.
    expect(p.audit.map((e) => e.event)).toEqual(expect.arrayContaining(['password.changed', 'sessions.revoked']));
  });

  it('FAILURE with the refused policies as sentences in the request language when the service refuses the change', async () => {
    const p = await testbed();
    const before = await p.stored(ALICE._id);
    const result = await node.process(makeNodeContext({ config: RESET, ...afterReset('short'), services: p.services }));
    expect(result).toEqual({
      kind: 'outcome',
      outcome: 'FAILURE',
      errorMessage: 'Must be at least 8 characters long. This password is too common. Choose one that is harder to guess.',
    });
    const fr = await node.process(makeNodeContext({ config: RESET, ...afterReset('short'), services: p.services, locales: ['fr'] }));
    expect(fr).toEqual({
      kind: 'outcome',
      outcome: 'FAILURE',
      errorMessage: 'Doit contenir au moins 8 caractères. Ce mot de passe est trop courant. Choisissez-en un plus difficile à deviner.',
    });
    expect(await p.stored(ALICE._id)).toEqual(before);

    // Another account holds the address: the store refuses the write; the page gets the catalogue's sentence.
    const byName = configFor(node, { identityAttribute: 'userName' });
    const clash = { shared: { _id: ALICE._id, objectAttributes: { userName: 'alice', mail: BOB.mail } }, transient: {} };
    const conflict = await node.process(makeNodeContext({ config: byName, ...clash, services: p.services }));
    expect(conflict).toEqual({ kind: 'outcome', outcome: 'FAILURE', errorMessage: 'The account could not be updated.' });
    expect(await p.stored(ALICE._id)).toEqual(before);
  });

  it('FAILURE when nobody is identified, the object does not exist, or it is not the one identified earlier', async () => {
    const p = await testbed();
    const before = await p.stored(ALICE._id);
    const run = (shared: Record<string, unknown>) =>
      node.process(
        makeNodeContext({ config: RESET, shared, transient: { objectAttributes: { password: 'brand new password' } }, services: p.services }),
      );
    expect(outcomeOf(await run({}))).toBe('FAILURE');
    expect(outcomeOf(await run({ objectAttributes: { mail: 'nobody@example.com' } }))).toBe('FAILURE');
    expect(outcomeOf(await run({ _id: 'u-bob', objectAttributes: { mail: 'alice@example.com' } }))).toBe('FAILURE');
    expect(await p.stored(ALICE._id)).toEqual(before);
  });

  it('never patches _id or ignoredFields (nested too); with nothing left it is PATCHED without a write', async () => {
    const p = await testbed();
    const bob = await p.stored(BOB._id);
    const config = configFor(node, { ignoredFields: ['userName', 'preferences/marketing'] });
    const shared = { objectAttributes: { userName: 'ALICE', _id: 'u-bob', preferences: { marketing: true, updates: false } } };
    expect(outcomeOf(await node.process(makeNodeContext({ config, shared, services: p.services })))).toBe('PATCHED');
    const patched = await p.stored(ALICE._id);
    expect(patched).toMatchObject({ userName: 'alice', preferences: { marketing: false, updates: false } });
    expect(await p.stored(BOB._id)).toEqual(bob);

    const nothing = configFor(node, { ignoredFields: ['userName'] });
    const result = await node.process(
      makeNodeContext({ config: nothing, shared: { objectAttributes: { userName: 'alice' } }, services: p.services }),
    );
    expect(outcomeOf(result)).toBe('PATCHED');
    expect(await p.stored(ALICE._id)).toEqual(patched); // no write
  });

  it("refuses to run against another identityResource than the journey's", async () => {
    const config = configFor(node, { identityResource: 'managed/alpha_user' });
    await expect(node.process(makeNodeContext({ config, ...afterReset('brand new password') }))).rejects.toThrow(CairnError);
  });
});
