import { describe, expect, it } from 'vitest';
import { CairnError } from '../../src/errors/cairn-error.js';
import { requiredAttributesDecisionNode as node } from '../../src/nodes/required-attributes-decision.js';
import { configFor, makeNodeContext } from '../support/node-context.js';
import { ALICE, outcomeOf, testbed } from './identity-fixtures.js';

describe('Required Attributes Present (RequiredAttributesDecisionNode)', () => {
  const config = configFor(node);
  const decide = async (shared: Record<string, unknown>, transient: Record<string, unknown> = {}) => {
    const p = await testbed();
    return node.process(makeNodeContext({ config, shared, transient, services: p.services })).then(outcomeOf);
  };

  it('declares AM type, name, defaults and outcomes', () => {
    expect([node.type, node.displayName]).toEqual(['RequiredAttributesDecisionNode', 'Required Attributes Present']);
    expect(config).toEqual({ identityResource: 'managed/user' });
    expect(node.outcomes).toEqual([
      { id: 'true', displayName: 'True' },
      { id: 'false', displayName: 'False' },
    ]);
  });

  it('true when every schema-required property (userName, mail, givenName, sn) is collected, in shared or transient state', async () => {
    const all = { userName: 'new', mail: 'new@example.com', givenName: 'N', sn: 'E' };
    expect(await decide({ objectAttributes: all })).toBe('true');
    const { sn, ...withoutSn } = all;
    expect(await decide({ objectAttributes: withoutSn }, { objectAttributes: { sn } })).toBe('true');
    expect(await decide({ objectAttributes: withoutSn })).toBe('false');
    expect(await decide({ objectAttributes: { ...all, givenName: ' ' } })).toBe('false');
  });

  it('counts what the identified object already holds', async () => {
    expect(await decide({ _id: ALICE._id, objectAttributes: { mail: 'x@example.com' } })).toBe('true');
    expect(await decide({ _id: 'u-nopass' })).toBe('false'); // no givenName / sn
    expect(await decide({ _id: 'u-gone', objectAttributes: { mail: 'x@example.com' } })).toBe('false');
  });

  it("refuses to run against another identityResource than the journey's", async () => {
    await expect(node.process(makeNodeContext({ config: configFor(node, { identityResource: 'managed/alpha_user' }) }))).rejects.toThrow(CairnError);
  });
});
