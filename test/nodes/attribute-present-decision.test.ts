import { describe, expect, it } from 'vitest';
import { attributePresentDecisionNode as node } from '../../src/nodes/attribute-present-decision.js';
import { configFor, makeNodeContext } from '../support/node-context.js';
import { outcomeOf, testbed } from './identity-fixtures.js';

describe('Attribute Present Decision (AttributePresentDecisionNode)', () => {
  const decide = async (config: Record<string, unknown>, shared: Record<string, unknown>) => {
    const t = await testbed();
    await t.seed({ _id: 'u-blank', userName: 'blank', mail: '  ', aliases: [] });
    return node.process(makeNodeContext({ config: configFor(node, config), shared, services: t.services })).then(outcomeOf);
  };

  it('declares AM type, name, defaults and outcomes', () => {
    expect([node.type, node.displayName]).toEqual(['AttributePresentDecisionNode', 'Attribute Present Decision']);
    expect(configFor(node)).toEqual({ presentAttribute: 'password', identityAttribute: 'userName' });
    expect(node.outcomes).toEqual([
      { id: 'true', displayName: 'True' },
      { id: 'false', displayName: 'False' },
    ]);
  });

  it('password: true when the user has one (reported without the hash), false otherwise', async () => {
    expect(await decide({}, { username: 'alice' })).toBe('true');
    expect(await decide({}, { username: 'nopass' })).toBe('false');
  });

  it('other attributes, nested ones and blank values', async () => {
    expect(await decide({ presentAttribute: 'givenName' }, { objectAttributes: { userName: 'alice' } })).toBe('true');
    expect(await decide({ presentAttribute: 'preferences/updates' }, { username: 'alice' })).toBe('true');
    expect(await decide({ presentAttribute: 'preferences/locale' }, { username: 'alice' })).toBe('false');
    expect(await decide({ presentAttribute: 'mail' }, { username: 'blank' })).toBe('false');
    expect(await decide({ presentAttribute: 'aliases' }, { username: 'blank' })).toBe('false');
    expect(await decide({ presentAttribute: 'mail', identityAttribute: 'mail' }, { _id: 'u-alice' })).toBe('true');
  });

  it('false when nobody is identified or the user does not exist', async () => {
    expect(await decide({}, {})).toBe('false');
    expect(await decide({}, { username: 'nobody' })).toBe('false');
  });
});
