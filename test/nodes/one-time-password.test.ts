/**
 * The one-time password set: HOTP Generator (RFC 4226 values, AM's length), OTP Email Sender (a mail
 * effect with the code, the same answer whoever asks, AM's recipient order, limits) and OTP Collector
 * Decision (expiry; checks and use counted in the store, so a replayed step gains nothing).
 */
import { describe, expect, it } from 'vitest';
import { MAX_OTP_ATTEMPTS } from '../../src/nodes/helpers/one-time-password.js';
import { oneTimePasswordCollectorDecisionNode as collector } from '../../src/nodes/one-time-password-collector-decision.js';
import { hotp, oneTimePasswordGeneratorNode as generator } from '../../src/nodes/one-time-password-generator.js';
import { oneTimePasswordSmtpSenderNode as sender } from '../../src/nodes/one-time-password-smtp-sender.js';
import { auditsOf, callbacksOf, clientAnswer, configFor, mailsOf, makeNodeContext, type NodeTestbed } from '../support/node-context.js';
import { outcomeOf, testbed } from './identity-fixtures.js';

async function generate(p: NodeTestbed, length?: number): Promise<Record<string, unknown>> {
  const transient: Record<string, unknown> = {};
  const config = configFor(generator, length === undefined ? {} : { length });
  expect(outcomeOf(await generator.process(makeNodeContext({ config, transient, services: p.services })))).toBe('outcome');
  return transient;
}

describe('HOTP Generator (OneTimePasswordGeneratorNode)', () => {
  it("declares AM's type, name, default length 8 and minimum 6", () => {
    expect([generator.type, generator.displayName]).toEqual(['OneTimePasswordGeneratorNode', 'HOTP Generator']);
    expect(configFor(generator)).toEqual({ length: 8 });
    expect(() => configFor(generator, { length: 5 })).toThrow(/length/);
  });

  it('is RFC 4226 HOTP (the RFC’s test vectors)', () => {
    const secret = Buffer.from('12345678901234567890');
    expect([0n, 1n, 2n, 9n].map((c) => hotp(secret, c, 6))).toEqual(['755224', '287082', '359152', '520489']);
    expect(hotp(secret, 0n, 8)).toBe('84755224');
  });

  it('writes a fresh code of the configured length, its time and an id to transient state only', async () => {
    const p = await testbed();
    const a = await generate(p, 6);
    const b = await generate(p, 6);
    expect(a).toEqual({
      oneTimePassword: expect.stringMatching(/^\d{6}$/),
      oneTimePasswordTimestamp: p.clock.now() / 1000,
      oneTimePasswordId: expect.any(String),
    });
    expect(a['oneTimePasswordId']).not.toBe(b['oneTimePasswordId']);
    expect((await generate(p))['oneTimePassword']).toMatch(/^\d{8}$/);
  });
});

describe('OTP Email Sender (OneTimePasswordSmtpSenderNode)', () => {
  it("declares AM's type and name; AM's mail-server settings are not Cairn's", () => {
    expect([sender.type, sender.displayName]).toEqual(['OneTimePasswordSmtpSenderNode', 'OTP Email Sender']);
    expect(configFor(sender)).toEqual({ emailAttribute: 'mail', emailSubject: {}, emailContent: {} });
    expect(() => configFor(sender, { hostName: 'mail.example.com' })).toThrow(/additional properties/);
  });

  it("mails the code to the identified user with the oneTimePassword template, in the user's language", async () => {
    const p = await testbed();
    const transient = await generate(p);
    const shared: Record<string, unknown> = { _id: 'u-bob' };
    const result = await sender.process(
      makeNodeContext({ config: configFor(sender), shared, transient, services: p.services, request: { clientIp: '192.0.2.1' } }),
    );
    expect(outcomeOf(result)).toBe('outcome');
    expect(mailsOf(result)).toEqual([
      {
        type: 'mail',
        template: 'oneTimePassword',
        to: 'bob@example.com',
        locales: ['fr', 'en'],
        object: expect.objectContaining({
          userName: 'bob',
          givenName: 'Bob',
          mail: 'bob@example.com',
          oneTimePassword: transient['oneTimePassword'],
        }),
      },
    ]);
    expect(JSON.stringify(mailsOf(result)[0]?.object)).not.toMatch(/passwordSet|"password"/);
    expect(auditsOf(result)).toEqual([
      { event: 'otp.email.queued', fields: expect.objectContaining({ userId: 'u-bob', template: 'oneTimePassword' }) },
    ]);
    expect(JSON.stringify(auditsOf(result))).not.toContain(String(transient['oneTimePassword']));
    expect(shared['emailAddress']).toBe('bob@example.com');
  });

  it("takes AM's recipient first: shared emailAddress, then the collected attribute", async () => {
    const p = await testbed();
    const transient = await generate(p);
    const to = async (shared: Record<string, unknown>) =>
      mailsOf(await sender.process(makeNodeContext({ config: configFor(sender), shared, transient, services: p.services })))[0]?.to;
    expect(await to({ _id: 'u-bob', emailAddress: 'given@example.com' })).toBe('given@example.com');
    expect(await to({ objectAttributes: { mail: 'new.person@example.com', givenName: 'New' } })).toBe('new.person@example.com');
  });

  it('answers the same when nobody can be written to or the limits are hit; only the audit log knows', async () => {
    const p = await testbed({ mailLimits: { perAccount: 1 } });
    const transient = await generate(p);
    const send = (shared: Record<string, unknown>) =>
      sender.process(makeNodeContext({ config: configFor(sender), shared, transient, services: p.services }));
    const nobody = await send({ _id: 'u-nomail' });
    expect({ ...nobody, effects: undefined }).toEqual({ kind: 'outcome', outcome: 'outcome', effects: undefined });
    expect(auditsOf(nobody)).toEqual([{ event: 'otp.email.skipped', fields: expect.objectContaining({ reason: 'no-recipient' }) }]);
    expect(mailsOf(await send({ _id: 'u-alice' }))).toHaveLength(1);
    const limited = await send({ _id: 'u-alice' });
    expect(mailsOf(limited)).toEqual([]);
    expect(auditsOf(limited)).toEqual([{ event: 'otp.email.skipped', fields: expect.objectContaining({ reason: 'rate-limited-account' }) }]);
  });

  it('fails the journey without a code to send (no HOTP Generator before it), as AM does', async () => {
    const p = await testbed();
    await expect(sender.process(makeNodeContext({ config: configFor(sender), shared: { _id: 'u-bob' }, services: p.services }))).rejects.toThrow(
      /HOTP Generator/,
    );
  });
});

