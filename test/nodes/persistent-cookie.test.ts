/**
 * Set Persistent Cookie and Persistent Cookie Decision: a signed cookie set when the journey succeeds
 * (a cookie effect held back until Success), accepted later instead of a password within its idle time
 * and maximum life, from the same address when asked, for a user who still exists and is active;
 * refreshed on use. A forged, altered or other-purpose token is refused.
 */
import { describe, expect, it } from 'vitest';
import { persistentCookieDecisionNode as decision } from '../../src/nodes/persistent-cookie-decision.js';
import { setPersistentCookieNode as setter } from '../../src/nodes/set-persistent-cookie.js';
import type { CookieEffect, NodeResult } from '../../src/nodes/types.js';
import { configFor, makeNodeContext, type NodeTestbed } from '../support/node-context.js';
import { outcomeOf, testbed } from './identity-fixtures.js';

const cookieOf = (result: NodeResult): CookieEffect => {
  const cookies = (result.effects ?? []).filter((e): e is CookieEffect => e.type === 'cookie');
  expect(cookies).toHaveLength(1);
  return cookies[0] as CookieEffect;
};

async function issue(p: NodeTestbed, shared: Record<string, unknown>, config: Record<string, unknown> = {}): Promise<CookieEffect> {
  const result = await setter.process(
    makeNodeContext({ config: configFor(setter, config), shared, services: p.services, request: { clientIp: '192.0.2.7' } }),
  );
  expect(outcomeOf(result)).toBe('outcome');
  return cookieOf(result);
}

async function decide(p: NodeTestbed, cookies: Record<string, string>, config: Record<string, unknown> = {}, clientIp = '192.0.2.7') {
  const shared: Record<string, unknown> = {};
  const result = await decision.process(
    makeNodeContext({ config: configFor(decision, config), shared, services: p.services, request: { cookies, clientIp } }),
  );
  return { outcome: outcomeOf(result), shared, result };
}

describe('Set Persistent Cookie / Persistent Cookie Decision', () => {
  it("declare AM's types, names and defaults; AM's signing-key and flag settings are not Cairn's", () => {
    expect([setter.type, setter.displayName, decision.type, decision.displayName]).toEqual([
      'SetPersistentCookieNode',
      'Set Persistent Cookie',
      'PersistentCookieDecisionNode',
      'Persistent Cookie Decision',
    ]);
    expect(configFor(setter)).toEqual({ idleTimeout: 5, maxLife: 5, persistentCookieName: 'session-jwt' });
    expect(configFor(decision)).toEqual({ idleTimeout: 5, enforceClientIp: false, persistentCookieName: 'session-jwt' });
    expect(() => configFor(setter, { persistentCookieName: 'bad name;' })).toThrow(/persistentCookieName/);
  });

  it('sets a signed cookie at success; it signs the user in again, and is refreshed', async () => {
    const p = await testbed();
    const cookie = await issue(p, { username: 'alice', _id: 'u-alice' });
    expect(cookie).toMatchObject({ type: 'cookie', name: 'session-jwt', maxAgeSeconds: 5 * 3600, atSuccess: true });
    expect(cookie.value).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    p.clock.advance(60 * 60_000);
    const used = await decide(p, { 'session-jwt': cookie.value });
    expect(used.outcome).toBe('true');
    expect(used.shared).toEqual({ username: 'alice', _id: 'u-alice' });
    const refreshed = cookieOf(used.result);
    expect(refreshed).toMatchObject({ name: 'session-jwt', atSuccess: true, maxAgeSeconds: 4 * 3600 }); // the maximum life runs on
    expect(refreshed.value).not.toBe(cookie.value);
  });

  it('sets nothing without a username', async () => {
    const p = await testbed();
    expect(await setter.process(makeNodeContext({ config: configFor(setter), shared: {}, services: p.services }))).toEqual({
      kind: 'outcome',
      outcome: 'outcome',
    });
  });

  it('false past the idle time or the maximum life', async () => {
    const p = await testbed();
    const cookie = await issue(p, { username: 'alice', _id: 'u-alice' }, { idleTimeout: 1, maxLife: 3 });
    p.clock.advance(61 * 60_000);
    expect((await decide(p, { 'session-jwt': cookie.value })).outcome).toBe('false');
    const fresh = await issue(p, { username: 'alice', _id: 'u-alice' }, { idleTimeout: 5, maxLife: 1 });
    p.clock.advance(61 * 60_000);
    expect((await decide(p, { 'session-jwt': fresh.value })).outcome).toBe('false');
  });

  it('false from another address when the client IP is enforced, for a user now inactive or gone, and for the wrong cookie name', async () => {
    const p = await testbed();
    const cookie = await issue(p, { username: 'alice', _id: 'u-alice' });
    expect((await decide(p, { 'session-jwt': cookie.value }, { enforceClientIp: true }, '198.51.100.1')).outcome).toBe('false');
    expect((await decide(p, { 'session-jwt': cookie.value }, { enforceClientIp: true })).outcome).toBe('true');
    expect((await decide(p, { other: cookie.value }, { persistentCookieName: 'other' })).outcome).toBe('false');
    await p.identity.update('managed/user', 'u-alice', { accountStatus: 'inactive' });
    expect((await decide(p, { 'session-jwt': cookie.value })).outcome).toBe('false');
    const ghost = await issue(p, { username: 'ghost', _id: 'u-ghost' });
    expect((await decide(p, { 'session-jwt': ghost.value })).outcome).toBe('false');
  });

  it('refuses altered, forged and other-purpose tokens', async () => {
    const p = await testbed();
    const cookie = await issue(p, { username: 'bob', _id: 'u-bob' });
    const [h, b, s] = cookie.value.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(b, 'base64url').toString()) as Record<string, unknown>;
    const altered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'alice', uid: 'u-alice' })).toString('base64url')}.${s}`;
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${b}.`;
    const otherPurpose = await p.services.tokens.sign(
      'something-else',
      { sub: 'bob', uid: 'u-bob', cn: 'session-jwt', lu: claims['lu'], idle: 3600 },
      3600,
    );
    for (const value of [altered, none, otherPurpose, 'garbage', ''])
      expect((await decide(p, { 'session-jwt': value })).outcome, value).toBe('false');
    expect((await decide(p, {})).outcome).toBe('false');
  });
});
