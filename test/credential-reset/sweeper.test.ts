import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashResetId, newResetId } from '../../src/credential-reset/ids.js';
import { startCredentialResetSweeper } from '../../src/credential-reset/sweeper.js';
import { CREDENTIAL_RESET } from '../../src/identity/identity-service.js';
import type { CredentialResetRecord } from '../../src/identity/ports.js';
import { createNodeTestbed, USER_RESOURCE, type NodeTestbed, type TestUser } from '../support/node-context.js';

const MINUTE = 60_000;
const users: TestUser[] = Array.from({ length: 7 }, (_, i) => ({
  _id: `u-${i}`,
  userName: `user${i}`,
  mail: `user${i}@example.com`,
  password: 'a fine long passphrase',
  accountStatus: 'active',
}));

async function openReset(t: NodeTestbed, userId: string, lifetimeMinutes: number): Promise<void> {
  const now = t.clock.now();
  const record: CredentialResetRecord = {
    method: 'resetByCode',
    credentialId: 'password',
    requestedBy: 'admin:desk',
    requestedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + lifetimeMinutes * MINUTE).toISOString(),
    attempts: 0,
    maxAttempts: 3,
    state: 'requested',
    nonceHash: hashResetId(newResetId()),
  };
  expect(await t.identity.openCredentialReset(USER_RESOURCE, userId, record)).toBe('opened');
}

const holdsReset = async (t: NodeTestbed, id: string): Promise<boolean> => (await t.stored(id))?.[CREDENTIAL_RESET] !== undefined;

describe('the sweep of expired credential resets', () => {
  afterEach(() => void vi.useRealTimers());

  it('removes only the records past their expiry, in batches, and audits each', async () => {
    const t = await createNodeTestbed({ users });
    for (const u of users.slice(0, 5)) await openReset(t, u._id, 15);
    await openReset(t, 'u-5', 60);
    t.clock.advance(16 * MINUTE);
    const sweeper = startCredentialResetSweeper({ identity: t.identity, resources: [USER_RESOURCE], intervalMs: 0, batch: 2, onError: () => {} });
    expect(await sweeper.sweep()).toBe(5);
    for (const u of users.slice(0, 5)) expect(await holdsReset(t, u._id)).toBe(false);
    expect(await holdsReset(t, 'u-5')).toBe(true);
    const expired = t.audit.filter((a) => a.event === 'credential.reset.expired');
    expect(expired.map((a) => a.fields['userId']).sort()).toEqual(['u-0', 'u-1', 'u-2', 'u-3', 'u-4']);
    expect(expired[0]?.fields).toMatchObject({ resource: USER_RESOURCE, method: 'resetByCode', requester: 'admin:desk' });
    // Nothing else on the user changed.
    expect((await t.stored('u-0'))?.['userName']).toBe('user0');
    expect(await sweeper.sweep()).toBe(0);
    t.clock.advance(45 * MINUTE);
    expect(await sweeper.sweep()).toBe(1);
    expect(await holdsReset(t, 'u-5')).toBe(false);
  });

  it('a user without a reset, or with a live one, is left as it is', async () => {
    const t = await createNodeTestbed({ users });
    await openReset(t, 'u-0', 15);
    const before = await t.stored('u-0');
    const untouched = await t.stored('u-1');
    const sweeper = startCredentialResetSweeper({ identity: t.identity, resources: [USER_RESOURCE], intervalMs: 0, onError: () => {} });
    expect(await sweeper.sweep()).toBe(0);
    expect((await t.stored('u-0'))?._rev).toBe(before?._rev);
    expect((await t.stored('u-1'))?._rev).toBe(untouched?._rev);
  });

  it('runs by itself every interval until stopped', async () => {
    const t = await createNodeTestbed({ users });
    await openReset(t, 'u-0', 15);
    t.clock.advance(16 * MINUTE);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const errors: unknown[] = [];
    const sweeper = startCredentialResetSweeper({
      identity: t.identity,
      resources: [USER_RESOURCE],
      intervalMs: 5 * MINUTE,
      onError: (e) => errors.push(e),
    });
    expect(await holdsReset(t, 'u-0')).toBe(true);
    await vi.advanceTimersByTimeAsync(5 * MINUTE);
    await vi.waitFor(async () => expect(await holdsReset(t, 'u-0')).toBe(false));
    sweeper.stop();
    await openReset(t, 'u-1', 15);
    t.clock.advance(16 * MINUTE);
    await vi.advanceTimersByTimeAsync(10 * MINUTE);
    expect(await holdsReset(t, 'u-1')).toBe(true);
    expect(errors).toEqual([]);
  });
});
