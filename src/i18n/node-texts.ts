/**
 * The texts nodes send when their journey does not say otherwise — the prompts of the stock
 * callbacks, the Message Node's answers, the Email Suspend message, failure messages — in every
 * shipped language, as AM localises its stock prompts from its resource bundles per request.
 * Nodes read them as locale maps (`nodeText(id)`) and resolve them with `ctx.localize`, so a
 * request's `locale` / `Accept-Language` picks the language like any journey text.
 *
 * A journey's own locale map wins. When it holds only a stock English default (a Message Node's
 * `{ "en": "Yes" }`, a Choice Collector's `"Choice?"`), `withStockTranslations` completes it with the
 * catalogue's other languages, so a French page never shows the English default.
 *
 * These are the texts several nodes share. A node with texts of its own defines its own catalogue
 * beside it (`defineCatalogue('node.<type>', { en, fr })`, src/i18n/catalogue.ts).
 */
import type { LocalizedText } from '../journeys/model.js';
import { defineCatalogue, type Texts } from './catalogue.js';
import { SHIPPED_LANGUAGES, type Params, type ShippedLanguage } from './messages.js';
import { describePolicyFailure, type PolicyFailure } from './policies.js';

/**
 * English, the reference: its keys are the ids. The English texts are AM's own (its bundles say
 * "User Name"), so apps that recognise AM's prompts keep working; the hosted pages show stock prompts
 * in their own wording (ui/src/i18n/stock.ts).
 */
const EN = {
  'prompt.username': 'User Name',
  'prompt.newUsername': 'Username',
  'prompt.password': 'Password',
  'prompt.choice': 'Choice?',
  'message.default': 'Default message',
  'message.yes': 'Yes',
  'message.no': 'No',
  'emailSuspend.message': 'An email has been sent to the address you entered. Click the link in that email to proceed.',
  'emailSuspend.fallback': 'An email has been sent to your inbox.',
  'failure.accountNotUpdated': 'The account could not be updated.',
  'failure.accountNotCreated': 'The account could not be created.',
  'failure.missingAttributes': 'Missing required attributes: {attributes}.',
} as const;

export type NodeTextId = keyof typeof EN;

const FR: Texts<NodeTextId> = {
  'prompt.username': 'Nom d’utilisateur',
  'prompt.newUsername': 'Nom d’utilisateur',
  'prompt.password': 'Mot de passe',
  'prompt.choice': 'Choix\u00a0?',
  'message.default': 'Message par défaut',
  'message.yes': 'Oui',
  'message.no': 'Non',
  'emailSuspend.message': 'Un e-mail a été envoyé à l’adresse saisie. Cliquez sur le lien qu’il contient pour continuer.',
  'emailSuspend.fallback': 'Un e-mail a été envoyé dans votre boîte de réception.',
  'failure.accountNotUpdated': 'Le compte n’a pas pu être mis à jour.',
  'failure.accountNotCreated': 'Le compte n’a pas pu être créé.',
  'failure.missingAttributes': 'Attributs obligatoires manquants\u00a0: {attributes}.',
};

/** The shared node texts, a catalogue like any other (listed by `catalogues()`). */
export const nodeTexts = defineCatalogue<NodeTextId>('nodes', { en: EN, fr: FR });

export const NODE_TEXTS: Readonly<Record<ShippedLanguage, Texts<NodeTextId>>> = nodeTexts.texts;

/** The text `id` as a locale map of every shipped language (English first: the fallback). */
export const nodeText = (id: NodeTextId, params: Params = {}): LocalizedText => nodeTexts.text(id, params);

/** The English stock text of `id` (a node's schema default, AM's wording). */
export const stockEnglish = (id: NodeTextId): string => nodeTexts.english(id);

/**
 * A journey's text completed with the catalogue's translations of `id` when the journey only holds
 * its stock English default (as a plain string or as `{ "en": … }`); anything else is the journey's
 * own wording and is returned as it is.
 */
export const withStockTranslations = (text: LocalizedText | string | undefined, id: NodeTextId): LocalizedText | string | undefined =>
  nodeTexts.complete(text, id);

/**
 * Why the identity service refused a write, as a locale map: its failed policies as sentences when it
 * names them, else the catalogue's `fallback` (its own English message never reaches a page as is).
 */
export function refusalText(refusal: { failedPolicies?: PolicyFailure[] }, fallback: NodeTextId): LocalizedText {
  const failed = refusal.failedPolicies ?? [];
  if (failed.length === 0) return nodeText(fallback);
  return Object.fromEntries(SHIPPED_LANGUAGES.map((language) => [language, failed.map((f) => describePolicyFailure(f, [language])).join(' ')]));
}
