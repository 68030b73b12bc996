/**
 * Suspended journeys keep their transient state (secrets) sealed: the stored record holds no secret
 * in clear, only the id from the e-mailed link opens it, a record altered in the store is refused, and
 * the link still works once.
 */
import { describe, expect, it } from 'vitest';
import type { AuthIdState } from '../../src/am/authenticate.js';
import { createSuspensions, suspensionKey } from '../../src/am/suspensions.js';
import type { SuspendedJourneyStore } from '../../src/stores/types.js';
import { createNodeTestbed } from '../support/node-context.js';

const state = (transient: Record<string, unknown>): AuthIdState => ({
  j: {
    v: 2,
    journey: 'Registration',
    version: 'abc',
    machine: {
      status: 'active',
      value: 'verify',
      context: { shared: { objectAttributes: { userName: 'newbie' } }, transient, local: {}, startedAt: 0 },
    },
  },
  o: { noSession: false },
});

describe('suspended journeys', () => {
  it('seal transient state with a key only the link’s id gives; the link opens it once', async () => {
    const p = await createNodeTestbed();
    const stored = new Map<string, string>();
    const store: SuspendedJourneyStore = {
      put: async (key, record, expiresAt, owner) => {
        stored.set(key, JSON.stringify(record));
        await p.store.suspended.put(key, record, expiresAt, owner);
      },
      take: (key) => p.store.suspended.take(key),
      deleteBySubject: (subject, scope) => p.store.suspended.deleteBySubject(subject, scope),
    };
    const suspensions = createSuspensions({
      store,
      publicUrl: 'https://id.example.test',
      pagePath: '/login/',
      defaultMinutes: 10,
      supersede: true,
      now: p.clock.now,
    });
    const secret = { password: 'Chosen-Passw0rd', objectAttributes: { password: 'Chosen-Passw0rd', kbaInfo: [{ questionId: '1', answer: 'blue' }] } };
    const id = await suspensions.suspend(state(secret), { journeyId: 'Registration' });
    const raw = stored.get(suspensionKey(id)) ?? '';
    expect(raw).not.toContain('Chosen-Passw0rd');
    expect(raw).not.toContain('blue');
    expect(JSON.parse(raw)).toMatchObject({ state: { j: { machine: { context: { transient: {} } } } }, sealed: expect.any(String) });

    const taken = await suspensions.take(id);
    expect(taken?.j.machine.context.transient).toEqual(secret);
    expect(taken?.j.machine.context.shared).toEqual({ objectAttributes: { userName: 'newbie' } });
    expect(await suspensions.take(id)).toBeUndefined();
  });

  it('refuses a record whose sealed part was altered, and stores nothing to seal when there is nothing', async () => {
    const p = await createNodeTestbed();
    const suspensions = createSuspensions({
      store: p.store.suspended,
      publicUrl: 'https://id.example.test',
      pagePath: '/login/',
      defaultMinutes: 10,
      supersede: false,
      now: p.clock.now,
    });
    const id = await suspensions.suspend(state({ password: 'x' }), { journeyId: 'Registration' });
    const key = suspensionKey(id);
    const record = (await p.store.suspended.take<{ sealed: string }>(key))!;
    const flipped = record.sealed.slice(0, -2) + (record.sealed.endsWith('AA') ? 'BB' : 'AA');
    await p.store.suspended.put(key, { ...record, sealed: flipped }, p.clock.now() + 60_000);
    expect(await suspensions.take(id)).toBeUndefined();

    const plain = await suspensions.suspend(state({}), { journeyId: 'Registration' });
    const kept = await p.store.suspended.take<Record<string, unknown>>(suspensionKey(plain));
    expect(kept?.['sealed']).toBeUndefined();
  });
});
