/**
 * What every MongoDB record family shares: the connected database, the injected clock, and `guard`,
 * which turns any driver failure into a StoreError (a duplicate key into the family's own error,
 * anything else into a 503 whose cause — possibly naming the host — stays on the server).
 */
import { MongoServerError, type Db } from 'mongodb';
import { StoreError, unavailable } from '../errors.js';

const DUPLICATE_KEY = 11000;

export const isDuplicate = (e: unknown): e is MongoServerError => e instanceof MongoServerError && e.code === DUPLICATE_KEY;

/** The TTL index on `expiresAt` (a Date) that lets the server's TTL monitor delete lapsed records. */
export const TTL = (name: string): { key: { expiresAt: 1 }; name: string; expireAfterSeconds: 0 } => ({
  key: { expiresAt: 1 },
  name,
  expireAfterSeconds: 0,
});

export interface MongoContext {
  readonly db: Db;
  readonly now: () => number;
  /** Runs a driver call; anything that is not already a StoreError becomes a 503 with its cause kept. */
  guard<T>(fn: () => Promise<T>, onDuplicate?: (e: MongoServerError) => StoreError): Promise<T>;
}

export function mongoContext(db: Db, now: () => number): MongoContext {
  return {
    db,
    now,
    async guard<T>(fn: () => Promise<T>, onDuplicate?: (e: MongoServerError) => StoreError): Promise<T> {
      try {
        return await fn();
      } catch (e) {
        if (e instanceof StoreError) throw e;
        if (onDuplicate && isDuplicate(e)) throw onDuplicate(e);
        throw unavailable('mongodb', e);
      }
    },
  };
}

/** A record family's part in the store: its indexes (created at open) and its share of a purge. */
export interface MongoFamily<S> {
  store: S;
  createIndexes(): Promise<void>;
  /** Deletes the family's records that lapsed at or before `t`; returns how many. */
  purge?(t: number): Promise<number>;
}
