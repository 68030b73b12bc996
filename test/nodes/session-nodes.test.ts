/**
 * Nodes that read the session a request carries or shape the one a journey creates, on real sessions
 * over the testbed's store: Get Session Data, Set / Remove Session Properties, Anonymous User Mapping;
 * and the Timer Start / Stop pair and the Debug Node.
 */
import { describe, expect, it } from 'vitest';
import { anonymousUserNode } from '../../src/nodes/anonymous-user.js';
import { debugNode } from '../../src/nodes/debug.js';
import { removeSessionPropertiesNode } from '../../src/nodes/remove-session-properties.js';
import { sessionDataNode } from '../../src/nodes/session-data.js';
import { setSessionPropertiesNode } from '../../src/nodes/set-session-properties.js';
import { timerStartNode } from '../../src/nodes/timer-start.js';
import { timerStopNode } from '../../src/nodes/timer-stop.js';
import type { SessionDraft } from '../../src/nodes/types.js';
import { callbacksOf, configFor, createNodeTestbed, makeNodeContext } from '../support/node-context.js';
import { outcomeOf } from './identity-fixtures.js';

describe('Get Session Data (SessionDataNode)', () => {
  it("declares AM's type, name and required settings", () => {
    expect([sessionDataNode.type, sessionDataNode.displayName]).toEqual(['SessionDataNode', 'Get Session Data']);
    expect(() => configFor(sessionDataNode, { sessionDataKey: 'UserToken' })).toThrow(/sharedStateKey/);
    expect(() => configFor(sessionDataNode, { sessionDataKey: 'UserToken', sharedStateKey: '__proto__' })).toThrow();
  });

  it('copies a property of the live session into shared state and objectAttributes', async () => {
    const p = await createNodeTestbed();
    const session = await p.sessions.create({ uid: 'bjensen', userId: 'u-1', realm: '/', journey: 'Login', properties: { department: 'sales' } });
    const read = async (sessionDataKey: string, sharedStateKey: string, ssoTokenId: string | null = session.tokenId) => {
      const shared: Record<string, unknown> = {};
      const ctx = makeNodeContext({
        config: configFor(sessionDataNode, { sessionDataKey, sharedStateKey }),
        shared,
        services: p.services,
        request: ssoTokenId ? { ssoTokenId } : {},
      });
      expect(outcomeOf(await sessionDataNode.process(ctx))).toBe('outcome');
      return shared;
    };
    expect(await read('UserToken', 'userName')).toEqual({ userName: 'bjensen', objectAttributes: { userName: 'bjensen' } });
    expect(await read('UserId', '_id')).toEqual({ _id: 'u-1', objectAttributes: { _id: 'u-1' } });
    expect(await read('department', 'dept')).toMatchObject({ dept: 'sales' });
    expect(await read('Service', 'journey')).toMatchObject({ journey: 'Login' });
    expect(await read('missing', 'x')).toEqual({});
    expect(await read('UserToken', 'userName', null)).toEqual({});
    expect(await read('UserToken', 'userName', 'A'.repeat(43))).toEqual({});
    await p.sessions.logout(session.tokenId);
    expect(await read('UserToken', 'userName')).toEqual({});
  });
});

describe('Set Session Properties / Remove Session Properties', () => {
  const run = async (
    node: typeof setSessionPropertiesNode | typeof removeSessionPropertiesNode,
    config: Record<string, unknown>,
    session: SessionDraft,
  ) => outcomeOf(await node.process(makeNodeContext({ config: configFor(node as never, config), session })));

  it("declares AM's types; refuses system properties, empty values and a node that sets nothing", () => {
    expect([setSessionPropertiesNode.type, setSessionPropertiesNode.displayName]).toEqual(['SetSessionPropertiesNode', 'Set Session Properties']);
    expect([removeSessionPropertiesNode.type, removeSessionPropertiesNode.displayName]).toEqual([
      'RemoveSessionPropertiesNode',
      'Remove Session Properties',
    ]);
    const check = (config: Record<string, unknown>) => setSessionPropertiesNode.checkConfig?.(configFor(setSessionPropertiesNode, config)) ?? [];
    expect(check({ properties: { department: 'sales' } })).toEqual([]);
    expect(check({ maxIdleTime: 10 })).toEqual([]);
    expect(check({ properties: { UserToken: 'x' } })).toEqual([
      { pointer: '/properties/UserToken', message: '"UserToken" is a system session property, which a journey cannot change.' },
    ]);
    expect(check({})).toEqual([{ pointer: '', message: 'Set at least one of properties, maxSessionTime and maxIdleTime.' }]);
    expect(() => configFor(setSessionPropertiesNode, { properties: { a: '' } })).toThrow();
    expect(removeSessionPropertiesNode.checkConfig?.(configFor(removeSessionPropertiesNode, { propertyNames: ['a', 'AuthLevel'] }))).toEqual([
      { pointer: '/propertyNames/1', message: '"AuthLevel" is a system session property, which a journey cannot change.' },
    ]);
  });

  it('gather what the session will hold; later nodes remove what earlier ones set', async () => {
    const session: SessionDraft = { properties: {} };
    expect(
      await run(setSessionPropertiesNode, { properties: { department: 'sales', tier: 'gold' }, maxSessionTime: 60, maxIdleTime: 5 }, session),
    ).toBe('outcome');
    expect(await run(removeSessionPropertiesNode, { propertyNames: ['tier', 'absent'] }, session)).toBe('outcome');
    expect(session).toEqual({ properties: { department: 'sales' }, maxSessionMinutes: 60, maxIdleMinutes: 5 });
  });
});

