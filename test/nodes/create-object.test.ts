import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/errors/cairn-error.js';
import { createObjectNode as node } from '../../src/nodes/create-object.js';
import { configFor, makeNodeContext } from '../support/node-context.js';
import { outcomeOf, ports } from './identity-fixtures.js';

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
    const p = ports();
    const shared: Record<string, unknown> = { objectAttributes: structuredClone(collected) };
    const transient = { objectAttributes: { password: 'a fine password' } };
    expect(outcomeOf(await node.process(makeNodeContext({ config, shared, transient, services: p.services })))).toBe('CREATED');
    const id = shared['_id'];
    expect(typeof id).toBe('string');
    expect(p.identity.users.get(id as string)).toEqual({ ...collected, password: 'a fine password', _id: id });
  });

  it('FAILURE when a schema-required attribute is missing (listing them), or the service refuses', async () => {
    const p = ports();
    const { sn: _sn, givenName: _g, ...partial } = collected;
    const missing = await node.process(makeNodeContext({ config, shared: { objectAttributes: { ...partial, mail: ' ' } }, services: p.services }));
    expect(missing).toEqual({ kind: 'outcome', outcome: 'FAILURE', errorMessage: 'Missing required attributes: mail, givenName, sn' });

    const taken = await node.process(
      makeNodeContext({ config, shared: { objectAttributes: { ...collected, userName: 'ALICE' } }, services: p.services }),
    );
    expect(taken).toEqual({ kind: 'outcome', outcome: 'FAILURE', errorMessage: 'A user with this username already exists.' });

    const weak = await node.process(
      makeNodeContext({
        config,
        shared: { objectAttributes: collected },
        transient: { objectAttributes: { password: 'short' } },
        services: p.services,
      }),
    );
    expect(weak).toMatchObject({ outcome: 'FAILURE', errorMessage: 'Password does not meet the policy.' });
    expect(p.identity.users.size).toBe(5);
  });

  it("refuses to run against another identityResource than the journey's", async () => {
    await expect(
      node.process(makeNodeContext({ config: configFor(node, { identityResource: 'managed/role' }), shared: { objectAttributes: collected } })),
    ).rejects.toThrow(CairnError);
  });
});
