/**
 * Generate Password (Cairn `GeneratePasswordNode`, midPoint's "generated" credential source): a random
 * password that satisfies the configured password policy of the journey's identity resource, with at
 * least `entropyBits` bits of entropy (128 by default) unless the policy's maximum length forbids it.
 * The value is kept only in transient state (`objectAttributes[passwordAttribute]`), never shared
 * state, so it is dropped on suspension and never logged. GENERATED, or FAILED when the policy cannot
 * be met (e.g. it forbids every character the generator uses).
 */
import { randomInt } from 'node:crypto';
import type { PolicyPort } from '../identity/ports.js';
import { setObjectAttribute } from './helpers/object-attributes.js';
import { auditEffect, defineNode, type NodeResult } from './types.js';

export interface GeneratePasswordConfig {
  passwordAttribute: string;
  entropyBits: number;
}

/** What the generator must respect, read from the policy's description (AM's `policies` output). */
export interface GeneratorRules {
  minLength: number;
  maxLength: number;
  numCaps: number;
  numNums: number;
  forbidden: readonly string[];
}

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SYMBOLS = '-_.!@#%+=?';
const ATTEMPTS = 16;

/** The generator's rules from `describe(resource, property)`; absent policies leave NIST-style defaults. */
export function rulesOf(policy: PolicyPort, resource: string, property: string): GeneratorRules {
  const described = policy.describe(resource, property);
  const list = Array.isArray(described['policies']) ? (described['policies'] as { policyId?: unknown; params?: Record<string, unknown> }[]) : [];
  const param = (id: string, name: string): unknown => list.find((p) => p.policyId === id)?.params?.[name];
  const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : fallback);
  const chars = param('cannot-contain-characters', 'forbiddenChars');
  return {
    minLength: num(param('minimum-length', 'minLength'), 8),
    maxLength: num(param('maximum-length', 'maxLength'), 256),
    numCaps: num(param('at-least-X-capitals', 'numCaps'), 0),
    numNums: num(param('at-least-X-numbers', 'numNums'), 0),
    forbidden: Array.isArray(chars) ? chars.filter((c): c is string => typeof c === 'string') : [],
  };
}

const allowed = (set: string, forbidden: readonly string[]): string => [...set].filter((c) => !forbidden.some((f) => f.includes(c))).join('');
const pick = (set: string): string => set[randomInt(set.length)] as string;

/**
 * A password for `rules`: `numCaps` capitals and `numNums` digits (counted as carrying no entropy),
 * then enough characters drawn uniformly from the whole alphabet for `entropyBits`, shuffled
 * (Fisher–Yates with crypto's randomInt). Undefined when the rules leave no alphabet or cannot fit.
 */
export function generatePassword(rules: GeneratorRules, entropyBits: number): { value: string; bits: number } | undefined {
  const upper = allowed(UPPER, rules.forbidden);
  const digits = allowed(DIGITS, rules.forbidden);
  const alphabet = allowed(LOWER, rules.forbidden) + upper + digits + allowed(SYMBOLS, rules.forbidden);
  if (alphabet.length < 2 || (rules.numCaps > 0 && upper === '') || (rules.numNums > 0 && digits === '')) return undefined;
  const forced = rules.numCaps + rules.numNums;
  const perChar = Math.log2(alphabet.length);
  const free = Math.max(Math.ceil(entropyBits / perChar), rules.minLength - forced);
  const length = Math.min(forced + free, rules.maxLength);
  if (length < rules.minLength || length <= forced) return undefined;
  const chars = [
    ...Array.from({ length: rules.numCaps }, () => pick(upper)),
    ...Array.from({ length: rules.numNums }, () => pick(digits)),
    ...Array.from({ length: length - forced }, () => pick(alphabet)),
  ];
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return { value: chars.join(''), bits: Math.floor((length - forced) * perChar) };
}

const FAILED = (reason: string, journey: string, node: string): NodeResult => ({
  kind: 'outcome',
  outcome: 'FAILED',
  effects: [auditEffect('credential.generate.failed', { journey, node, reason })],
});

export const generatePasswordNode = defineNode<GeneratePasswordConfig>({
  type: 'GeneratePasswordNode',
  displayName: 'Generate Password',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      passwordAttribute: {
        title: 'Password attribute',
        description: 'The password property of the identity resource; the value goes to transient objectAttributes under this name.',
        type: 'string',
        minLength: 1,
        default: 'password',
      },
      entropyBits: {
        title: 'Entropy (bits)',
        description: 'The least entropy of the generated value, unless the policy’s maximum length forbids it.',
        type: 'integer',
        minimum: 64,
        maximum: 512,
        default: 128,
      },
    },
  },
  outcomes: [
    { id: 'GENERATED', displayName: 'Generated' },
    { id: 'FAILED', displayName: 'Failed' },
  ],

  async process(ctx) {
    const { passwordAttribute, entropyBits } = ctx.config;
    const resource = ctx.journey.identityResource;
    const rules = rulesOf(ctx.services.policy, resource, passwordAttribute);
    const userId = typeof ctx.shared['_id'] === 'string' ? ctx.shared['_id'] : undefined;
    const user = userId === undefined ? undefined : await ctx.services.identity.read(resource, userId);
    const shared = ctx.shared['objectAttributes'];
    const attributes = { ...(user ?? {}), ...(typeof shared === 'object' && shared !== null ? shared : {}) };
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const generated = generatePassword(rules, entropyBits);
      if (generated === undefined) return FAILED('policy-unsatisfiable', ctx.journey.id, ctx.nodeId);
      // The policy has the last word (context words, common passwords, …): a rare refusal draws again.
      const failures = await ctx.services.policy.check(resource, passwordAttribute, generated.value, {
        ...(userId === undefined ? {} : { objectId: userId }),
        attributes,
      });
      if (failures.length > 0) continue;
      setObjectAttribute(ctx.transient, passwordAttribute, generated.value);
      return {
        kind: 'outcome',
        outcome: 'GENERATED',
        effects: [
          auditEffect('credential.generated', { journey: ctx.journey.id, node: ctx.nodeId, bits: generated.bits, ...(userId ? { userId } : {}) }),
        ],
      };
    }
    return FAILED('policy-refused', ctx.journey.id, ctx.nodeId);
  },
});
