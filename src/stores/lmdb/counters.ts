/**
 * Fixed-window counters in lmdb's volatile environment (`counters`: key → count and the end of its
 * window). An increment is one write transaction, so increments from every process of the host add
 * up exactly; the window opens at the first increment.
 */
import { checkDuration, checkKey } from '../records.js';
import type { CounterStore } from '../types.js';
import type { Expire, LmdbEnvironment } from './environment.js';

interface CounterEntry {
  count: number;
  resetsAt: number;
}

export function lmdbCounters(env: LmdbEnvironment): { store: CounterStore; expire: Expire } {
  const { now, volatileWrite, read, reindex } = env;
  const counters = env.db<CounterEntry>('counters', 'volatile'); // key → window

  const store: CounterStore = {
    async increment(key, windowMs) {
      checkKey(key, 'counter key');
      const w = checkDuration(windowMs, 'counter window');
      return volatileWrite(() => {
        const t = now();
        const c = counters.get(key);
        const next: CounterEntry = c !== undefined && t < c.resetsAt ? { count: c.count + 1, resetsAt: c.resetsAt } : { count: 1, resetsAt: t + w };
        counters.putSync(key, next);
        reindex('counter', key, c?.resetsAt, next.resetsAt);
        return next.count;
      });
    },

    async get(key) {
      checkKey(key, 'counter key');
      const c = read(() => counters.get(key));
      return c !== undefined && now() < c.resetsAt ? c.count : 0;
    },

    async reset(key) {
      checkKey(key, 'counter key');
      volatileWrite(() => {
        const c = counters.get(key);
        if (c === undefined) return;
        counters.removeSync(key);
        reindex('counter', key, c.resetsAt, null);
      });
    },
  };

  const expire: Expire = (key, t) => {
    const c = counters.get(key);
    if (c === undefined || t < c.resetsAt) return false;
    counters.removeSync(key);
    return true;
  };
  return { store, expire };
}
