/**
 * Social Provider Handler's own rules, beside the end-to-end runs against a real OpenID provider in
 * test/social/: a provider's answer (its `state`) is used once — marked in the real store before the
 * code is redeemed, so the same answer sent again (whatever carries it) is refused without reaching the
 * provider — and a sign-in is audited without the profile. The provider's side is a recording stand-in
 * here: what it would answer is not what this checks.
 */
import { describe, expect, it } from 'vitest';
import type { ScriptPort } from '../../src/scripts/engine.js';
import type { SocialChecks, SocialPort } from '../../src/social/oidc.js';
import { SELECTED_IDP } from '../../src/nodes/select-idp.js';
import { socialProviderHandlerNode as node } from '../../src/nodes/social-provider-handler.js';
import { auditsOf, configFor, makeNodeContext } from '../support/node-context.js';
import { outcomeOf, testbed } from './identity-fixtures.js';

const checks: SocialChecks = { state: 'state-of-this-sign-in', nonce: 'n', codeVerifier: 'v' };

function standIns(): { social: SocialPort; scripts: ScriptPort; completed: string[] } {
  const completed: string[] = [];
  const social: SocialPort = {
    providers: () => [{ name: 'acme' }],
    transformOf: () => undefined,
    begin: () => Promise.resolve({ url: 'https://idp.example/auth', checks }),
    complete: (_name, query) => {
      completed.push(String(query.code));
      return Promise.resolve({ subject: 'sub-1', profile: { sub: 'sub-1', email: 'new@example.com', email_verified: true } });
    },
  };
  const scripts: ScriptPort = {
    run: () => Promise.reject(new Error('not used')),
    transform: (r) => Promise.resolve({ value: { userName: 'newcomer', mail: 'new@example.com' }, shared: r.shared, transient: r.transient }),
  };
  return { social, scripts, completed };
}

describe('Social Provider Handler (SocialProviderHandlerNode)', () => {
  const config = configFor(node, { script: 'normalise' });

  it("uses a provider's answer once: the same state again is refused before the provider is asked", async () => {
    const t = await testbed();
    const { social, scripts, completed } = standIns();
    const services = { ...t.services, social, scripts };
    const back = () =>
      makeNodeContext({
        config,
        services,
        shared: { [SELECTED_IDP]: 'acme' },
        local: { pending: { provider: 'acme', checks } },
        request: { query: { code: 'the-code', state: checks.state } },
      });
    const first = await node.process(back());
    expect(outcomeOf(first)).toBe('NO_ACCOUNT');
    expect(auditsOf(first)).toEqual([
      { event: 'social.signin', fields: { journey: 'TestJourney', node: 'node-under-test', provider: 'acme', outcome: 'NO_ACCOUNT' } },
    ]);
    await expect(node.process(back())).rejects.toMatchObject({ reason: 'replayed', provider: 'acme' });
    expect(completed).toEqual(['the-code']);
  });
});
