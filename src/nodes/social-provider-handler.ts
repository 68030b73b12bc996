/**
 * Social Provider Handler (AM `SocialProviderHandlerNode`, browser client): sends the person to the
 * provider chosen by Select Identity Provider with a RedirectCallback, and when they come back with
 * `code` and `state` (FRAuth.resume, or the hosted page) completes the OpenID Connect sign-in, runs
 * the provider's normalisation script and this node's transformation script, and finds the account
 * linked to `<provider>-<subject>` in `aliasList`: ACCOUNT_EXISTS, else NO_ACCOUNT with the new
 * account's attributes (and its alias) in objectAttributes for the journey's registration path. With
 * `linkByVerifiedEmail`, an account whose mail is the provider's *verified* e-mail is linked too.
 */
import { createHash } from 'node:crypto';
import { redirectCallback } from '../callbacks/builders.js';
import { SocialSignInError, type SocialChecks } from '../social/oidc.js';
import { isIdentityFailure } from './helpers/identity-lookup.js';
import { setObjectAttribute } from './helpers/object-attributes.js';
import { SELECTED_IDP } from './select-idp.js';
import { auditEffect, defineNode } from './types.js';

export interface SocialProviderHandlerConfig {
  script: string;
  usernameAttribute: string;
  clientType: 'BROWSER' | 'NATIVE';
  linkByVerifiedEmail: boolean;
}

export const ALIAS_LIST = 'aliasList';
const SOCIAL_CONTEXT = 'SOCIAL_IDP_PROFILE_TRANSFORMATION';
/** How long a used `state` is remembered: longer than any journey step lives. */
export const STATE_MEMORY_MS = 24 * 60 * 60_000;
/** The store's mark of a used `state` (its hash: the value itself is never stored). */
export const usedStateKey = (state: string): string => `social:state:${createHash('sha256').update(state).digest('base64url')}`;

interface Pending {
  provider: string;
  checks: SocialChecks;
}

const isPending = (v: unknown): v is Pending =>
  !!v && typeof v === 'object' && typeof (v as Pending).provider === 'string' && typeof (v as Pending).checks?.state === 'string';

