import { describe, expect, it } from 'vitest';
import { createPasswordNode as node } from '../../src/nodes/create-password.js';
import { callbacksOf, clientAnswer, configFor, makeNodeContext } from '../support/node-context.js';
import { outcomeOf } from './identity-fixtures.js';

describe('Create Password (CreatePasswordNode)', () => {
  const config = configFor(node);

  it("declares AM's type, name, default minimum length and outcome", () => {
    expect([node.type, node.displayName]).toEqual(['CreatePasswordNode', 'Create Password']);
    expect(config).toEqual({ minPasswordLength: 8 });
  });

  it('asks twice, explains a short or mismatched password, and keeps the password in transient state only', async () => {
    const shared: Record<string, unknown> = {};
    const transient: Record<string, unknown> = {};
    const sent = callbacksOf(await node.process(makeNodeContext({ config, shared, transient })));
    expect(sent.map((cb) => [cb.type, cb.output?.[0]?.value])).toEqual([
      ['PasswordCallback', 'Create a password'],
      ['PasswordCallback', 'Confirm password'],
    ]);
    const answer = (a: string, b: string, locales = ['en']) =>
      node.process(makeNodeContext({ config, shared, transient, locales, callbacks: clientAnswer(sent, { IDToken1: a, IDToken2: b }) }));
    const error = async (a: string, b: string, locales?: string[]) => callbacksOf(await answer(a, b, locales))[2]?.output?.[0]?.value;
    expect(await error('short', 'short')).toBe('Password must be a minimum of 8 characters');
    expect(await error('short', 'short', ['fr'])).toBe('Le mot de passe doit comporter au moins 8\u00a0caractères');
    expect(await error('long enough one', 'long enough two')).toBe('Passwords do not match');
    expect(callbacksOf(await answer('   ', '   '))).toHaveLength(2);
    expect(outcomeOf(await answer('long enough one', 'long enough one'))).toBe('outcome');
    expect(transient).toEqual({ password: 'long enough one', objectAttributes: { password: 'long enough one' } });
    expect(shared).toEqual({});
  });
});
