/**
 * Security questions: KBA Definition (KbaCreateNode) asking, mapping predefined / own questions and
 * hashing the answers into transient objectAttributes in IDM's stored form; KBA Verification
 * (KbaVerifyNode) against stored answers with the failure budget in the store; KBA Decision
 * (KbaDecisionNode). All on the real identity service, hasher and counters of a temporary store.
 */
import { describe, expect, it } from 'vitest';
import { normaliseAnswer, parseKbaConfig, storedAnswersOf } from '../../src/identity/kba.js';
import { createObjectNode } from '../../src/nodes/create-object.js';
import { kbaCreateNode as create } from '../../src/nodes/kba-create.js';
import { kbaDecisionNode as decision } from '../../src/nodes/kba-decision.js';
import { kbaVerifyNode as verify } from '../../src/nodes/kba-verify.js';
import type { Callback } from '../../src/callbacks/types.js';
import { auditsOf, callbacksOf, clientAnswer, configFor, createNodeTestbed, makeNodeContext, type NodeTestbed } from '../support/node-context.js';
import { outcomeOf } from './identity-fixtures.js';

const outputs = (cb: Callback | undefined): Record<string, unknown> => Object.fromEntries((cb?.output ?? []).map((o) => [o.name, o.value]));

async function defineFor(p: NodeTestbed, user: { _id: string; userName: string }, definitions: unknown[]): Promise<void> {
  await p.seed({ ...user, mail: `${user.userName}@example.com`, accountStatus: 'active', kbaInfo: await p.services.kba.define(definitions) });
}

describe('KBA configuration (selfservice.kba.json)', () => {
  it('applies IDM defaults, reads numbers written as strings, names every problem with its pointer', () => {
    expect(parseKbaConfig({}).config).toMatchObject({ kbaPropertyName: 'kbaInfo', minimumAnswersToDefine: 1, minimumAnswersToVerify: 1 });
    expect(parseKbaConfig({ minimumAnswersToDefine: '2', questions: { '1': { en: 'Q?' } } }).config).toMatchObject({
      minimumAnswersToDefine: 2,
      questions: { '1': { en: 'Q?' } },
    });
    expect(
      parseKbaConfig({ minimumAnswersToVerify: 0, questions: { 'a b': { en: 'Q?' }, '2': {} }, extra: 1 })
        .problems.map((p) => p.pointer)
        .sort(),
    ).toEqual(['/extra', '/minimumAnswersToVerify', '/questions/2', '/questions/a b']);
  });
});