describe('Anonymous User Mapping (AnonymousUserNode)', () => {
  it('makes the journey’s user the anonymous one and forgets any user identified before', async () => {
    expect([anonymousUserNode.type, anonymousUserNode.displayName]).toEqual(['AnonymousUserNode', 'Anonymous User Mapping']);
    expect(configFor(anonymousUserNode)).toEqual({ anonymousUserName: 'anonymous' });
    const shared: Record<string, unknown> = { username: 'bjensen', _id: 'u-1' };
    const session: SessionDraft = { properties: {} };
    expect(
      outcomeOf(
        await anonymousUserNode.process(makeNodeContext({ config: configFor(anonymousUserNode, { anonymousUserName: 'guest' }), shared, session })),
      ),
    ).toBe('outcome');
    expect(shared).toEqual({ username: 'guest' });
    expect(session.properties).toEqual({ AuthType: 'Anonymous' });
  });
});

describe('Timer Start / Timer Stop', () => {
  it('records the time between the two as the named metric, and nothing without a start', async () => {
    const p = await createNodeTestbed();
    expect([timerStartNode.type, timerStopNode.type, timerStopNode.displayName]).toEqual(['TimerStartNode', 'TimerStopNode', 'Timer Stop']);
    expect(configFor(timerStartNode)).toEqual({ startTimeProperty: 'TimerNodeStartTime' });
    expect(() => configFor(timerStopNode)).toThrow(/metricKey/);
    const shared: Record<string, unknown> = {};
    await timerStartNode.process(makeNodeContext({ config: configFor(timerStartNode), shared, services: p.services }));
    expect(shared).toEqual({ TimerNodeStartTime: p.clock.now() });
    p.clock.advance(1234);
    const stop = configFor(timerStopNode, { metricKey: 'authentication.login' });
    const stopped = await timerStopNode.process(makeNodeContext({ config: stop, shared, services: p.services }));
    expect(stopped).toEqual({ kind: 'outcome', outcome: 'outcome', effects: [{ type: 'metric', key: 'authentication.login', ms: 1234 }] });
    expect(shared).toEqual({ TimerNodeStartTime: p.clock.now() - 1234 }); // kept for other Timer Stops
    expect(await timerStopNode.process(makeNodeContext({ config: stop, shared: {}, services: p.services }))).toEqual({
      kind: 'outcome',
      outcome: 'outcome',
    });
  });
});

describe('Debug Node (DebugNode)', () => {
  it('passes through unless the server runs with CAIRN_DEBUG_NODES; then shows the state without secrets', async () => {
    const shared = { username: 'bjensen', objectAttributes: { mail: 'b@example.com' } };
    const transient = { password: 'Secret-123', objectAttributes: { password: 'Secret-123' } };
    const off = await createNodeTestbed();
    const config = configFor(debugNode);
    expect(await debugNode.process(makeNodeContext({ config, shared, transient, services: off.services }))).toEqual({
      kind: 'outcome',
      outcome: 'outcome',
    });

    const on = await createNodeTestbed({ debugNodes: true });
    const shown = await debugNode.process(makeNodeContext({ config, shared, transient, services: on.services }));
    const message = String(callbacksOf(shown)[0]?.output?.[0]?.value);
    expect(JSON.parse(message)).toEqual({
      journey: 'TestJourney',
      node: 'node-under-test',
      sharedState: shared,
      transientState: { password: '(withheld)', objectAttributes: { password: '(withheld)' } },
    });
    expect(message).not.toContain('Secret-123');
    const answered = makeNodeContext({ config, shared, transient, services: on.services, callbacks: callbacksOf(shown) });
    expect(outcomeOf(await debugNode.process(answered))).toBe('outcome');
    const quiet = configFor(debugNode, { popupEnabled: false });
    expect(outcomeOf(await debugNode.process(makeNodeContext({ config: quiet, shared, transient, services: on.services })))).toBe('outcome');
  });
});
