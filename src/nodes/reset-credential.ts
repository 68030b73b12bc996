/**
 * Reset Credential (Cairn `ResetCredentialNode`, the execute part of midPoint's model in a journey an
 * operator runs): saves the value Generate Password left in transient state as the new password of
 * the journey's user (`shared._id`), for the operator whose live session the request carries (checked
 * again now, as Requester Is Helpdesk checked it), through the credential-reset guard: a target the
 * credential-reset policy protects from this operator is refused, then identityService.resetPassword
 * (policy, sessions of the target revoked, "password changed" mail, audit `credential.reset` naming
 * the operator as requester and the target; must-change when `forceChange`). RESET; PROTECTED (the
 * value is forgotten, nothing written); FAILURE (no operator, no value, no such user, a refused policy).
 * Place Deliver Credential after it.
 */
import { defineCatalogue } from '../i18n/catalogue.js';
import { refusalText } from '../i18n/node-texts.js';
import { getObjectAttribute, objectAttributesOf } from './helpers/object-attributes.js';
import { helpdeskOperator } from './helpers/operator.js';
import { defineNode, type NodeResult } from './types.js';
import { GENERATED_PASSWORD_ATTRIBUTE_PROPERTY } from './helpers/schema-parts.js';

export interface ResetCredentialConfig {
  passwordAttribute: string;
  forceChange: boolean;
}

const TEXTS = defineCatalogue('node.ResetCredentialNode', {
  en: {
    protected: 'This account is protected: only an administrator can reset its password.',
    notOperator: 'Only a helpdesk operator who is signed in can reset a password here.',
    notReset: 'The password was not reset.',
  },
  fr: {
    protected: 'Ce compte est protégé\u00a0: seul un administrateur peut réinitialiser son mot de passe.',
    notOperator: 'Seul un opérateur du support connecté peut réinitialiser un mot de passe ici.',
    notReset: 'Le mot de passe n’a pas été réinitialisé.',
  },
});

export const resetCredentialNode = defineNode<ResetCredentialConfig>({
  type: 'ResetCredentialNode',
  displayName: 'Reset Credential',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      passwordAttribute: GENERATED_PASSWORD_ATTRIBUTE_PROPERTY,
      forceChange: {
        title: 'Force change',
        description: 'Mark the password must-change in the same write: the next Login asks for a new one.',
        type: 'boolean',
        default: true,
      },
    },
  },
  outcomes: [
    { id: 'RESET', displayName: 'Reset' },
    { id: 'PROTECTED', displayName: 'Protected' },
    { id: 'FAILURE', displayName: 'Failure' },
  ],

  async process(ctx) {
    const { passwordAttribute, forceChange } = ctx.config;
    const value = getObjectAttribute(ctx.transient, passwordAttribute);
    const leave = (outcome: 'PROTECTED' | 'FAILURE', errorMessage: string): NodeResult => {
      // The value never outlives a refusal: nothing was saved, nothing is to be delivered.
      delete objectAttributesOf(ctx.transient)[passwordAttribute];
      return { kind: 'outcome', outcome, errorMessage };
    };
    const text = (id: 'protected' | 'notOperator' | 'notReset'): string => ctx.localize(TEXTS.text(id));
    const check = await helpdeskOperator(ctx);
    if ('refused' in check) return leave('FAILURE', text('notOperator'));
    const { operator } = check;
    const id = ctx.shared['_id'];
    if (typeof id !== 'string' || id === '' || typeof value !== 'string' || value === '') return leave('FAILURE', text('notReset'));
    const result = await ctx.services.credentialResets.reset(
      { name: `admin:${operator.name}`, roles: operator.roles },
      ctx.journey.identityResource,
      id,
      value,
      {
        method: ctx.journey.id,
        forceChange,
      },
    );
    switch (result.type) {
      case 'reset':
        return { kind: 'outcome', outcome: 'RESET' };
      case 'protected':
        return leave('PROTECTED', text('protected'));
      case 'refused':
        return leave(
          'FAILURE',
          ctx.localize(refusalText({ failedPolicies: result.failedPolicies.flatMap((f) => f.policyRequirements) }, 'failure.accountNotUpdated')),
        );
      case 'not-found':
        return leave('FAILURE', text('notReset'));
    }
  },
});
