import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CounterPort } from '../../src/identity/ports.js';
import {
  DEFAULT_EMAIL_SUSPEND_MESSAGE,
  emailSuspendNode as node,
  RESUME_LINK_FIELD,
  type EmailSuspendConfig,
} from '../../src/nodes/email-suspend.js';
import type { NodeResult } from '../../src/nodes/types.js';
import { auditsOf, configFor, mailsOf, makeNodeContext, type NodeTestbed } from '../support/node-context.js';
import { ALICE, BOB, testbed } from './identity-fixtures.js';

/** ResetPassword's node config, as AIC exports it (reference §3.1). */
const RESET = configFor(node, {
  emailSuspendMessage: { en: DEFAULT_EMAIL_SUSPEND_MESSAGE, fr: 'Un e-mail vous a été envoyé.' },
  emailTemplateName: 'resetPassword',
  identityAttribute: 'mail',
  emailAttribute: 'mail',
  objectLookup: true,
});
const IP = '192.0.2.10';

type Suspend = Extract<NodeResult, { kind: 'suspend' }>;
function suspendOf(result: NodeResult): Suspend {
  if (result.kind !== 'suspend') throw new Error(`Expected suspend, got ${JSON.stringify(result)}`);
  return result;
}
/** What reaches the client: everything but the effects, which only the adapter sees. */
/** What reaches the client: neither the effects nor the suspension's subject (kept server-side). */
const visible = ({ effects: _effects, subject: _subject, ...rest }: Suspend) => rest;
/** How many messages a result asks for. */
const mailCount = (r: NodeResult) => mailsOf(r).length;

/** Counts the store operations a step makes, to show every path does the same work. */
function countingCounters(inner: CounterPort) {
  const ops: string[] = [];
  const port: CounterPort = {
    increment: (key, windowMs) => (ops.push('increment'), inner.increment(key, windowMs)),
    get: (key) => (ops.push('get'), inner.get(key)),
    reset: (key) => (ops.push('reset'), inner.reset(key)),
  };
  return { port, ops };
}