describe('OTP Collector Decision (OneTimePasswordCollectorDecisionNode)', () => {
  const config = configFor(collector);

  it("declares AM's type, name, expiry default and outcomes", () => {
    expect([collector.type, collector.displayName]).toEqual(['OneTimePasswordCollectorDecisionNode', 'OTP Collector Decision']);
    expect(config).toEqual({ passwordExpiryTime: 5 });
    expect(collector.outcomes).toEqual([
      { id: 'true', displayName: 'True' },
      { id: 'false', displayName: 'False' },
    ]);
  });

  async function setup(p: NodeTestbed) {
    const transient = await generate(p);
    const code = String(transient['oneTimePassword']);
    const prompt = callbacksOf(await collector.process(makeNodeContext({ config, transient, services: p.services, locales: ['en'] })));
    expect(prompt).toEqual([
      { type: 'PasswordCallback', output: [{ name: 'prompt', value: 'One Time Password' }], input: [{ name: 'IDToken1', value: '' }] },
    ]);
    const answer = async (value: string, state: Record<string, unknown> = transient) =>
      outcomeOf(
        await collector.process(
          makeNodeContext({ config, transient: state, services: p.services, callbacks: clientAnswer(prompt, { IDToken1: value }) }),
        ),
      );
    return { transient, code, answer };
  }

  it('true for the right code within its validity, once; false for a wrong one', async () => {
    const p = await testbed();
    const { transient, code, answer } = await setup(p);
    const replay = { ...transient }; // the state of an earlier step, as a replayed authId would carry it
    expect(await answer(code === '00000000' ? '11111111' : '00000000')).toBe('false');
    expect(await answer(code)).toBe('true');
    expect(transient).toEqual({}); // the code left the state
    expect(await answer(code, replay)).toBe('false'); // used once, even from an earlier step
  });

  it('false once the code has expired', async () => {
    const p = await testbed();
    const { code, answer } = await setup(p);
    p.clock.advance(5 * 60_000);
    expect(await answer(code)).toBe('false');
  });

  it(`burns a code after ${MAX_OTP_ATTEMPTS} checks, counted in the store across replays`, async () => {
    const p = await testbed();
    const { transient, code, answer } = await setup(p);
    const wrong = code === '00000000' ? '11111111' : '00000000';
    for (let i = 0; i < MAX_OTP_ATTEMPTS; i++) expect(await answer(wrong, { ...transient })).toBe('false');
    expect(await answer(code, { ...transient })).toBe('false');
  });

  it('asks again for an empty answer; false without a code in the state', async () => {
    const p = await testbed();
    const { answer } = await setup(p);
    const prompt = callbacksOf(await collector.process(makeNodeContext({ config, services: p.services })));
    const empty = await collector.process(makeNodeContext({ config, services: p.services, callbacks: clientAnswer(prompt, { IDToken1: '' }) }));
    expect(empty.kind).toBe('callbacks');
    expect(await answer('12345678', {})).toBe('false');
  });
});
