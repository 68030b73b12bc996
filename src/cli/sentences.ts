/**
 * The user commands' sentences about attributes and policy refusals, in the words the pages use
 * (src/i18n/policies.ts): "The password was refused: This password is too common. …".
 */
import { describePolicyFailure, POLICY_TEXTS_EN, type PolicyFailure } from '../i18n/policies.js';

/** A user attribute as a person names it ("email address"), for sentences. */
export const attributeName = (property: string): string => {
  const known = POLICY_TEXTS_EN[`field.${property}` as keyof typeof POLICY_TEXTS_EN];
  return typeof known === 'string' ? known : property;
};

/** "The password must be at least 8 characters long." / "The password was refused: This password is too common. …" */
export function refusalSentence(property: string, failures: readonly PolicyFailure[]): string {
  const name = attributeName(property);
  const sentences = failures.map((f) => describePolicyFailure(f, ['en']));
  if (sentences.length === 1 && /^Must /.test(sentences[0] as string)) return `The ${name} ${(sentences[0] as string).replace(/^Must/, 'must')}`;
  return `The ${name} was refused: ${sentences.join(' ')}`;
}
