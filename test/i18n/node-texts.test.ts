/**
 * Every text a node sends comes in the request's language: the stock prompts and messages from the
 * catalogue (src/i18n/node-texts.ts), the schema's titles from their locale maps, a journey's stock
 * English default completed with the catalogue's translations, the refusals as policy sentences.
 * English stays AM's own wording on the wire. Both catalogues are complete.
 */
import { describe, expect, it } from 'vitest';
import type { Callback } from '../../src/callbacks/types.js';
import { NODE_TEXTS, nodeText, refusalText, withStockTranslations } from '../../src/i18n/node-texts.js';
import { describePolicyFailure, POLICY_TEXTS_EN, POLICY_TEXTS_FR } from '../../src/i18n/policies.js';
import { loadManagedSchema } from '../../src/identity/schema.js';
import { attributeCollectorNode } from '../../src/nodes/attribute-collector.js';
import { choiceCollectorNode } from '../../src/nodes/choice-collector.js';
import { emailSuspendNode } from '../../src/nodes/email-suspend.js';
import { messageNode } from '../../src/nodes/message.js';
import { passwordCollectorNode } from '../../src/nodes/password-collector.js';
import { validatedPasswordNode } from '../../src/nodes/validated-password.js';
import { validatedUsernameNode } from '../../src/nodes/validated-username.js';
import { callbacksOf, configFor, createNodeTestbed, makeNodeContext } from '../support/node-context.js';

const texts = (callbacks: Callback[]): unknown[] =>
  callbacks.flatMap((cb) => (cb.output ?? []).filter((o) => ['prompt', 'message', 'options', 'choices'].includes(o.name)).map((o) => o.value));

describe('the catalogues', () => {
  it('translate every text into French, and every French text is French', () => {
    expect(Object.keys(NODE_TEXTS.fr).sort()).toEqual(Object.keys(NODE_TEXTS.en).sort());
    expect(Object.keys(POLICY_TEXTS_FR).sort()).toEqual(Object.keys(POLICY_TEXTS_EN).sort());
    for (const [key, english] of Object.entries(NODE_TEXTS.en)) {
      const french = NODE_TEXTS.fr[key as keyof typeof NODE_TEXTS.fr];
      expect(french.trim(), key).not.toBe('');
      expect(french, key).not.toBe(english);
    }
    for (const [key, english] of Object.entries(POLICY_TEXTS_EN)) {
      const french = POLICY_TEXTS_FR[key as keyof typeof POLICY_TEXTS_FR];
      expect(JSON.stringify(french), key).not.toBe(JSON.stringify(english));
    }
  });

  it('gives nodes locale maps, with parameters filled in each language', () => {
    expect(nodeText('prompt.username')).toEqual({ en: 'User Name', fr: 'Nom d’utilisateur' });
    expect(nodeText('failure.missingAttributes', { attributes: 'mail, sn' })).toEqual({
      en: 'Missing required attributes: mail, sn.',
      fr: 'Attributs obligatoires manquants\u00a0: mail, sn.',
    });
  });

  it('completes a journey’s stock English default, and leaves a journey’s own wording alone', () => {
    expect(withStockTranslations({ en: 'Yes' }, 'message.yes')).toEqual({ en: 'Yes', fr: 'Oui' });
    expect(withStockTranslations('Choice?', 'prompt.choice')).toEqual({ en: 'Choice?', fr: 'Choix\u00a0?' });
    expect(withStockTranslations(undefined, 'message.no')).toEqual({ en: 'No', fr: 'Non' });
    expect(withStockTranslations({ 'en-GB': 'Yes', de: 'Ja' }, 'message.yes')).toEqual({ 'en-GB': 'Yes', de: 'Ja', en: 'Yes', fr: 'Oui' });
    expect(withStockTranslations({ en: 'Sure' }, 'message.yes')).toEqual({ en: 'Sure' });
    expect(withStockTranslations({ en: 'Yes', fr: 'Ouais' }, 'message.yes')).toEqual({ en: 'Yes', fr: 'Ouais' });
    expect(withStockTranslations('Pick one', 'prompt.choice')).toBe('Pick one');
  });

  it('says policy refusals as sentences, "or" between the context words', () => {
    const others = { policyRequirement: 'CANNOT_CONTAIN_OTHERS', params: { disallowedFields: ['userName', 'givenName', 'sn', 'mail'] } };
    expect(describePolicyFailure(others, ['en'])).toBe('Must not contain your username, first name, last name, or email address.');
    expect(describePolicyFailure(others, ['fr-FR'])).toBe('Ne doit pas contenir votre nom d’utilisateur, prénom, nom ou adresse e-mail.');
    expect(describePolicyFailure({ policyRequirement: 'MIN_LENGTH', params: { minLength: 1 } }, ['en'])).toBe('Must be at least 1 character long.');
    expect(describePolicyFailure({ policyRequirement: 'SOMETHING_NEW' }, ['fr'])).toBe('Cette valeur ne respecte pas l’exigence SOMETHING_NEW.');
    expect(refusalText({ failedPolicies: [{ policyRequirement: 'CANNOT_BE_COMMON' }] }, 'failure.accountNotUpdated')).toEqual({
      en: 'This password is too common. Choose one that is harder to guess.',
      fr: 'Ce mot de passe est trop courant. Choisissez-en un plus difficile à deviner.',
    });
    expect(refusalText({}, 'failure.accountNotUpdated').fr).toBe('Le compte n’a pas pu être mis à jour.');
  });
});

