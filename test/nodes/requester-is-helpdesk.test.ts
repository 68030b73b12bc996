import { describe, expect, it } from 'vitest';
import { requesterIsHelpdeskNode as node } from '../../src/nodes/requester-is-helpdesk.js';
import { auditsOf, configFor, makeNodeContext } from '../support/node-context.js';
import { ALICE, operatorSession, outcomeOf, testbed } from './identity-fixtures.js';

const config = configFor(node, {});
const operatorJourney = { id: 'HelpdeskReset', noSession: true };

describe('Requester Is Helpdesk (RequesterIsHelpdeskNode)', () => {
  it('true for the live session of an administrator with helpdesk, or with admin; the audit names the operator', async () => {
    const t = await testbed();
    for (const [name, roles] of [
      ['helen', ['helpdesk']],
      ['ada', ['admin']],
    ] as const) {
      const ssoTokenId = await operatorSession(t, name, [...roles]);
      const result = await node.process(makeNodeContext({ config, journey: operatorJourney, request: { ssoTokenId }, services: t.services }));
      expect(outcomeOf(result), name).toBe('true');
      expect(auditsOf(result)).toEqual([
        { event: 'helpdesk.requester', fields: { journey: 'HelpdeskReset', node: 'node-under-test', requester: `admin:${name}` } },
      ]);
    }
  });

  it('false for no session, an end user’s session, a dead one, and an administrator removed since', async () => {
    const t = await testbed();
    const decide = async (ssoTokenId: string | undefined): Promise<[string, unknown]> => {
      const result = await node.process(
        makeNodeContext({ config, journey: operatorJourney, request: ssoTokenId ? { ssoTokenId } : {}, services: t.services }),
      );
      return [outcomeOf(result), auditsOf(result)[0]?.fields['reason']];
    };
    expect(await decide(undefined)).toEqual(['false', 'no-session']);
    // An end user whose own session would name an administrator's id still has no roles.
    const user = await t.sessions.create({ uid: ALICE.userName, userId: ALICE._id, realm: '/', journey: 'Login' });
    expect(await decide(user.tokenId)).toEqual(['false', 'not-an-operator']);
    const gone = await operatorSession(t, 'gone', ['helpdesk']);
    expect(await decide(gone)).toEqual(['true', undefined]);
    await t.admins.remove('gone');
    expect(await decide(gone)).toEqual(['false', 'not-an-operator']);
    const ended = await operatorSession(t, 'ended', ['helpdesk']);
    await t.sessions.logout(ended);
    expect(await decide(ended)).toEqual(['false', 'not-an-operator']);
    expect(await decide('not-a-token')).toEqual(['false', 'not-an-operator']);
  });

  it('false in a journey that creates a session, whoever runs it', async () => {
    const t = await testbed();
    const ssoTokenId = await operatorSession(t, 'helen', ['helpdesk']);
    const result = await node.process(makeNodeContext({ config, journey: { noSession: false }, request: { ssoTokenId }, services: t.services }));
    expect(outcomeOf(result)).toBe('false');
    expect(auditsOf(result)[0]?.fields['reason']).toBe('journey-creates-session');
  });
});
