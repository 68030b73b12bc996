/**
 * Select Identity Provider (AM `SelectIdPNode`): offers the realm's enabled social identity providers,
 * and local sign-in when configured, with a SelectIdPCallback. A provider chosen goes on by
 * `socialAuthentication` with its name in shared state (`selectedIdp`, what Social Provider Handler
 * reads); `localAuthentication` goes on by that outcome. A single choice is taken without asking.
 */
import { selectIdPCallback, type IdPChoice } from '../callbacks/builders.js';
import { readString } from '../callbacks/readers.js';
import { defineNode } from './types.js';

export interface SelectIdPConfig {
  includeLocalAuthentication: boolean;
  offerOnlyExisting: boolean;
  passwordAttribute: string;
  identityAttribute: string;
  filteredProviders: string[];
}

export const LOCAL_AUTHENTICATION = 'localAuthentication';
/** AM's shared-state key for the chosen provider. */
export const SELECTED_IDP = 'selectedIdp';

export const selectIdPNode = defineNode<SelectIdPConfig>({
  type: 'SelectIdPNode',
  displayName: 'Select Identity Provider',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      includeLocalAuthentication: {
        title: 'Include local authentication',
        description: 'Also offer signing in with a local account (`localAuthentication`).',
        type: 'boolean',
        default: true,
      },
      offerOnlyExisting: {
        title: 'Offer only existing providers',
        description:
          'When the journey already knows the person, offer only the providers linked to their account (and local sign-in only if they have a password).',
        type: 'boolean',
        default: false,
      },
      passwordAttribute: {
        title: 'Password attribute',
        description: 'The attribute that says an account has a local password.',
        type: 'string',
        default: 'password',
      },
      identityAttribute: {
        title: 'Identity attribute',
        description: 'The attribute identifying the person already known.',
        type: 'string',
        default: 'mail',
      },
      filteredProviders: {
        title: 'Filter enabled providers',
        description: 'Offer only these providers (by name); empty: every enabled provider of the realm.',
        type: 'array',
        items: { type: 'string' },
        default: [],
      },
    },
  },
  outcomes: [
    { id: 'socialAuthentication', displayName: 'Social Authentication' },
    { id: LOCAL_AUTHENTICATION, displayName: 'Local Authentication' },
  ],

  async process(ctx) {
    const { config } = ctx;
    let providers = ctx.services.social?.providers() ?? [];
    if (config.filteredProviders.length > 0) providers = providers.filter((p) => config.filteredProviders.includes(p.name));
    let local = config.includeLocalAuthentication;
    if (config.offerOnlyExisting) {
      const attrs = ctx.shared.objectAttributes as Record<string, unknown> | undefined;
      const known = attrs?.[config.identityAttribute] ?? ctx.shared.username;
      const user =
        typeof known === 'string'
          ? await ctx.services.identity.findByAttribute(ctx.journey.identityResource, config.identityAttribute, known)
          : undefined;
      if (user) {
        const aliases = Array.isArray(user.aliasList) ? (user.aliasList as unknown[]).map(String) : [];
        providers = providers.filter((p) => aliases.some((a) => a.startsWith(`${p.name}-`)));
        local = local && user[config.passwordAttribute] !== undefined;
      }
    }
    const choices: IdPChoice[] = [
      ...providers.map((p) => ({ provider: p.name, ...(p.uiConfig ? { uiConfig: p.uiConfig } : {}) })),
      ...(local ? [{ provider: LOCAL_AUTHENTICATION }] : []),
    ];
    const choose = (name: string | undefined) => {
      if (name === LOCAL_AUTHENTICATION && local) return { kind: 'outcome' as const, outcome: LOCAL_AUTHENTICATION };
      if (name !== undefined && providers.some((p) => p.name === name)) {
        ctx.shared[SELECTED_IDP] = name;
        return { kind: 'outcome' as const, outcome: 'socialAuthentication' };
      }
      return undefined;
    };
    if (choices.length === 1) return choose(choices[0]?.provider) ?? { kind: 'outcome', outcome: LOCAL_AUTHENTICATION };
    const returned = ctx.callbacks?.find((cb) => cb.type === 'SelectIdPCallback');
    const chosen = returned ? choose(readString(returned)) : undefined;
    if (chosen) return chosen;
    if (choices.length === 0)
      throw new Error('Select Identity Provider: there is no provider to offer (no enabled social identity provider, no local authentication).');
    return { kind: 'callbacks', callbacks: [selectIdPCallback(choices)] };
  },
});
