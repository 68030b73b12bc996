import { describe, expect, it } from 'vitest';
import { hashResetId, newResetId } from '../../src/credential-reset/ids.js';
import { CREDENTIAL_RESET } from '../../src/identity/identity-service.js';
import type { CredentialResetRecord } from '../../src/identity/ports.js';
import { credentialResetContextNode as node } from '../../src/nodes/credential-reset-context.js';
import { auditsOf, configFor, makeNodeContext, USER_RESOURCE, type NodeTestbed } from '../support/node-context.js';
import { ALICE, outcomeOf, testbed } from './identity-fixtures.js';

const config = configFor(node, {});

/** Opens a reset for ALICE as the credential-reset interface does, and returns the context's id. */
async function open(t: NodeTestbed, overrides: Partial<CredentialResetRecord> = {}): Promise<string> {
  const id = newResetId();
  const now = t.clock.now();
  const record: CredentialResetRecord = {
    method: 'resetByCode',
    credentialId: 'password',
    requestedBy: 'admin:helpdesk1',
    requestedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 15 * 60_000).toISOString(),
    attempts: 0,
    maxAttempts: 3,
    state: 'requested',
    nonceHash: hashResetId(id),
    ...overrides,
  };
  expect(await t.identity.openCredentialReset(USER_RESOURCE, ALICE._id, record)).toBe('opened');
  return id;
}

const run = (t: NodeTestbed, query: Record<string, string>, shared: Record<string, unknown> = {}) =>
  node.process(makeNodeContext({ config, shared, request: { headers: {}, query }, services: t.services }));

describe('Credential Reset Context (CredentialResetContextNode)', () => {
  it('CONTEXT: takes the context once and identifies its user', async () => {
    const t = await testbed();
    const id = await open(t);
    const shared: Record<string, unknown> = {};
    const result = await run(t, { resetId: id }, shared);
    expect(outcomeOf(result)).toBe('CONTEXT');
    expect(shared).toMatchObject({ _id: ALICE._id, username: ALICE.userName, objectAttributes: { userName: ALICE.userName, mail: ALICE.mail } });
    expect(auditsOf(result)).toEqual([{ event: 'credential.reset.context', fields: { journey: 'TestJourney', userId: ALICE._id } }]);
    // The record is now in progress: the same id again is refused.
    expect((await t.stored(ALICE._id))?.[CREDENTIAL_RESET]).toMatchObject({ state: 'in-progress', attempts: 1 });
    expect(outcomeOf(await run(t, { resetId: id }))).toBe('INVALID');
  });

  it('NONE without a resetId: the self-service start, which asks who the user is', async () => {
    const t = await testbed();
    const shared: Record<string, unknown> = {};
    expect(outcomeOf(await run(t, {}, shared))).toBe('NONE');
    expect(outcomeOf(await run(t, { resetId: '' }, shared))).toBe('NONE');
    expect(shared).toEqual({});
  });

  it('INVALID for an unknown, oversized or expired id, and nobody is identified', async () => {
    const t = await testbed();
    const id = await open(t);
    const shared: Record<string, unknown> = {};
    expect(outcomeOf(await run(t, { resetId: newResetId() }, shared))).toBe('INVALID');
    expect(outcomeOf(await run(t, { resetId: `${id}${'x'.repeat(200)}` }, shared))).toBe('INVALID');
    t.clock.advance(16 * 60_000);
    expect(outcomeOf(await run(t, { resetId: id }, shared))).toBe('INVALID');
    expect(shared).toEqual({});
    // An expired record is removed when it is presented.
    expect(await t.stored(ALICE._id)).not.toHaveProperty(CREDENTIAL_RESET);
  });

  it('the id is never stored: only its hash is', async () => {
    const t = await testbed();
    const id = await open(t);
    expect(JSON.stringify(await t.stored(ALICE._id))).not.toContain(id);
  });
});
