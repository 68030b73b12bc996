import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPolicyService, loadCommonPasswords, type PasswordPolicyOptions } from '../../src/identity/policy.js';
import { loadManagedSchema } from '../../src/identity/schema.js';
import { generatePasswordNode as node, rulesOf } from '../../src/nodes/generate-password.js';
import { getObjectAttribute } from '../../src/nodes/helpers/object-attributes.js';
import type { NodeServices } from '../../src/nodes/services.js';
import { outcomesOf } from '../../src/nodes/types.js';
import { auditsOf, configFor, makeNodeContext, NODE_TEST_SCHEMA, USER_RESOURCE } from '../support/node-context.js';
import { ALICE, outcomeOf, testbed } from './identity-fixtures.js';

const config = configFor(node, {});

describe('Generate Password (GeneratePasswordNode)', () => {
  it('declares its type, defaults and outcomes', () => {
    expect([node.type, node.displayName]).toEqual(['GeneratePasswordNode', 'Generate Password']);
    expect(config).toEqual({ passwordAttribute: 'password', entropyBits: 128 });
    expect(outcomesOf(node, config).map((o) => o.id)).toEqual(['GENERATED', 'FAILED']);
    expect(() => configFor(node, { entropyBits: 32 })).toThrow(/entropyBits/);
  });

  it('GENERATED: a value in transient state only, ≥ 128 bits, accepted by the real policy and by the identity service', async () => {
    const t = await testbed();
    const shared: Record<string, unknown> = { _id: ALICE._id, username: 'alice' };
    const transient: Record<string, unknown> = {};
    const result = await node.process(makeNodeContext({ config, shared, transient, services: t.services }));
    expect(outcomeOf(result)).toBe('GENERATED');
    const value = getObjectAttribute(transient, 'password');
    expect(typeof value).toBe('string');
    expect(JSON.stringify(shared)).not.toContain(value as string);
    expect(JSON.stringify(result)).not.toContain(value as string);
    const [audit] = auditsOf(result);
    expect(audit?.event).toBe('credential.generated');
    expect(audit?.fields['bits']).toBeGreaterThanOrEqual(128);
    expect(await t.services.policy.check(USER_RESOURCE, 'password', value, { objectId: ALICE._id, attributes: {} })).toEqual([]);
    const saved = await t.identity.update(USER_RESOURCE, ALICE._id, { password: value });
    expect(saved).not.toHaveProperty('failedPolicies');
    expect(await t.identity.verifyPassword(USER_RESOURCE, ALICE._id, value as string)).toBe('match');
  });

  it('two runs never give the same value', async () => {
    const t = await testbed();
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const transient: Record<string, unknown> = {};
      await node.process(makeNodeContext({ config, transient, services: t.services }));
      seen.add(getObjectAttribute(transient, 'password') as string);
    }
    expect(seen.size).toBe(50);
  });

  it('property: over many password policies, every generated value passes the policy (or the node says FAILED when none can)', async () => {
    const schema = await loadManagedSchema(NODE_TEST_SCHEMA);
    const commonPasswords = await loadCommonPasswords();
    const policyArb: fc.Arbitrary<PasswordPolicyOptions> = fc
      .record({
        minLength: fc.integer({ min: 8, max: 80 }),
        maxLength: fc.integer({ min: 64, max: 300 }),
        numCaps: fc.integer({ min: 0, max: 12 }),
        numNums: fc.integer({ min: 0, max: 12 }),
        forbiddenChars: fc.subarray([...'aeiouAEIOU0123456789-_.!@#%+=?xyzXYZ'], { maxLength: 20 }),
        rejectRepetitive: fc.boolean(),
        rejectCommon: fc.boolean(),
      })
      .filter((p) => (p.minLength ?? 8) <= (p.maxLength ?? 256));
    let generated = 0;
    await fc.assert(
      fc.asyncProperty(policyArb, fc.integer({ min: 64, max: 256 }), async (options, entropyBits) => {
        const policy = createPolicyService({ schema, passwordPolicy: options, commonPasswords });
        const services = { policy } as unknown as NodeServices;
        const transient: Record<string, unknown> = {};
        const result = await node.process(makeNodeContext({ config: { passwordAttribute: 'password', entropyBits }, transient, services }));
        const value = getObjectAttribute(transient, 'password');
        if (outcomeOf(result) === 'FAILED') {
          expect(value).toBeUndefined();
          return;
        }
        generated += 1;
        expect(typeof value).toBe('string');
        expect(await policy.check(USER_RESOURCE, 'password', value, { attributes: { userName: 'alice', givenName: 'Alice' } })).toEqual([]);
        const rules = rulesOf(policy, USER_RESOURCE, 'password');
        const bits = auditsOf(result)[0]?.fields['bits'] as number;
        // Full entropy unless the policy's maximum length is what stops it.
        if ((value as string).length < rules.maxLength) expect(bits).toBeGreaterThanOrEqual(entropyBits - 6);
        for (const c of options.forbiddenChars ?? []) expect(value).not.toContain(c);
      }),
      { numRuns: 300 },
    );
    expect(generated).toBeGreaterThan(250);
  });

  it('FAILED when the policy leaves nothing to draw from (digits required, all digits forbidden)', async () => {
    const schema = await loadManagedSchema(NODE_TEST_SCHEMA);
    const policy = createPolicyService({ schema, passwordPolicy: { numNums: 2, forbiddenChars: [...'0123456789'], rejectCommon: false } });
    const services = { policy } as unknown as NodeServices;
    const transient: Record<string, unknown> = {};
    const result = await node.process(makeNodeContext({ config, transient, services }));
    expect(outcomeOf(result)).toBe('FAILED');
    expect(auditsOf(result)).toEqual([{ event: 'credential.generate.failed', fields: expect.objectContaining({ reason: 'policy-unsatisfiable' }) }]);
    expect(transient).toEqual({});
  });
});
