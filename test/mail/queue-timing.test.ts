/**
 * The delivery queue's timing, on simulated time: back-off between attempts, the per-attempt
 * timeout, the concurrency limit, flush deadlines, and that adding a message never sends in the
 * caller's turn. The transport is a scripted stand-in so that every delay is exact; queue.test.ts
 * runs the same queue against real SMTP peers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMailQueue, type MailQueue, type QueueSettings } from '../../src/mail/queue.js';
import type { MailTransport } from '../../src/mail/transport.js';
import type { PendingMail } from '../../src/mail/types.js';

const SETTINGS: QueueSettings = {
  attempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  timeoutMs: 2000,
  concurrency: 2,
  maxQueue: 100,
  maxAgeMs: 3_600_000,
};

let n = 0;
const mail = (to = 'ada@example.com'): PendingMail => ({
  id: `m${++n}`,
  template: 'resetPassword',
  locale: 'en',
  from: 'no-reply@cairn.example',
  to,
  subject: 'Reset your password',
  text: 'https://cairn.example/am/XUI/?suspendedId=secret',
  attempts: 0,
  createdAt: Date.now(),
});

/** A transport whose every `send` is recorded (start, end, outcome) and answered by `answer`. */
function scriptedTransport(answer: (signal: AbortSignal) => Promise<void>) {
  const sends: { to: string; at: number; endedAt?: number; outcome?: string }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const transport: MailTransport = {
    kind: 'smtp',
    async send(m, signal) {
      const record: (typeof sends)[number] = { to: m.to, at: Date.now() };
      sends.push(record);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        await answer(signal);
        record.outcome = 'sent';
      } catch (e) {
        record.outcome = (e as { code?: string }).code ?? 'error';
        throw e;
      } finally {
        inFlight -= 1;
        record.endedAt = Date.now();
      }
    },
    close() {},
  };
  return { transport, sends, maxInFlight: () => maxInFlight };
}

const refused = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET', originalCode: 'ECONNREFUSED' }));
/** Never answers; rejects only when the queue aborts the attempt. */
const hangs = (signal: AbortSignal) => new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));

const queues: MailQueue[] = [];
function queue(transport: MailTransport, settings: Partial<QueueSettings>, log: string[] = []): MailQueue {
  const q = createMailQueue({ transport, settings: { ...SETTINGS, ...settings }, log: (l) => log.push(l), now: () => Date.now(), random: () => 0 });
  queues.push(q);
  return q;
}

// Simulated clock and timers (delays, timeouts, deadlines); the queue's next-turn pump stays on the
// real event loop, which `turn()` lets run without any time passing.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 1_700_000_000_000 });
});
afterEach(async () => {
  for (const q of queues.splice(0)) {
    const closing = q.close();
    await untilIdle(q);
    await closing;
  }
  vi.useRealTimers();
});

