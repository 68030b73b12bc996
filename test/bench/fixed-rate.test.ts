// bench/lib/http-client.js's open loop: operation i is launched at its intended time start + i/rate (the
// first at once), never an interval late, so latencies measured from the intended time charge the server
// with the queueing it causes and nothing of the scheduler's.
import { describe, expect, it } from 'vitest';
import { fixedRate } from '../../bench/lib/http-client.js';

describe('fixedRate', () => {
  it('launches operation i at start + i/rate: 4 a second over one second, each before the next is due', async () => {
    const lags: number[] = [];
    const intended: number[] = [];
    await fixedRate({
      rate: 4,
      warmupMs: 0,
      durationMs: 1000,
      operation: (at) => {
        lags.push(performance.now() - at);
        intended.push(at);
        return Promise.resolve();
      },
    });
    expect(intended).toHaveLength(4);
    expect(intended.slice(1).map((t, i) => Math.round(t - (intended[i] ?? Number.NaN)))).toEqual([250, 250, 250]);
    for (const lag of lags) {
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(250);
    }
  });
});