describe('KBA Definition (KbaCreateNode)', () => {
  it("declares AM's type, name, settings with their defaults and one outcome", () => {
    expect([create.type, create.displayName]).toEqual(['KbaCreateNode', 'KBA Definition']);
    expect(configFor(create)).toEqual({ message: {}, allowUserDefinedQuestions: true });
    expect(create.outcomes).toEqual([{ id: 'outcome', displayName: 'Outcome' }]);
  });

  it('asks minimumAnswersToDefine questions in the request’s language and stores the answers hashed as IDM does', async () => {
    const p = await createNodeTestbed({ kba: { minimumAnswersToDefine: 2 } });
    const config = configFor(create, { message: { en: 'Select a security question', fr: 'Choisissez une question' } });
    const transient: Record<string, unknown> = {};
    const ctx = (callbacks?: Callback[]) =>
      makeNodeContext({ config, transient, services: p.services, locales: ['fr'], ...(callbacks ? { callbacks } : {}) });
    const sent = callbacksOf(await create.process(ctx()));
    expect(sent).toHaveLength(2);
    expect(sent.map((cb) => cb.type)).toEqual(['KbaCreateCallback', 'KbaCreateCallback']);
    expect(outputs(sent[0])).toEqual({
      prompt: 'Choisissez une question',
      predefinedQuestions: ['Quelle est votre couleur préférée ?', 'Who was your first employer?', 'What was the name of your first pet?'],
      allowUserDefinedQuestions: true,
    });
    const answered = clientAnswer(sent, {
      IDToken1question: 'Quelle est votre couleur préférée ?',
      IDToken1answer: '  Deep   Blue ',
      IDToken2question: 'Where did we first meet?',
      IDToken2answer: 'Paris',
    });
    expect(outcomeOf(await create.process(ctx(answered)))).toBe('outcome');
    const objectAttributes = transient['objectAttributes'] as Record<string, unknown>;
    const kbaInfo = objectAttributes['kbaInfo'] as Record<string, any>[];
    expect(kbaInfo).toEqual([
      { questionId: '1', answer: { type: 'salted-hash', value: { algorithm: 'ARGON2ID', data: expect.stringMatching(/^\$argon2id\$/) } } },
      {
        customQuestion: 'Where did we first meet?',
        answer: { type: 'salted-hash', value: { algorithm: 'ARGON2ID', data: expect.stringMatching(/^\$argon2id\$/) } },
      },
    ]);
    expect(JSON.stringify(transient)).not.toMatch(/blue|paris/i);
    // The hash is of the one normalised form: "deep blue".
    expect(normaliseAnswer('  Deep   Blue ')).toBe('deep blue');
    expect(storedAnswersOf({ kbaInfo }, 'kbaInfo')).toHaveLength(2);
  });

  it('asks again with the same callbacks, the questions kept and never the answers, when a definition is refused', async () => {
    const p = await createNodeTestbed({ kba: { minimumAnswersToDefine: 2 } });
    const run = async (config: Record<string, unknown>, values: Record<string, unknown>) => {
      const c = configFor(create, config);
      const transient: Record<string, unknown> = {};
      const sent = callbacksOf(await create.process(makeNodeContext({ config: c, services: p.services })));
      const result = await create.process(makeNodeContext({ config: c, transient, services: p.services, callbacks: clientAnswer(sent, values) }));
      expect(transient, 'nothing stored').toEqual({});
      const again = callbacksOf(result);
      // The same shape as the first page (a client's live checks compare pages), only the questions filled in.
      expect(again.map((cb) => [cb.type, outputs(cb)])).toEqual(sent.map((cb) => [cb.type, outputs(cb)]));
      return again.map((cb) => cb.input?.map((i) => i.value));
    };
    const employer = 'Who was your first employer?';
    // The same question twice.
    expect(await run({}, { IDToken1question: employer, IDToken1answer: 'Acme', IDToken2question: employer, IDToken2answer: 'Acme' })).toEqual([
      [employer, ''],
      [employer, ''],
    ]);
    // A blank answer; a question left out (a live check of the page's other fields sends the page half filled).
    expect(await run({}, { IDToken1question: employer, IDToken1answer: ' ', IDToken2question: 'Mine?', IDToken2answer: 'x' })).toEqual([
      [employer, ''],
      ['Mine?', ''],
    ]);
    expect(await run({}, { IDToken1question: '', IDToken1answer: 'x', IDToken2question: employer, IDToken2answer: 'y' })).toEqual([
      ['', ''],
      [employer, ''],
    ]);
    // A question of one's own where none is allowed, and one that is a predefined question written differently.
    expect(
      await run(
        { allowUserDefinedQuestions: false },
        { IDToken1question: 'Mine?', IDToken1answer: 'x', IDToken2question: employer, IDToken2answer: 'y' },
      ),
    ).toEqual([
      ['Mine?', ''],
      [employer, ''],
    ]);
    expect(
      await run({}, { IDToken1question: 'who was your FIRST employer', IDToken1answer: 'x', IDToken2question: 'Mine?', IDToken2answer: 'y' }),
    ).toEqual([
      ['who was your FIRST employer', ''],
      ['Mine?', ''],
    ]);
  });

  it('gives Create Object the hashed answers to store on the new user', async () => {
    const p = await createNodeTestbed();
    const transient: Record<string, unknown> = {};
    const sent = callbacksOf(await create.process(makeNodeContext({ config: configFor(create), transient, services: p.services })));
    await create.process(
      makeNodeContext({
        config: configFor(create),
        transient,
        services: p.services,
        callbacks: clientAnswer(sent, { IDToken1question: 'What was the name of your first pet?', IDToken1answer: 'Rex' }),
      }),
    );
    const shared = { objectAttributes: { userName: 'newbie', mail: 'newbie@example.com', givenName: 'N', sn: 'B' } };
    transient['objectAttributes'] = { ...(transient['objectAttributes'] as object), password: 'a decent long passphrase' };
    const made = await createObjectNode.process(makeNodeContext({ config: configFor(createObjectNode), shared, transient, services: p.services }));
    expect(outcomeOf(made)).toBe('CREATED');
    const stored = await p.stored((shared as Record<string, unknown>)['_id'] as string);
    expect(storedAnswersOf(stored ?? {}, 'kbaInfo')).toEqual([{ questionId: '3', answer: expect.objectContaining({ type: 'salted-hash' }) }]);
  });
});

