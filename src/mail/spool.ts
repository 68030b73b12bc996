/**
 * Unsent e-mail across restarts: the queue reports its pending messages on every change (kept in
 * memory here); on shutdown they are appended to one spool record in the store (compare-and-set, so
 * several workers stopping at once all land); the next process to start takes the whole spool in one
 * atomic step and sends it. The spool expires with the messages (their links are short-lived secrets).
 */
import type { KeyValueStore } from '../stores/types.js';
import type { MailPersistence, PendingMail } from './types.js';

export const SPOOL_KEY = 'mail:spool';

export interface MailSpool extends MailPersistence {
  /** Appends what is still unsent to the store's spool. */
  flushToStore(): Promise<number>;
}

export function createMailSpool(kv: KeyValueStore, options: { now: () => number; ttlMs: number }): MailSpool {
  let latest: readonly PendingMail[] = [];
  return {
    save(messages) {
      latest = messages;
    },
    async load() {
      for (let i = 0; i < 20; i++) {
        const entry = await kv.get<PendingMail[]>(SPOOL_KEY);
        if (!entry) return [];
        if (await kv.delete(SPOOL_KEY, entry.version)) return Array.isArray(entry.value) ? entry.value : [];
      }
      return [];
    },
    async flushToStore() {
      const pending = [...latest];
      if (pending.length === 0) return 0;
      const expiresAt = options.now() + options.ttlMs;
      for (let i = 0; i < 20; i++) {
        const entry = await kv.get<PendingMail[]>(SPOOL_KEY);
        const value = [...(entry && Array.isArray(entry.value) ? entry.value : []), ...pending];
        const written = entry
          ? await kv.compareAndSet(SPOOL_KEY, entry.version, value, { expiresAt })
          : await kv.insertIfAbsent(SPOOL_KEY, value, { expiresAt });
        if (written) return pending.length;
      }
      throw new Error('the mail spool kept changing; unsent messages were not saved');
    },
  };
}
