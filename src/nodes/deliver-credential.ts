/**
 * Deliver Credential (Cairn `DeliverCredentialNode`, midPoint's "delivery" step): hands a value that
 * Generate Password left in transient state to people, then forgets it (it leaves transient state):
 * `screen` shows it once to whoever is at the keyboard (a TextOutputCallback and an OK), `email` sends
 * it to the journey's user through the mail queue with a template, `split` sends k consecutive parts to
 * k configured recipients (joined in order they give the value; one part alone leaves (k-1)/k of its
 * entropy unknown). The value never enters shared state, audit fields or the log. Place it after the
 * node that saves the value. DELIVERED, or NOT_DELIVERED when there is no value or no recipient.
 */
import { defineCatalogue } from '../i18n/catalogue.js';
import { pseudonym } from '../audit/pseudonym.js';
import { confirmationCallback, MESSAGE_INFORMATION, textOutputCallback } from '../callbacks/builders.js';
import { getObjectAttribute, objectAttributesOf } from './helpers/object-attributes.js';
import { mailLocalesOf, templateObjectOf } from './helpers/mail-request.js';
import { auditEffect, defineNode, type Effect, type NodeContext, type NodeResult } from './types.js';
import { GENERATED_PASSWORD_ATTRIBUTE_PROPERTY } from './helpers/schema-parts.js';

export interface DeliverCredentialConfig {
  method: 'screen' | 'email' | 'split';
  passwordAttribute: string;
  emailTemplateName: string;
  emailAttribute: string;
  splitTemplateName: string;
  recipients: string[];
  message: Record<string, string>;
}

/** `value` cut into `k` consecutive parts of near-equal length (code points, so no part splits a character). */
export function splitValue(value: string, k: number): string[] {
  const points = [...value];
  const parts: string[] = [];
  for (let i = 0; i < k; i++) parts.push(points.slice(Math.floor((i * points.length) / k), Math.floor(((i + 1) * points.length) / k)).join(''));
  return parts;
}

function forget(ctx: NodeContext<DeliverCredentialConfig>): void {
  delete objectAttributesOf(ctx.transient)[ctx.config.passwordAttribute];
}

async function targetOf(ctx: NodeContext<DeliverCredentialConfig>): Promise<Record<string, unknown> | undefined> {
  const id = ctx.shared['_id'];
  return typeof id === 'string' ? ctx.services.identity.read(ctx.journey.identityResource, id) : undefined;
}

/** The screen's texts when the journey gives none, in every shipped language. */
const TEXTS = defineCatalogue('node.DeliverCredentialNode', {
  en: { message: 'The new password (shown once, write it down now):', done: 'Done' },
  fr: { message: 'Le nouveau mot de passe (affiché une seule fois, notez-le maintenant)\u00a0:', done: 'Terminé' },
});

export const deliverCredentialNode = defineNode<DeliverCredentialConfig>({
  type: 'DeliverCredentialNode',
  displayName: 'Deliver Credential',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      method: {
        title: 'Delivery',
        description: 'screen: shown once to whoever is at the keyboard; email: to the user; split: one part to each recipient.',
        enum: ['screen', 'email', 'split'],
        default: 'screen',
      },
      passwordAttribute: GENERATED_PASSWORD_ATTRIBUTE_PROPERTY,
      emailTemplateName: {
        title: 'E-mail template',
        description: 'email: the template; its object is the user plus `credential`.',
        type: 'string',
        minLength: 1,
        default: 'generatedPassword',
      },
      emailAttribute: {
        title: 'Email attribute',
        description: "email: the user's attribute holding the address.",
        type: 'string',
        minLength: 1,
        default: 'mail',
      },
      splitTemplateName: {
        title: 'Part template',
        description: 'split: the template; its object is the user plus `credentialPart`, `partNumber`, `partCount`.',
        type: 'string',
        minLength: 1,
        default: 'credentialPart',
      },
      recipients: {
        title: 'Recipients',
        description: 'split: the addresses that each receive one part, in order (at least two).',
        type: 'array',
        items: { type: 'string', minLength: 3 },
        maxItems: 8,
        default: [],
      },
      message: {
        title: 'Message',
        description: 'screen: the text before the value, by locale.',
        type: 'object',
        additionalProperties: { type: 'string' },
        default: TEXTS.text('message'),
      },
    },
  },
  outcomes: [
    { id: 'DELIVERED', displayName: 'Delivered' },
    { id: 'NOT_DELIVERED', displayName: 'Not Delivered' },
  ],
  multipleCallbacks: true,
  allowedInPage: false,
  checkConfig(config) {
    return config.method === 'split' && config.recipients.length < 2
      ? [{ pointer: '/recipients', message: 'A split delivery needs at least two recipients.' }]
      : [];
  },

  async process(ctx) {
    const { method, passwordAttribute } = ctx.config;
    const base = {
      journey: ctx.journey.id,
      node: ctx.nodeId,
      method,
      ...(typeof ctx.shared['_id'] === 'string' ? { userId: ctx.shared['_id'] } : {}),
    };
    const done = (effects: Effect[]): NodeResult => ({
      kind: 'outcome',
      outcome: 'DELIVERED',
      effects: [...effects, auditEffect('credential.delivered', base)],
    });
    const notDelivered = (reason: string): NodeResult => {
      forget(ctx);
      return { kind: 'outcome', outcome: 'NOT_DELIVERED', effects: [auditEffect('credential.undelivered', { ...base, reason })] };
    };

    if (method === 'screen' && ctx.local['shown'] === true) {
      // The operator acknowledged; whatever they answer, the value is never shown again.
      return done([]);
    }
    const value = getObjectAttribute(ctx.transient, passwordAttribute);
    if (typeof value !== 'string' || value === '') return notDelivered('no-value');
    forget(ctx);

    if (method === 'screen') {
      ctx.local['shown'] = true;
      const shown = [ctx.localize(TEXTS.complete(ctx.config.message, 'message')), value].join(' ');
      return {
        kind: 'callbacks',
        callbacks: [
          textOutputCallback(shown, MESSAGE_INFORMATION),
          confirmationCallback({ options: [ctx.localize(TEXTS.text('done'))], defaultOption: 0 }),
        ],
      };
    }
    const user = await targetOf(ctx);
    if (!user) return notDelivered('no-account');
    const object = templateObjectOf(user);
    const locales = mailLocalesOf(ctx, user);
    if (method === 'email') {
      const address = user[ctx.config.emailAttribute];
      if (typeof address !== 'string' || address.trim() === '') return notDelivered('no-recipient');
      return done([{ type: 'mail', template: ctx.config.emailTemplateName, to: address.trim(), locales, object: { ...object, credential: value } }]);
    }
    const { recipients } = ctx.config;
    if (recipients.length < 2) return notDelivered('no-recipient');
    const parts = splitValue(value, recipients.length);
    return done([
      ...recipients.map((to, i): Effect => ({
        type: 'mail',
        template: ctx.config.splitTemplateName,
        to,
        locales,
        object: { ...object, credentialPart: parts[i], partNumber: i + 1, partCount: parts.length },
      })),
      auditEffect('credential.split', { ...base, recipients: recipients.map((r) => pseudonym(r)) }),
    ]);
  },
});
