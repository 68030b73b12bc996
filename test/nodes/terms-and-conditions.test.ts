/**
 * Terms and conditions: IDM's selfservice.terms.json read and checked, Accept Terms and Conditions
 * (the active version until accepted, `termsAccepted` in shared state), Create / Patch Object recording
 * it on the user, and Terms and Conditions Decision comparing the user's version with the active one.
 */
import { describe, expect, it } from 'vitest';
import { loadTerms, parseTerms, SHIPPED_TERMS_FILE } from '../../src/identity/terms.js';
import { acceptTermsAndConditionsNode as accept } from '../../src/nodes/accept-terms-and-conditions.js';
import { createObjectNode } from '../../src/nodes/create-object.js';
import { patchObjectNode } from '../../src/nodes/patch-object.js';
import { termsAndConditionsDecisionNode as decision } from '../../src/nodes/terms-and-conditions-decision.js';
import { callbacksOf, clientAnswer, configFor, makeNodeContext } from '../support/node-context.js';
import { outcomeOf, testbed } from './identity-fixtures.js';

describe('selfservice.terms.json', () => {
  it('reads the shipped terms; names every problem of a bad file with its pointer', async () => {
    expect((await loadTerms(SHIPPED_TERMS_FILE)).active()).toMatchObject({
      version: '1.0',
      terms: { en: expect.any(String), fr: expect.any(String) },
    });
    expect(
      parseTerms({
        versions: [
          { version: '1', termsTranslations: {} },
          { version: '1', termsTranslations: { en: 'x' } },
        ],
        active: '2',
      }).problems,
    ).toEqual([
      { pointer: '/versions/0/termsTranslations', message: 'must map at least one locale to the terms' },
      { pointer: '/versions/1/version', message: 'version "1" appears twice' },
      { pointer: '/active', message: 'names no version of "versions" (none)' },
    ]);
    expect(parseTerms({ versions: [] }).terms.active()).toBeUndefined();
    await expect(loadTerms('/nonexistent/selfservice.terms.json')).rejects.toThrow('/nonexistent/selfservice.terms.json does not exist.');
  });
});

describe('Accept Terms and Conditions (AcceptTermsAndConditionsNode)', () => {
  it("declares AM's type, name, no settings and one outcome", () => {
    expect([accept.type, accept.displayName]).toEqual(['AcceptTermsAndConditionsNode', 'Accept Terms and Conditions']);
    expect(configFor(accept)).toEqual({});
    expect(accept.outcomes).toEqual([{ id: 'outcome', displayName: 'Outcome' }]);
  });

  it('shows the active terms in the request’s language until accepted, then records what was accepted and when', async () => {
    const p = await testbed();
    const shared: Record<string, unknown> = {};
    const ctx = (callbacks?: ReturnType<typeof clientAnswer>) =>
      makeNodeContext({ config: {}, shared, services: p.services, locales: ['fr'], ...(callbacks ? { callbacks } : {}) });
    const sent = callbacksOf(await accept.process(ctx()));
    expect(sent).toEqual([
      {
        type: 'TermsAndConditionsCallback',
        output: [
          { name: 'version', value: '2.0' },
          { name: 'terms', value: 'Les conditions d’utilisation.' },
          { name: 'createDate', value: '2025-01-01T00:00:00.000Z' },
        ],
        input: [{ name: 'IDToken1', value: false }],
      },
    ]);
    expect(callbacksOf(await accept.process(ctx(clientAnswer(sent, { IDToken1: false }))))).toHaveLength(1);
    expect(shared['termsAccepted']).toBeUndefined();
    p.clock.advance(60_000);
    expect(outcomeOf(await accept.process(ctx(clientAnswer(sent, { IDToken1: true }))))).toBe('outcome');
    expect(shared['termsAccepted']).toEqual({ termsVersion: '2.0', acceptDate: new Date(p.clock.now()).toISOString() });
  });

  it('fails the journey when no terms are configured, as AM does', async () => {
    const p = await testbed({ terms: parseTerms({ versions: [] }).terms });
    await expect(accept.process(makeNodeContext({ config: {}, services: p.services }))).rejects.toThrow(/No terms and conditions/);
  });
});

describe('termsAccepted on the user, and Terms and Conditions Decision', () => {
  it('Create Object and Patch Object record the acceptance; the decision compares it with the active version', async () => {
    const p = await testbed();
    const accepted = { termsVersion: '2.0', acceptDate: '2025-02-01T10:00:00.000Z' };
    const created = await createObjectNode.process(
      makeNodeContext({
        config: configFor(createObjectNode),
        shared: { objectAttributes: { userName: 'newbie', mail: 'newbie@example.com', givenName: 'New', sn: 'Bie' }, termsAccepted: accepted },
        transient: { objectAttributes: { password: 'a decent passphrase 123' } },
        services: p.services,
      }),
    );
    expect(outcomeOf(created)).toBe('CREATED');
    const newbie = await p.identity.findByAttribute('managed/user', 'userName', 'newbie');
    expect(newbie?.['termsAccepted']).toEqual(accepted);

    const decide = (username: string) =>
      decision.process(makeNodeContext({ config: configFor(decision), shared: { username }, services: p.services })).then(outcomeOf);
    expect(await decide('newbie')).toBe('true');
    expect(await decide('alice')).toBe('false'); // never accepted

    const later = { termsVersion: '2.0', acceptDate: '2025-03-01T10:00:00.000Z' };
    const patched = await patchObjectNode.process(
      makeNodeContext({ config: configFor(patchObjectNode), shared: { username: 'alice', termsAccepted: later }, services: p.services }),
    );
    expect(outcomeOf(patched)).toBe('PATCHED');
    expect(await decide('alice')).toBe('true');

    const older = await testbed({
      terms: parseTerms({ versions: [{ version: '3.0', termsTranslations: { en: 'New terms' } }], active: '3.0' }).terms,
    });
    await older.identity.update('managed/user', 'u-alice', { termsAccepted: accepted });
    expect(
      await decision
        .process(makeNodeContext({ config: configFor(decision), shared: { username: 'alice' }, services: older.services }))
        .then(outcomeOf),
    ).toBe('false');
    const none = await testbed({ terms: parseTerms({ versions: [] }).terms });
    expect(
      await decision
        .process(makeNodeContext({ config: configFor(decision), shared: { username: 'alice' }, services: none.services }))
        .then(outcomeOf),
    ).toBe('true');
  });
});
