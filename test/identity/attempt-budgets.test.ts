/**
 * Attempt budgets on the real embedded store's counters: correct checks never refused for
 * concurrency, wrong ones evaluated at most the allowance whatever the interleaving, windows that
 * end on their own, the progressive allowance, the same store work on every path, and the login
 * guard's choice of budgets (unknown clients, known devices and addresses, IPv6 /64 groups).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowance, createAttemptBudgets, type Budget, type Ticket } from '../../src/identity/attempt-budgets.js';
import { addressGroup, createLoginGuard, deviceTokensOf, MAX_NEW_DEVICES_PER_DAY } from '../../src/identity/login-guard.js';
import type { CounterPort } from '../../src/identity/ports.js';
import { openStore } from '../../src/stores/index.js';
import type { Store } from '../../src/stores/types.js';

const WINDOW = 15 * 60_000;
let dir: string;
let store: Store;
let t = Date.UTC(2030, 0, 1, 0, 0, 0);
const now = () => t;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-budgets-'));
  store = await openStore({ dataDir: dir, now, sweepIntervalMs: 0 });
});
afterAll(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
const fresh = (max = 5): Budget => ({ key: `test:${++n}`, max });
/** A check that takes `ms` of (simulated) work and answers `ok`. */
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts the store operations made through it. */
function counting(counters: CounterPort): { port: CounterPort; ops: string[] } {
  const ops: string[] = [];
  return {
    ops,
    port: {
      increment: (k, w) => (ops.push('increment'), counters.increment(k, w)),
      get: (k) => (ops.push('get'), counters.get(k)),
      reset: (k) => (ops.push('reset'), counters.reset(k)),
    },
  };
}