describe('nodes speak the request’s language', () => {
  it('stock prompts: AM’s English, the catalogue’s French', async () => {
    const fr = ['fr-FR', 'en'];
    const name = callbacksOf(await validatedUsernameNode.process(makeNodeContext({ config: configFor(validatedUsernameNode), locales: fr })));
    const password = callbacksOf(await passwordCollectorNode.process(makeNodeContext({ config: configFor(passwordCollectorNode), locales: fr })));
    expect([...texts(name), ...texts(password)]).toEqual(['Nom d’utilisateur', 'Mot de passe']);
    const english = callbacksOf(
      await validatedUsernameNode.process(makeNodeContext({ config: configFor(validatedUsernameNode), locales: ['en-US'] })),
    );
    expect(texts(english)).toEqual(['User Name']);
  });

  it('schema titles from their locale maps (the shipped managed.json)', async () => {
    const services = { ...(await createNodeTestbed()).services, schema: await loadManagedSchema() };
    const config = configFor(attributeCollectorNode, { attributesToCollect: ['givenName', 'sn', 'mail', 'preferences/marketing'] });
    const ask = async (locales: string[]) => texts(callbacksOf(await attributeCollectorNode.process(makeNodeContext({ config, locales, services }))));
    expect(await ask(['fr'])).toEqual(['Prénom', 'Nom', 'Adresse e-mail', 'M’envoyer des offres spéciales et des services']);
    expect(await ask(['en'])).toEqual(['First Name', 'Last Name', 'Email Address', 'Send me special offers and services']);
    expect(await ask(['de', 'fr-CH'])).toEqual(await ask(['fr']));
    const validated = configFor(validatedPasswordNode, { validateInput: true });
    expect(texts(callbacksOf(await validatedPasswordNode.process(makeNodeContext({ config: validated, locales: ['fr'], services }))))).toEqual([
      'Mot de passe',
    ]);
  });

  it('the Message Node’s and the Choice Collector’s stock defaults, and choice labels from their maps', async () => {
    const message = callbacksOf(
      await messageNode.process(
        makeNodeContext({ config: configFor(messageNode, { message: { en: 'Go on?', fr: 'Continuer ?' } }), locales: ['fr'] }),
      ),
    );
    expect(texts(message)).toEqual(['Continuer ?', '', ['Oui', 'Non']]); // the confirmation's prompt is empty, as AM's
    const choice = configFor(choiceCollectorNode, {
      choices: ['card', 'bank'],
      defaultChoice: 'card',
      choiceLabels: { card: { en: 'Credit card', fr: 'Carte bancaire' } },
    });
    expect(texts(callbacksOf(await choiceCollectorNode.process(makeNodeContext({ config: choice, locales: ['fr'] }))))).toEqual([
      'Choix\u00a0?',
      ['Carte bancaire', 'bank'],
    ]);
    expect(texts(callbacksOf(await choiceCollectorNode.process(makeNodeContext({ config: choice, locales: ['en'] }))))).toEqual([
      'Choice?',
      ['Credit card', 'bank'],
    ]);
    const mapped = configFor(choiceCollectorNode, { choices: ['a', 'b'], defaultChoice: 'a', prompt: { en: 'Which?', fr: 'Lequel ?' } });
    expect(texts(callbacksOf(await choiceCollectorNode.process(makeNodeContext({ config: mapped, locales: ['fr'] }))))[0]).toBe('Lequel ?');
  });

  it('the Email Suspend Node’s stock message', async () => {
    const { services } = await createNodeTestbed();
    const config = configFor(emailSuspendNode, { objectLookup: false });
    const result = await emailSuspendNode.process(makeNodeContext({ config, locales: ['fr'], services }));
    const sent = (r: Awaited<ReturnType<typeof emailSuspendNode.process>>): Callback[] => (r.kind === 'suspend' ? r.callbacks : []);
    expect(result.kind).toBe('suspend');
    expect(texts(sent(result))).toEqual(['Un e-mail a été envoyé à l’adresse saisie. Cliquez sur le lien qu’il contient pour continuer.']);
    const empty = configFor(emailSuspendNode, { objectLookup: false, emailSuspendMessage: {} });
    expect(texts(sent(await emailSuspendNode.process(makeNodeContext({ config: empty, locales: ['en'], services }))))).toEqual([
      'An email has been sent to your inbox.',
    ]);
  });
});