describe('KBA Verification (KbaVerifyNode)', () => {
  it("declares AM's type, name, settings with their defaults and true/false", () => {
    expect([verify.type, verify.displayName]).toEqual(['KbaVerifyNode', 'KBA Verification']);
    expect(configFor(verify)).toEqual({ kbaInfoAttribute: 'kbaInfo', identityAttribute: 'userName' });
    expect(verify.outcomes).toEqual([
      { id: 'true', displayName: 'True' },
      { id: 'false', displayName: 'False' },
    ]);
  });

  const attempt = async (p: NodeTestbed, userName: string, answer: string | ((prompt: string) => string), locales = ['en']) => {
    const local: Record<string, unknown> = {};
    const shared = { username: userName };
    const config = configFor(verify);
    const sent = callbacksOf(await verify.process(makeNodeContext({ config, shared, local, services: p.services, locales })));
    const prompt = String(outputs(sent[0]).prompt);
    const values = Object.fromEntries(sent.map((_, i) => [`IDToken${i + 1}`, typeof answer === 'string' ? answer : answer(prompt)]));
    const result = await verify.process(
      makeNodeContext({ config, shared, local, services: p.services, locales, callbacks: clientAnswer(sent, values) }),
    );
    return { sent, prompt, result, outcome: outcomeOf(result) };
  };

  it('asks the user’s own question (in their language) and accepts the answer however it is cased or spaced', async () => {
    const p = await createNodeTestbed();
    await defineFor(p, { _id: 'u-kim', userName: 'kim' }, [{ questionId: '1', answer: 'Deep Blue' }]);
    const fr = await attempt(p, 'kim', 'DEEP   blue', ['fr']);
    expect(fr.sent).toEqual([
      {
        type: 'PasswordCallback',
        output: [{ name: 'prompt', value: 'Quelle est votre couleur préférée ?' }],
        input: [{ name: 'IDToken1', value: '' }],
      },
    ]);
    expect(fr.outcome).toBe('true');
    expect((await attempt(p, 'kim', 'green')).outcome).toBe('false');
  });

  it('counts failures per account in the store: past numberOfAttemptsAllowed even the right answer fails, until the count lapses', async () => {
    const p = await createNodeTestbed();
    await defineFor(p, { _id: 'u-lee', userName: 'lee' }, [{ customQuestion: 'Where did we meet?', answer: 'Paris' }]);
    for (let i = 0; i < 3; i++) expect((await attempt(p, 'lee', 'London')).outcome).toBe('false');
    const locked = await attempt(p, 'lee', 'Paris');
    expect(locked.prompt).toBe('Where did we meet?');
    expect(locked.outcome).toBe('false');
    expect(auditsOf(locked.result)).toEqual([
      { event: 'journey.kba.failed', fields: { journey: 'TestJourney', node: 'node-under-test', locked: true } },
    ]);
    p.clock.advance(15 * 60_000 + 1);
    expect((await attempt(p, 'lee', 'paris')).outcome).toBe('true');
    // A match clears the count: three more failures are allowed again.
    for (let i = 0; i < 3; i++) expect((await attempt(p, 'lee', 'Rome')).outcome).toBe('false');
    expect((await attempt(p, 'lee', 'Paris')).outcome).toBe('false');
  });

  it("saves the answers the KBA module re-hashed on a match (the idm-ss module upgrades IDM's legacy hashes)", async () => {
    const p = await createNodeTestbed();
    await defineFor(p, { _id: 'u-old', userName: 'old' }, [{ questionId: '2', answer: 'Acme' }]);
    const rehashed = await p.services.kba.define([{ questionId: '2', answer: 'Acme' }]);
    const real = p.services.kba;
    const services = {
      ...p.services,
      kba: { ...real, verify: async (...args: Parameters<typeof real.verify>) => ({ ...(await real.verify(...args)), upgraded: rehashed }) },
    };
    const local: Record<string, unknown> = {};
    const ctx = (callbacks?: Callback[]) =>
      makeNodeContext({ config: configFor(verify), shared: { username: 'old' }, local, services, ...(callbacks ? { callbacks } : {}) });
    const sent = callbacksOf(await verify.process(ctx()));
    expect(outcomeOf(await verify.process(ctx(clientAnswer(sent, { IDToken1: 'acme' }))))).toBe('true');
    expect(((await p.stored('u-old')) as Record<string, unknown>)['kbaInfo']).toEqual(rehashed);
  });

  it('asks an unknown user, and a user without answers, a predefined question no answer matches', async () => {
    const p = await createNodeTestbed({ users: [{ _id: 'u-none', userName: 'none', password: 'no kba password here' }] });
    for (const who of ['ghost', 'none']) {
      const r = await attempt(p, who, (prompt) => prompt);
      expect(r.sent).toHaveLength(1);
      expect(r.sent[0]?.type).toBe('PasswordCallback');
      expect(r.outcome).toBe('false');
    }
  });
});