describe('attempt budgets', () => {
  it('evaluates every one of 20 concurrent correct checks, in turns of at most the allowance', async () => {
    const budgets = createAttemptBudgets({ counters: store.counters, windowMs: WINDOW, now });
    const budget = fresh();
    let inFlight = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const ticket = await budgets.take([budget]);
        if (!ticket.admitted) return 'refused';
        most = Math.max(most, ++inFlight);
        await tick(5);
        inFlight--;
        await ticket.settle('success');
        return 'evaluated';
      }),
    );
    expect(results.filter((r) => r === 'evaluated')).toHaveLength(20);
    expect(most).toBeLessThanOrEqual(5);
  });

  it('keeps a check waiting as long as the line moves, however slowly, and refuses it once nothing settles', async () => {
    // A clock of its own that only the waiting checks' pauses move, 1 s per pause; 8 s in, the first
    // holder answers correctly.
    let clock = t;
    const held: { first?: Ticket } = {};
    let answered = false;
    const budgets = createAttemptBudgets({
      counters: store.counters,
      windowMs: WINDOW,
      now: () => clock,
      stallMs: 10_000,
      maxWaitMs: 60_000,
      sleep: async () => {
        clock += 1000;
        if (clock - t >= 8000 && !answered) {
          answered = true;
          await held.first?.settle('success');
        }
      },
    });
    const budget = fresh(1);
    const first = await budgets.take([budget]);
    held.first = first;
    expect(first.admitted).toBe(true);
    const [second, third] = await Promise.all([
      budgets.take([budget]),
      // Its holder never settles the second ticket (its process died): the third waits on, then gives up.
      budgets.take([budget]).then((ticket) => ({ ticket, waitedMs: clock - t })),
    ]);
    expect(second.admitted).toBe(true);
    expect(third.ticket.admitted).toBe(false);
    // Longer in all than the stall limit (the line moved 8 s in), but not much more than 8 s + 10 s.
    expect(third.waitedMs).toBeGreaterThan(10_000);
    expect(third.waitedMs).toBeLessThanOrEqual(20_000);
    await third.ticket.settle('failure');
  });

  it('evaluates at most the allowance of 50 concurrent wrong checks, and refuses the rest', async () => {
    const budgets = createAttemptBudgets({ counters: store.counters, windowMs: WINDOW, now });
    const budget = fresh();
    const results = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const ticket = await budgets.take([budget]);
        if (!ticket.admitted) {
          await ticket.settle('failure');
          return 'refused';
        }
        await tick(Math.random() * 10);
        await ticket.settle('failure');
        return 'evaluated';
      }),
    );
    expect(results.filter((r) => r === 'evaluated')).toHaveLength(5);
    // A correct check after that is refused too, until the window ends; then it is evaluated.
    const during = await budgets.take([budget]);
    expect(during.admitted).toBe(false);
    expect(during.retryAfterMs).toBeGreaterThan(0);
    expect(during.retryAfterMs).toBeLessThanOrEqual(WINDOW);
    await during.settle('failure');
    const saved = t;
    t += during.retryAfterMs;
    const after = await budgets.take([budget]);
    t = saved;
    expect(after.admitted).toBe(true);
    await after.settle('success');
  });

  it('lets correct checks through while wrong ones arrive at the same time, never evaluating more wrong ones than allowed', async () => {
    const budgets = createAttemptBudgets({ counters: store.counters, windowMs: WINDOW, now });
    const budget = fresh(3);
    const outcomes = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const ticket = await budgets.take([budget]);
        if (!ticket.admitted) return (await ticket.settle('failure'), 'refused');
        await tick(2);
        const right = i % 3 === 0;
        await ticket.settle(right ? 'success' : 'failure');
        return right ? 'right' : 'wrong';
      }),
    );
    expect(outcomes.filter((o) => o === 'wrong').length).toBeLessThanOrEqual(3);
  });

  it('shrinks the allowance with recent failures (5, then 2, then 1), and a success clears them', async () => {
    expect([0, 9, 10, 19, 20, 100].map((f) => allowance(5, f))).toEqual([5, 5, 2, 2, 1, 1]);
    const budgets = createAttemptBudgets({ counters: store.counters, windowMs: WINDOW, now });
    const budget = fresh();
    const evaluatedPerWindow: number[] = [];
    const saved = t;
    for (let w = 0; w < 4; w++) {
      let evaluated = 0;
      for (let i = 0; i < 8; i++) {
        const ticket = await budgets.take([budget]);
        if (ticket.admitted) evaluated++;
        await ticket.settle('failure');
      }
      evaluatedPerWindow.push(evaluated);
      t += WINDOW;
    }
    // Refusals count too (8 per window), and each check reads the allowance afresh: the second
    // window allows 2 once its own failures bring the recent ones to 10; from 20 on, 1.
    expect(evaluatedPerWindow).toEqual([5, 2, 2, 1]);
    const right = await budgets.take([budget]);
    expect(right.admitted).toBe(true);
    await right.settle('success');
    t += WINDOW;
    let evaluated = 0;
    for (let i = 0; i < 8; i++) {
      const ticket = await budgets.take([budget]);
      if (ticket.admitted) evaluated++;
      await ticket.settle('failure');
    }
    expect(evaluated).toBe(5);
    t = saved;
  });

  it('does the same store work for an evaluated failure, a refusal and a success', async () => {
    const counted = counting(store.counters);
    const budgets = createAttemptBudgets({ counters: counted.port, windowMs: WINDOW, now });
    const pair = [fresh(1), fresh(10)];
    const work = async (outcome: 'success' | 'failure'): Promise<{ admitted: boolean; ops: string[] }> => {
      const from = counted.ops.length;
      const ticket = await budgets.take(pair);
      await ticket.settle(outcome);
      return { admitted: ticket.admitted, ops: counted.ops.slice(from).sort() };
    };
    const success = await work('success');
    const failure = await work('failure');
    const refused = await work('failure');
    expect([success.admitted, failure.admitted, refused.admitted]).toEqual([true, true, false]);
    expect(failure.ops.length).toBe(success.ops.length);
    expect(refused.ops).toEqual(failure.ops);
  });
});

