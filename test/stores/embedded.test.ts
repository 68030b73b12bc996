/**
 * The store contract on the embedded lmdb backend, each test in a fresh temporary data directory,
 * plus what only the embedded store has: data surviving a reopen of the same directory.
 */
import { rm } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { openStore } from '../../src/stores/index.js';
import { openEmbeddedForTest } from '../support/stores.js';
import { runStoreContract } from './contract.js';
import { scratchDir } from '../support/scratch.js';

runStoreContract('embedded (lmdb) backend', openEmbeddedForTest);

describe('embedded (lmdb) backend on disk', () => {
  it('keeps objects, unique keys, sessions and counters across a reopen', async () => {
    const dataDir = await scratchDir('cairn-store-');
    try {
      const first = await openStore({ dataDir, sweepIntervalMs: 0 });
      const user = await first.objects.create('managed/user', { userName: 'bjensen', mail: 'b@example.com' });
      await first.sessions.create('s1', { subjects: [user._id], data: {}, idleTimeoutMs: 60_000, maxLifetimeMs: 120_000 });
      await first.counters.increment('attempts', 60_000);
      await first.close();

      const second = await openStore({ dataDir, sweepIntervalMs: 0 });
      expect(await second.objects.read('managed/user', user._id)).toEqual(user);
      expect((await second.objects.findUnique('managed/user', 'userName', 'BJENSEN'))?._id).toBe(user._id);
      await expect(second.objects.create('managed/user', { userName: 'BJensen' })).rejects.toMatchObject({ code: 'store.unique_constraint' });
      expect((await second.sessions.get('s1'))?.subjects).toEqual([user._id]);
      expect(await second.counters.get('attempts')).toBe(1);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('sweeps expired records on its timer, and stops the timer on close', async () => {
    // Simulated time: the sweep interval is a fake timer, the store's clock a variable.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const dataDir = await scratchDir('cairn-store-');
    let clock = 1_700_000_000_000;
    const store = await openStore({ dataDir, now: () => clock, sweepIntervalMs: 60_000 });
    try {
      await store.kv.set('gone', 1, { expiresAt: clock + 1000 });
      await store.kv.set('kept', 2, { expiresAt: clock + 120_000 });
      clock += 60_000;
      expect(vi.getTimerCount()).toBe(1);
      await vi.advanceTimersByTimeAsync(60_000);
      // The sweep has run, so an explicit purge finds nothing left (else it would find 1).
      expect(await store.purgeExpired()).toBe(0);
      expect(await store.kv.get('gone')).toBeUndefined();
      expect((await store.kv.get('kept'))?.value).toBe(2);
      await store.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('sweeps a large backlog in batches, answering other work in between, one sweep at a time', async () => {
    const dataDir = await scratchDir('cairn-store-');
    let clock = 1_700_000_000_000;
    const store = await openStore({ dataDir, now: () => clock, sweepIntervalMs: 0 });
    try {
      const n = 1_000; // ten batches
      for (let i = 0; i < n; i++) await store.counters.increment(`step:${i}`, 1_000);
      await store.counters.increment('kept', 600_000);
      for (let i = 0; i < 250; i++) await store.claims.claim(`step:${i}`, clock + 1_000); // their own index, in batches too
      await store.claims.claim('kept', clock + 600_000);
      clock += 5_000;

      let finished = false;
      const first = store.purgeExpired().then((removed) => ((finished = true), removed));
      const second = store.purgeExpired(); // queued behind the first, which leaves it nothing
      // Work queued after the sweep started runs before it finishes: the sweep yields between batches.
      const ranDuringSweep = await new Promise<boolean>((resolve) => setImmediate(() => resolve(!finished)));
      expect(ranDuringSweep).toBe(true);
      expect(await first).toBe(n + 250);
      expect(await second).toBe(0);
      expect(await store.counters.get('step:0')).toBe(0);
      expect(await store.counters.get('kept')).toBe(1);
      expect(await store.claims.claim('kept', clock + 595_000)).toBe(false);
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('closes in the middle of a sweep without losing what is left to sweep', async () => {
    const dataDir = await scratchDir('cairn-store-');
    let clock = 1_700_000_000_000;
    try {
      const store = await openStore({ dataDir, now: () => clock, sweepIntervalMs: 0 });
      for (let i = 0; i < 500; i++) await store.counters.increment(`step:${i}`, 1_000);
      clock += 5_000;
      const partial = store.purgeExpired();
      await store.close(); // waits for the batch in progress, then stops the sweep
      const removed = await partial;
      expect(removed).toBeLessThan(500);

      const reopened = await openStore({ dataDir, now: () => clock, sweepIntervalMs: 0 });
      expect(await reopened.purgeExpired()).toBe(500 - removed);
      await reopened.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
