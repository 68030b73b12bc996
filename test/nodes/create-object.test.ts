import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/errors/cairn-error.js';
import { createObjectNode as node } from '../../src/nodes/create-object.js';
import { configFor, makeNodeContext, USER_RESOURCE } from '../support/node-context.js';
import { outcomeOf, testbed } from './identity-fixtures.js';

const collected = { userName: 'newbie', mail: 'newbie@example.com', givenName: 'New', sn: 'Bie', preferences: { marketing: true } };

describe('Create Object (CreateObjectNode)', () => {
  const config = configFor(node);

  it('declares AM type, name, defaults and outcomes', () => {
    expect([node.type, node.displayName]).toEqual(['CreateObjectNode', 'Create Object']);
    expect(config).toEqual({ identityResource: 'managed/user' });
    expect(node.outcomes).toEqual([
      { id: 'CREATED', displayName: 'Created' },
      { id: 'FAILURE', displayName: 'Failed' },
    ]);
  });

  it('CREATED: creates the object from shared + transient objectAttributes and writes shared._id', async () => {
    const t = await testbed();
    const shared: Record<string, unknown> = { objectAttributes: structuredClone(collected) };
    const transient = { objectAttributes: { password: 'a fine password' } };
    expect(outcomeOf(await node.process(makeNodeContext({ config, shared, transient, services: t.services })))).toBe('CREATED');
    const id = shared['_id'];
    expect(typeof id).toBe('string');
    const stored = await t.stored(id as string);
    expect(stored).toMatchObject({ ...collected, _id: id, accountStatus: 'active' });
    expect(stored?.password).toMatch(/^\$argon2id\$/); // stored hashed, never in clear
    expect(await t.identity.verifyPassword(USER_RESOURCE, id as string, 'a fine password')).toBe('match');
  });

  it('FAILURE when a schema-required attribute is missing (listing them), or the service refuses', async () => {
    const t = await testbed();
    const { sn: _sn, givenName: _g, ...partial } = collected;
    const missing = await node.process(makeNodeContext({ config, shared: { objectAttributes: { ...partial, mail: ' ' } }, services: t.services }));
    expect(missing).toEqual({ kind: 'outcome', outcome: 'FAILURE', errorMessage: 'Missing required attributes: givenName, sn, mail.' });

    const taken = await node.process(
      makeNodeContext({ config, shared: { objectAttributes: { ...collected, userName: 'ALICE' } }, services: t.services }),
    );
    // The service's own English message never reaches a page as it is: the refused policy's sentence does.
    expect(taken).toEqual({ kind: 'outcome', outcome: 'FAILURE', errorMessage: 'This username is not valid or is not available.' });

    const weak = await node.process(
      makeNodeContext({
        config,
        shared: { objectAttributes: collected },
        transient: { objectAttributes: { password: 'short' } },
        services: t.services,
      }),
    );
    expect(weak).toMatchObject({
      outcome: 'FAILURE',
      errorMessage: 'Must be at least 8 characters long. This password is too common. Choose one that is harder to guess.',
    });
    const weakFr = await node.process(
      makeNodeContext({
        config,
        shared: { objectAttributes: collected },
        transient: { objectAttributes: { password: 'short' } },
        services: t.services,
        locales: ['fr-CA'],
      }),
    );
    expect(weakFr).toMatchObject({
      outcome: 'FAILURE',
      errorMessage: 'Doit contenir au moins 8 caractères. Ce mot de passe est trop courant. Choisissez-en un plus difficile à deviner.',
    });
    expect(await t.identity.findByAttribute(USER_RESOURCE, 'userName', 'newbie')).toBeUndefined();
  });

  it("refuses to run against another identityResource than the journey's", async () => {
    await expect(
      node.process(makeNodeContext({ config: configFor(node, { identityResource: 'managed/role' }), shared: { objectAttributes: collected } })),
    ).rejects.toThrow(CairnError);
  });
});