describe('login guard', () => {
  const guardOf = (counters: CounterPort = store.counters) => createLoginGuard({ counters, perAccount: 2, perClient: 3, windowMs: WINDOW, now });
  const R = 'managed/user';

  it('gives a device that signed in, and an address it signed in from, budgets of their own', async () => {
    const guard = guardOf();
    const account = { id: `acct-${++n}` };
    // An attacker at 198.51.100.7 spends the account's budget for unknown clients.
    for (let i = 0; i < 4; i++) await (await guard.begin(R, account, { clientIp: '198.51.100.7' })).ticket.settle('failure');
    expect((await guard.begin(R, account, { clientIp: '198.51.100.8' })).ticket.admitted).toBe(false);
    // The owner signed in from 203.0.113.5 with a browser earlier.
    const cookie = await guard.remember(R, account.id, { clientIp: '203.0.113.5' });
    expect(deviceTokensOf(cookie)).toHaveLength(1);
    const fromDevice = await guard.begin(R, account, { clientIp: '192.0.2.99', deviceCookie: cookie as string });
    expect([fromDevice.trust, fromDevice.ticket.admitted]).toEqual(['device', true]);
    const fromAddress = await guard.begin(R, account, { clientIp: '203.0.113.5' });
    expect([fromAddress.trust, fromAddress.ticket.admitted]).toEqual(['address', true]);
    // A device token is bound to its account: it does not help with another one.
    const other = await guard.begin(R, { id: `acct-${++n}` }, { clientIp: '192.0.2.99', deviceCookie: cookie as string });
    expect(other.trust).toBe('none');
    // A second account signing in on the same browser keeps the first one's token.
    const shared = await guard.remember(R, `acct-${n}`, { clientIp: '192.0.2.99', deviceCookie: cookie as string });
    expect(deviceTokensOf(shared).slice(1)).toEqual(deviceTokensOf(cookie));
    expect(await guard.remember(R, account.id, { clientIp: '192.0.2.99', deviceCookie: shared as string })).toBeUndefined();
  });

  it('bounds one address spraying many accounts, and forgets devices after a password change', async () => {
    const guard = guardOf();
    const admitted: boolean[] = [];
    for (let i = 0; i < 6; i++) {
      const attempt = await guard.begin(R, { login: `victim-${++n}` }, { clientIp: '2001:db8:1:2:aaaa::1' });
      admitted.push(attempt.ticket.admitted);
      await attempt.ticket.settle('failure');
    }
    expect(admitted).toEqual([true, true, true, false, false, false]);
    // Another interface id in the same /64 is the same client.
    expect((await guard.begin(R, { login: `victim-${++n}` }, { clientIp: '2001:db8:1:2:bbbb::9' })).ticket.admitted).toBe(false);

    const id = `acct-${++n}`;
    const cookie = (await guard.remember(R, id, { clientIp: '192.0.2.10' })) as string;
    expect((await guard.begin(R, { id }, { deviceCookie: cookie })).trust).toBe('device');
    await guard.forget(R, id);
    expect((await guard.begin(R, { id }, { deviceCookie: cookie, clientIp: '192.0.2.10' })).trust).toBe('none');
  });

  it('binds at most MAX_NEW_DEVICES_PER_DAY new devices an account a day, however often a client without the cookie signs in', async () => {
    const guard = guardOf();
    const id = `acct-${++n}`;
    const cookies: (string | undefined)[] = [];
    for (let i = 0; i < MAX_NEW_DEVICES_PER_DAY + 5; i++) cookies.push(await guard.remember(R, id, { clientIp: '192.0.2.77' }));
    const bound = cookies.filter((c): c is string => c !== undefined);
    expect(bound).toHaveLength(MAX_NEW_DEVICES_PER_DAY);
    // Every device bound keeps its budget of its own; another account is not affected by this one's cap.
    expect((await guard.begin(R, { id }, { deviceCookie: bound[bound.length - 1]! })).trust).toBe('device');
    expect(deviceTokensOf(await guard.remember(R, `acct-${++n}`, { clientIp: '192.0.2.77' }))).toHaveLength(1);
    // A day later the account binds new devices again.
    t += 24 * 60 * 60_000 + 1;
    expect(deviceTokensOf(await guard.remember(R, id, { clientIp: '192.0.2.77' }))).toHaveLength(1);
  });

  it('does the same store work for an existing and an unknown account', async () => {
    const counted = counting(store.counters);
    const guard = guardOf(counted.port);
    const work = async (account: { id: string } | { login: string }): Promise<string[]> => {
      const from = counted.ops.length;
      const { ticket } = await guard.begin(R, account, { clientIp: '192.0.2.50', deviceCookie: 'AAAAAAAAAAAAAAAAAAAAAA' });
      await ticket.settle('failure');
      return counted.ops.slice(from).sort();
    };
    expect(await work({ login: `nobody-${++n}` })).toEqual(await work({ id: `acct-${++n}` }));
  });

  it('groups addresses: IPv4 as is (also IPv4-mapped), IPv6 by /64', () => {
    expect(addressGroup('192.0.2.1')).toBe('192.0.2.1');
    expect(addressGroup('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressGroup('2001:db8::1')).toBe('2001:0db8:0000:0000::/64');
    expect(addressGroup('2001:db8:0:0:ffff::2')).toBe('2001:0db8:0000:0000::/64');
    expect(addressGroup('::1')).toBe('0000:0000:0000:0000::/64');
    expect(addressGroup('not an address')).toBeUndefined();
    expect(deviceTokensOf('short.AAAAAAAAAAAAAAAAAAAAAA.x')).toEqual(['AAAAAAAAAAAAAAAAAAAAAA']);
  });
});