export const socialProviderHandlerNode = defineNode<SocialProviderHandlerConfig>({
  type: 'SocialProviderHandlerNode',
  displayName: 'Social Provider Handler Node',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['script'],
    properties: {
      script: {
        title: 'Transformation Script',
        description: 'The script (SOCIAL_IDP_PROFILE_TRANSFORMATION, by id) turning the normalised profile into the account attributes.',
        type: 'string',
        minLength: 1,
      },
      usernameAttribute: {
        title: 'Username Attribute',
        description: 'The account attribute holding the user name.',
        type: 'string',
        default: 'userName',
      },
      clientType: {
        title: 'Client Type',
        description: 'BROWSER: the person is redirected to the provider. NATIVE (an app signs in itself and sends an IdPCallback) is not supported.',
        type: 'string',
        enum: ['BROWSER', 'NATIVE'],
        default: 'BROWSER',
      },
      linkByVerifiedEmail: {
        title: 'Link by verified e-mail (Cairn)',
        description:
          "Link an existing account whose mail is the provider's e-mail when the provider says it is verified (`email_verified`); never an unverified one.",
        type: 'boolean',
        default: false,
      },
    },
  },
  outcomes: [
    { id: 'ACCOUNT_EXISTS', displayName: 'Account exists' },
    { id: 'NO_ACCOUNT', displayName: 'No account exists' },
  ],
  checkConfig: (config) =>
    config.clientType === 'NATIVE'
      ? [{ pointer: '/clientType', message: 'NATIVE (IdPCallback) is not supported; Cairn redirects the browser (BROWSER).' }]
      : [],
  referencedScripts: (config) =>
    typeof config.script === 'string' ? [{ scriptId: config.script, pointer: '/script', context: SOCIAL_CONTEXT }] : [],

  async process(ctx) {
    const { social, scripts } = ctx.services;
    const selected = ctx.shared[SELECTED_IDP];
    if (typeof selected !== 'string')
      throw new Error(`Social Provider Handler: ${SELECTED_IDP} not found in shared state (Select Identity Provider comes first).`);
    if (!social || !scripts) throw new Error('Social Provider Handler: no social identity providers or scripts are loaded.');

    const pending = ctx.local.pending;
    const query = ctx.request.query;
    if (!isPending(pending) || pending.provider !== selected || (query.code === undefined && query.error === undefined)) {
      // First visit (or back without an answer): send the person to the provider.
      const { url, checks } = await social.begin(selected);
      ctx.local.pending = { provider: selected, checks } satisfies Pending;
      return { kind: 'callbacks', callbacks: [redirectCallback({ redirectUrl: url, redirectMethod: 'GET', trackingCookie: true })] };
    }
    // Back from the provider. Its `state` answers once, whatever carries it (this step's own claim aside):
    // marked used in the store before the code is redeemed, so a replayed answer is refused here.
    if ((await ctx.services.counters.increment(usedStateKey(pending.checks.state), STATE_MEMORY_MS)) > 1) {
      throw new SocialSignInError('replayed', `Signing in with ${selected} failed: this sign-in's answer (its state) was already used.`, selected);
    }
    // A wrong state, a used code, a token for another client fail here.
    const signIn = await social.complete(selected, query, pending.checks);
    delete ctx.local.pending;

    const base = {
      journeyId: ctx.journey.id,
      nodeId: ctx.nodeId,
      identityResource: ctx.journey.identityResource,
      selectedIdp: selected,
      callbacks: ctx.callbacks,
      request: ctx.request,
    };
    let shared = ctx.shared;
    let transient = ctx.transient;
    const transformId = social.transformOf(selected);
    let normalized = signIn.profile;
    if (transformId) {
      const r = await scripts.transform({ ...base, scriptId: transformId, profile: signIn.profile, normalized: false, shared, transient });
      ({ shared, transient } = r);
      normalized = r.value;
    }
    const mapped = await scripts.transform({ ...base, scriptId: ctx.config.script, profile: normalized, normalized: true, shared, transient });
    Object.assign(ctx.shared, mapped.shared);
    Object.assign(ctx.transient, mapped.transient);
    const objectData = mapped.value;

    const resource = ctx.journey.identityResource;
    const identity = `${selected}-${signIn.subject}`;
    const { identity: people } = ctx.services;
    let user = await people.findByAttribute(resource, ALIAS_LIST, identity);
    let linkedBy: 'alias' | 'verified-email' | undefined = user ? 'alias' : undefined;
    const email = typeof signIn.profile.email === 'string' ? signIn.profile.email : undefined;
    if (!user && ctx.config.linkByVerifiedEmail && email && signIn.profile.email_verified === true) {
      const byMail = await people.findByAttribute(resource, 'mail', email);
      if (byMail) {
        const aliases = Array.isArray(byMail.aliasList) ? (byMail.aliasList as unknown[]).map(String) : [];
        const saved = await people.update(resource, byMail._id, { [ALIAS_LIST]: [...aliases, identity] });
        if (!isIdentityFailure(saved)) {
          user = saved;
          linkedBy = 'verified-email';
        }
      }
    }

    const usernameAttribute = ctx.config.usernameAttribute;
    for (const [k, v] of Object.entries(objectData)) if (k !== usernameAttribute) setObjectAttribute(ctx.transient, k, v);
    const username = user ? user[usernameAttribute] : objectData[usernameAttribute];
    if (typeof username === 'string') {
      setObjectAttribute(ctx.shared, usernameAttribute, username);
      ctx.shared.username = username;
    }
    if (user) ctx.shared._id = user._id;
    const existing = user && Array.isArray(user.aliasList) ? (user.aliasList as unknown[]).map(String) : [];
    setObjectAttribute(ctx.transient, ALIAS_LIST, [...new Set([...existing, identity])]);
    // Who signed in where, never their profile: the provider, the account found (or none) and how.
    const audit = auditEffect('social.signin', {
      journey: ctx.journey.id,
      node: ctx.nodeId,
      provider: selected,
      outcome: user ? 'ACCOUNT_EXISTS' : 'NO_ACCOUNT',
      ...(user ? { userId: user._id } : {}),
      ...(linkedBy ? { linkedBy } : {}),
    });
    return { kind: 'outcome', outcome: user ? 'ACCOUNT_EXISTS' : 'NO_ACCOUNT', effects: [audit] };
  },
});
