import { describe, expect, it } from 'vitest';
import { DEFAULT_EMAIL_SUSPEND_MESSAGE, emailSuspendNode as node, type EmailSuspendConfig } from '../../src/nodes/email-suspend.js';
import type { CounterPort } from '../../src/nodes/services.js';
import type { NodeResult } from '../../src/nodes/types.js';
import { configFor, makeNodeContext } from '../support/node-context.js';
import { ALICE, BOB, ports } from './identity-fixtures.js';

/** ResetPassword's node config, as AIC exports it (reference §3.1). */
const RESET = configFor(node, {
  emailSuspendMessage: { en: DEFAULT_EMAIL_SUSPEND_MESSAGE, fr: 'Un e-mail vous a été envoyé.' },
  emailTemplateName: 'resetPassword',
  identityAttribute: 'mail',
  emailAttribute: 'mail',
  objectLookup: true,
});
const LINK = 'https://cairn.example/am/XUI/?suspendedId=SECRETSUSPENDID&authIndexType=service&authIndexValue=ResetPassword';
const IP = '192.0.2.10';

type Suspend = Extract<NodeResult, { kind: 'suspend' }>;
function suspendOf(result: NodeResult): Suspend {
  if (result.kind !== 'suspend') throw new Error(`Expected suspend, got ${JSON.stringify(result)}`);
  return result;
}
/** What reaches the client: everything but `notify`, which only the engine sees. */
const visible = ({ notify: _notify, ...rest }: Suspend) => rest;

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
  const t = ports();
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

  it('suspends with one SuspendedTextOutputCallback and, once the link exists, queues the template to the account', async () => {
    const p = ports();
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
    expect(p.mail.queued).toEqual([]); // nothing before the engine has the link

    await result.notify?.(LINK);
    expect(p.mail.queued).toHaveLength(1);
    const sent = p.mail.queued[0];
    expect(sent).toMatchObject({ template: 'resetPassword', to: 'alice@example.com', locales: ['en'] });
    expect(sent?.object).toEqual({
      _id: ALICE._id,
      userName: 'alice',
      mail: 'alice@example.com',
      givenName: 'Alice',
      sn: 'Liddell',
      accountStatus: 'active',
      preferences: { marketing: false, updates: true },
      resumeURI: LINK,
    });
    expect(p.audit.events.map((e) => e.event)).toEqual(['reset.email.queued']);
    expect(p.audit.events[0]?.fields).toMatchObject({ template: 'resetPassword', userId: ALICE._id, journey: 'TestJourney' });
    const logged = JSON.stringify(p.audit.events);
    expect(logged).not.toContain('alice@example.com');
    expect(logged).not.toContain('SECRETSUSPENDID');
    expect(p.identity.stats.updates).toBe(0); // RST-09: requesting a reset changes nothing on the account
  });

  it('answers an existing, a missing, a locked and an address-less account identically; only the existing one gets mail', async () => {
    const p = ports();
    const counted = countingCounters(p.counters);
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
    expect(answers.map((a) => typeof a.notify)).toEqual(['function', 'undefined', 'undefined', 'undefined', 'undefined']);
    expect(new Set(opsPerPath)).toEqual(new Set([2])); // per-account + per-client counter on every path

    for (const a of answers) await a.notify?.(LINK);
    expect(p.mail.queued.map((m) => m.to)).toEqual(['alice@example.com']);
    expect(p.audit.events.map((e) => [e.event, e.fields['reason']])).toEqual([
      ['reset.email.skipped', 'no-account'],
      ['reset.email.skipped', 'inactive'],
      ['reset.email.skipped', 'no-recipient'],
      ['reset.email.skipped', 'no-account'],
      ['reset.email.queued', undefined],
    ]);
    const logged = JSON.stringify(p.audit.events);
    for (const address of ['nobody@example.com', 'locked@example.com', 'alice@example.com']) expect(logged).not.toContain(address);
  });

  it('per account: the 6th request in the window queues nothing and answers the same; the window then reopens', async () => {
    const p = ports();
    const first = await request('alice@example.com', RESET, p, '192.0.2.1');
    const results = [first];
    // Different client addresses: only the account limit applies. No notify is called: counting happens while answering.
    for (let i = 2; i <= 6; i++) results.push(await request('alice@example.com', RESET, p, `192.0.2.${i}`));
    expect(results.map((r) => typeof r.notify)).toEqual(['function', 'function', 'function', 'function', 'function', 'undefined']);
    for (const r of results) expect(visible(r)).toEqual(visible(first));
    expect(p.audit.events.at(-1)).toMatchObject({ event: 'reset.email.skipped', fields: { reason: 'rate-limited-account' } });

    // Another account is not affected; a replay of the same request is (RST-07).
    expect(typeof (await request('bob@example.com', RESET, p, '192.0.2.7')).notify).toBe('function');
    expect((await request('ALICE@example.com', RESET, p, '192.0.2.8')).notify).toBeUndefined();

    p.clock.advance(p.services.mailLimits.windowMs);
    expect(typeof (await request('alice@example.com', RESET, p, '192.0.2.9')).notify).toBe('function');
  });

  it('per client address: beyond the limit nobody gets mail from that address, others still do', async () => {
    const p = ports({ mailLimits: { perClient: 3 } });
    const from = (mail: string, ip: string) => request(mail, RESET, p, ip);
    const results = [
      await from('alice@example.com', IP),
      await from('nobody@example.com', IP), // counts too: the client cannot tell
      await from('bob@example.com', IP),
      await from('alice@example.com', IP),
    ];
    expect(results.map((r) => typeof r.notify)).toEqual(['function', 'undefined', 'function', 'undefined']);
    expect(p.audit.events.at(-1)).toMatchObject({ fields: { reason: 'rate-limited-client' } });
    expect(typeof (await from('alice@example.com', '198.51.100.1')).notify).toBe('function');
  });

  it('resumed → continues along outcome at once, counting and sending nothing', async () => {
    const p = ports();
    const counted = countingCounters(p.counters);
    const result = await node.process(
      makeNodeContext({
        config: RESET,
        resumed: true,
        shared: { objectAttributes: { mail: 'alice@example.com' } },
        services: { ...p.services, counters: counted.port },
      }),
    );
    expect(result).toEqual({ kind: 'outcome', outcome: 'outcome' });
    expect(counted.ops).toEqual([]);
    expect(p.mail.queued).toEqual([]);
  });

  it("localises the message, passes suspendDuration, and puts the user's locale first", async () => {
    const p = ports();
    const result = await request('bob@example.com', { ...RESET, suspendDuration: 20 }, p, IP, ['fr-FR', 'en']);
    expect(result.durationMinutes).toBe(20);
    expect(result.callbacks[0]?.output[0]).toEqual({ name: 'message', value: 'Un e-mail vous a été envoyé.' });
    await result.notify?.(LINK);
    expect(p.mail.queued[0]).toMatchObject({ to: BOB.mail, locales: ['fr', 'fr-FR', 'en'] });
  });

  it('objectLookup false (Registration): the template object is the collected attributes, never the password', async () => {
    const p = ports();
    const config = configFor(node, {});
    const shared = { username: 'newbie', objectAttributes: { userName: 'newbie', mail: 'New@Example.com', givenName: 'New' } };
    const transient = { password: 'pw in transient', objectAttributes: { password: 'pw in transient' } };
    const result = suspendOf(await node.process(makeNodeContext({ config, shared, transient, services: p.services, request: { clientIp: IP } })));
    await result.notify?.(LINK);
    expect(p.mail.queued).toEqual([
      { template: 'registration', to: 'New@Example.com', locales: ['en'], object: { ...shared.objectAttributes, resumeURI: LINK } },
    ]);
    expect(JSON.stringify(p.mail.queued)).not.toContain('pw in transient');

    // Counted per recipient (case-insensitive): five more requests for the same address, the last is refused.
    const again: Suspend[] = [];
    for (let i = 0; i < 5; i++) {
      const s = { ...shared, objectAttributes: { ...shared.objectAttributes, mail: i % 2 ? 'new@example.com' : 'NEW@example.com' } };
      again.push(
        suspendOf(await node.process(makeNodeContext({ config, shared: s, services: p.services, request: { clientIp: `203.0.113.${i}` } }))),
      );
    }
    expect(again.map((r) => typeof r.notify)).toEqual(['function', 'function', 'function', 'function', 'undefined']);
  });
});