describe('Email Suspend Node (EmailSuspendNode)', () => {
  let t: NodeTestbed;
  beforeAll(async () => void (t = await testbed()));
  afterAll(() => t.close());
  const request = async (mail: string, config: EmailSuspendConfig = RESET, p = t, ip = IP, locales?: string[]) =>
    suspendOf(
      await node.process(
        makeNodeContext({
          config,
          shared: { objectAttributes: { mail } },
          services: p.services,
          request: { clientIp: ip },
          ...(locales ? { locales } : {}),
        }),
      ),
    );

  it('declares AM type, name, defaults, outcome, and that it cannot sit in a page', () => {
    expect([node.type, node.displayName]).toEqual(['EmailSuspendNode', 'Email Suspend Node']);
    expect(configFor(node)).toEqual({
      emailTemplateName: 'registration',
      emailAttribute: 'mail',
      emailSuspendMessage: { en: DEFAULT_EMAIL_SUSPEND_MESSAGE },
      objectLookup: false,
      identityAttribute: 'userName',
    });
    expect(node.outcomes).toEqual([{ id: 'outcome', displayName: 'Outcome' }]);
    expect(node.allowedInPage).toBe(false);
    expect(configFor(node, { suspendDuration: 30 })).toMatchObject({ suspendDuration: 30 });
    expect(() => configFor(node, { suspendDuration: 0 })).toThrow(/suspendDuration/);
    expect(() => configFor(node, { suspendDuration: 1.5 })).toThrow(/suspendDuration/);
    expect(() => configFor(node, { emailSuspendMessage: 'plain' })).toThrow(/emailSuspendMessage/);
  });

  it('suspends with one SuspendedTextOutputCallback and asks for the template to the account, with the resume link', async () => {
    const p = await testbed();
    const before = await p.stored(ALICE._id);
    const result = await request('Alice@Example.com', RESET, p);
    expect(result.callbacks).toEqual([
      {
        type: 'SuspendedTextOutputCallback',
        output: [
          { name: 'message', value: DEFAULT_EMAIL_SUSPEND_MESSAGE },
          { name: 'messageType', value: '0' },
        ],
      },
    ]);
    expect(result).not.toHaveProperty('durationMinutes');
    // The link exists only once the adapter has stored the suspension: the effect names the field it goes in.
    expect(mailsOf(result)).toEqual([
      {
        type: 'mail',
        template: 'resetPassword',
        to: 'alice@example.com',
        locales: ['en'],
        resumeLinkField: RESUME_LINK_FIELD,
        object: {
          _id: ALICE._id,
          userName: 'alice',
          mail: 'alice@example.com',
          givenName: 'Alice',
          sn: 'Liddell',
          accountStatus: 'active',
          preferences: { marketing: false, updates: true },
        },
      },
    ]);
    expect(RESUME_LINK_FIELD).toBe('resumeURI');
    const audits = auditsOf(result);
    expect(audits.map((e) => e.event)).toEqual(['reset.email.queued']);
    expect(audits[0]?.fields).toMatchObject({ template: 'resetPassword', userId: ALICE._id, journey: 'TestJourney' });
    expect(JSON.stringify(audits)).not.toContain('alice@example.com');
    expect(JSON.parse(JSON.stringify(result))).toEqual(result); // plain data
    expect(await p.stored(ALICE._id)).toEqual(before); // RST-09: requesting a reset changes nothing on the account
  });

  it('answers an existing, a missing, a locked and an address-less account identically; only the existing one gets mail', async () => {
    const p = await testbed();
    const counted = countingCounters(p.services.counters);
    const services = { ...p.services, counters: counted.port };
    const answers: Suspend[] = [];
    const opsPerPath: number[] = [];
    for (const shared of [
      { objectAttributes: { mail: 'alice@example.com' } },
      { objectAttributes: { mail: 'nobody@example.com' } },
      { objectAttributes: { mail: 'locked@example.com' } },
      { objectAttributes: { userName: 'nomail' } },
      {},
    ]) {
      const before = counted.ops.length;
      const cfg = 'userName' in (shared.objectAttributes ?? {}) ? { ...RESET, identityAttribute: 'userName' } : RESET;
      answers.push(suspendOf(await node.process(makeNodeContext({ config: cfg, shared, services, request: { clientIp: IP } }))));
      opsPerPath.push(counted.ops.length - before);
    }
    for (const a of answers) expect(visible(a)).toEqual(visible(answers[0] as Suspend));
    // Every path names a subject for the suspension, so storing it does the same work (supersession).
    for (const a of answers) expect(a.subject).toMatch(/^(u-[a-z]+|nobody:[0-9a-f]{16})$/);
    expect(answers[0]?.subject).toBe(ALICE._id);
    expect(answers[1]?.subject).toMatch(/^nobody:/);
    expect(answers.map(mailCount)).toEqual([1, 0, 0, 0, 0]);
    expect(new Set(opsPerPath)).toEqual(new Set([2])); // per-account + per-client counter on every path

    expect(answers.flatMap(mailsOf).map((m) => m.to)).toEqual(['alice@example.com']);
    const audits = answers.flatMap(auditsOf);
    expect(audits.map((e) => [e.event, e.fields['reason']])).toEqual([
      ['reset.email.queued', undefined],
      ['reset.email.skipped', 'no-account'],
      ['reset.email.skipped', 'inactive'],
      ['reset.email.skipped', 'no-recipient'],
      ['reset.email.skipped', 'no-account'],
    ]);
    const logged = JSON.stringify(audits);
    for (const address of ['nobody@example.com', 'locked@example.com', 'alice@example.com']) expect(logged).not.toContain(address);
  });

  it('per account: the 6th request in the window queues nothing and answers the same; the window then reopens', async () => {
    const p = await testbed();
    const first = await request('alice@example.com', RESET, p, '192.0.2.1');
    const results = [first];
    // Different client addresses: only the account limit applies; counting happens while answering.
    for (let i = 2; i <= 6; i++) results.push(await request('alice@example.com', RESET, p, `192.0.2.${i}`));
    expect(results.map(mailCount)).toEqual([1, 1, 1, 1, 1, 0]);
    for (const r of results) expect(visible(r)).toEqual(visible(first));
    expect(auditsOf(results.at(-1) as Suspend)).toMatchObject([{ event: 'reset.email.skipped', fields: { reason: 'rate-limited-account' } }]);

    // Another account is not affected; a replay of the same request is (RST-07).
    expect(mailCount(await request('bob@example.com', RESET, p, '192.0.2.7'))).toBe(1);
    expect(mailCount(await request('ALICE@example.com', RESET, p, '192.0.2.8'))).toBe(0);

    p.clock.advance(p.services.mailLimits.windowMs);
    expect(mailCount(await request('alice@example.com', RESET, p, '192.0.2.9'))).toBe(1);
  });

  it('per client address: beyond the limit nobody gets mail from that address, others still do', async () => {
    const p = await testbed({ mailLimits: { perClient: 3 } });
    const from = (mail: string, ip: string) => request(mail, RESET, p, ip);
    const results = [
      await from('alice@example.com', IP),
      await from('nobody@example.com', IP), // counts too: the client cannot tell
      await from('bob@example.com', IP),
      await from('alice@example.com', IP),
    ];
    expect(results.map(mailCount)).toEqual([1, 0, 1, 0]);
    expect(auditsOf(results.at(-1) as Suspend)).toMatchObject([{ fields: { reason: 'rate-limited-client' } }]);
    expect(mailCount(await from('alice@example.com', '198.51.100.1'))).toBe(1);
  });

  it('resumed → continues along outcome at once, counting and sending nothing', async () => {
    const p = await testbed();
    const counted = countingCounters(p.services.counters);
    const result = await node.process(
      makeNodeContext({
        config: RESET,
        resumed: true,
        shared: { objectAttributes: { mail: 'alice@example.com' } },
        services: { ...p.services, counters: counted.port },
      }),
    );
    expect(result).toEqual({ kind: 'outcome', outcome: 'outcome' }); // no effects: nothing is sent
    expect(counted.ops).toEqual([]);
  });

  it("localises the message, passes suspendDuration, and puts the user's locale first", async () => {
    const p = await testbed();
    const result = await request('bob@example.com', { ...RESET, suspendDuration: 20 }, p, IP, ['fr-FR', 'en']);
    expect(result.durationMinutes).toBe(20);
    expect(result.callbacks[0]?.output[0]).toEqual({ name: 'message', value: 'Un e-mail vous a été envoyé.' });
    expect(mailsOf(result)[0]).toMatchObject({ to: BOB.mail, locales: ['fr', 'fr-FR', 'en'] });
  });

  it('objectLookup false (Registration): the template object is the collected attributes, never the password', async () => {
    const p = await testbed();
    const config = configFor(node, {});
    const shared = { username: 'newbie', objectAttributes: { userName: 'newbie', mail: 'New@Example.com', givenName: 'New' } };
    const transient = { password: 'pw in transient', objectAttributes: { password: 'pw in transient' } };
    const result = suspendOf(await node.process(makeNodeContext({ config, shared, transient, services: p.services, request: { clientIp: IP } })));
    expect(mailsOf(result)).toEqual([
      {
        type: 'mail',
        template: 'registration',
        to: 'New@Example.com',
        locales: ['en'],
        object: shared.objectAttributes,
        resumeLinkField: 'resumeURI',
      },
    ]);
    expect(JSON.stringify(result)).not.toContain('pw in transient');

    // Counted per recipient (case-insensitive): five more requests for the same address, the last is refused.
    const again: Suspend[] = [];
    for (let i = 0; i < 5; i++) {
      const s = { ...shared, objectAttributes: { ...shared.objectAttributes, mail: i % 2 ? 'new@example.com' : 'NEW@example.com' } };
      again.push(
        suspendOf(await node.process(makeNodeContext({ config, shared: s, services: p.services, request: { clientIp: `203.0.113.${i}` } }))),
      );
    }
    expect(again.map(mailCount)).toEqual([1, 1, 1, 1, 0]);
  });
});