/** Lets the queue's pending next-turn work run (real setImmediate), with no time passing. */
async function turn(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Moves simulated time on by `ms`, then lets what became due run. */
async function advance(ms: number): Promise<void> {
  await turn();
  await vi.advanceTimersByTimeAsync(ms);
  await turn();
}

/** Runs simulated time from timer to timer until the queue holds nothing (at most 100 timers). */
async function untilIdle(q: MailQueue): Promise<void> {
  for (let i = 0; i < 100 && (q.stats().pending > 0 || q.stats().inFlight > 0); i++) {
    await turn();
    await vi.advanceTimersToNextTimerAsync();
    await turn();
  }
}

describe('the mail queue on simulated time', () => {
  it('never sends in the caller’s turn: add returns first, the attempt starts on the next turn', async () => {
    const t = scriptedTransport(() => Promise.resolve());
    const q = queue(t.transport, {});
    expect(q.add(mail())).toEqual({ added: true, replaced: false });
    expect(t.sends).toHaveLength(0);
    expect(q.stats()).toMatchObject({ pending: 1, inFlight: 0 });
    await advance(0);
    expect(t.sends.map((s) => s.outcome)).toEqual(['sent']);
    expect(q.stats()).toMatchObject({ sent: 1, pending: 0 });
  });

  it('waits exactly the announced, doubling back-off between attempts, then gives up', async () => {
    const t = scriptedTransport(refused);
    const log: string[] = [];
    const q = queue(t.transport, { attempts: 4, baseDelayMs: 100 }, log);
    q.add(mail());
    await advance(0);
    expect(t.sends).toHaveLength(1);
    // random() = 0: half of 100, 200, 400 ms.
    for (const [delay, attempts] of [
      [50, 2],
      [100, 3],
      [200, 4],
    ] as const) {
      await advance(delay - 1);
      expect(t.sends).toHaveLength(attempts - 1); // not a millisecond early
      await advance(1);
      expect(t.sends).toHaveLength(attempts);
    }
    const starts = t.sends.map((s) => s.at);
    expect(starts.slice(1).map((at, i) => at - starts[i]!)).toEqual([50, 100, 200]);
    await advance(10_000);
    expect(t.sends).toHaveLength(4);
    expect(q.stats()).toMatchObject({ queued: 1, failed: 1, retried: 3, pending: 0 });
    expect(log.map((l) => l.replace(/ to=\S+/, ''))).toEqual([
      'mail: retrying template=resetPassword attempt=1/4 code=ESOCKET cause=ECONNREFUSED in=50ms',
      'mail: retrying template=resetPassword attempt=2/4 code=ESOCKET cause=ECONNREFUSED in=100ms',
      'mail: retrying template=resetPassword attempt=3/4 code=ESOCKET cause=ECONNREFUSED in=200ms',
      'mail: failed template=resetPassword attempt=4/4 code=ESOCKET cause=ECONNREFUSED final=true',
    ]);
  });

  it('cuts every attempt off at the per-message timeout and never runs more than `concurrency` at once', async () => {
    const t = scriptedTransport(hangs);
    const log: string[] = [];
    const q = queue(t.transport, { attempts: 2, baseDelayMs: 10, maxDelayMs: 10, timeoutMs: 300, concurrency: 2 }, log);
    for (let i = 0; i < 4; i++) q.add(mail(`user${i}@example.com`));
    await advance(0);
    expect(t.sends).toHaveLength(2); // two at a time
    await advance(299);
    expect(t.sends.every((s) => s.outcome === undefined)).toBe(true);
    await advance(1);
    expect(t.sends.slice(0, 2).map((s) => s.endedAt! - s.at)).toEqual([300, 300]);
    const flushed = q.flush(3_600_000);
    await untilIdle(q);
    expect(await flushed).toBe(true);
    // 4 messages × 2 attempts, each abandoned after exactly 300 ms.
    expect(t.sends).toHaveLength(8);
    expect(t.sends.map((s) => s.endedAt! - s.at)).toEqual(Array(8).fill(300));
    expect(t.maxInFlight()).toBe(2);
    expect(q.stats()).toMatchObject({ failed: 4, retried: 4, pending: 0, inFlight: 0 });
    expect(log.filter((l) => l.includes('final=true'))).toHaveLength(4);
    expect(log.filter((l) => l.includes('final=true')).every((l) => l.includes('code=ESENDTIMEOUT'))).toBe(true);
  });

  it('flush answers false at its deadline when the queue has not drained, true once it has', async () => {
    let down = true;
    const t = scriptedTransport(() => (down ? refused() : Promise.resolve()));
    const q = queue(t.transport, { attempts: 5, baseDelayMs: 10_000 });
    q.add(mail());
    const early = q.flush(300);
    await advance(300);
    expect(await early).toBe(false);
    expect(q.stats()).toMatchObject({ pending: 1, retried: 1 });
    down = false;
    const later = q.flush(60_000);
    await advance(5_000); // the retry is due after half of the 10 s base
    expect(await later).toBe(true);
    expect(q.stats()).toMatchObject({ sent: 1, pending: 0 });
  });
});