describe('KBA Decision (KbaDecisionNode)', () => {
  it("declares AM's type, name and settings; true when the user has minimumAnswersToDefine answers", async () => {
    expect([decision.type, decision.displayName]).toEqual(['KbaDecisionNode', 'KBA Decision']);
    expect(configFor(decision)).toEqual({ identityAttribute: 'userName' });
    const p = await createNodeTestbed({ users: [{ _id: 'u-none', userName: 'none' }] });
    await defineFor(p, { _id: 'u-one', userName: 'one' }, [{ questionId: '2', answer: 'Acme' }]);
    const decide = (username: string, services = p.services) =>
      decision.process(makeNodeContext({ config: configFor(decision), shared: { username }, services }));
    expect(outcomeOf(await decide('one'))).toBe('true');
    expect(outcomeOf(await decide('none'))).toBe('false');
    const missing = await decide('ghost');
    expect(outcomeOf(missing)).toBe('false');
    expect(auditsOf(missing).map((a) => a.event)).toEqual(['journey.identity.missing']);
    const two = await createNodeTestbed({ kba: { minimumAnswersToDefine: 2 } });
    await defineFor(two, { _id: 'u-one', userName: 'one' }, [
      { questionId: '2', answer: 'Acme' },
      { questionId: '1', answer: 'Red' },
    ]);
    await defineFor(two, { _id: 'u-half', userName: 'half' }, [
      { questionId: '2', answer: 'Acme' },
      { questionId: '1', answer: 'Red' },
    ]);
    await two.identity.update('managed/user', 'u-half', { kbaInfo: storedAnswersOf((await two.stored('u-half')) ?? {}, 'kbaInfo').slice(0, 1) });
    expect(outcomeOf(await decide('one', two.services))).toBe('true');
    expect(outcomeOf(await decide('half', two.services))).toBe('false');
  });
});
