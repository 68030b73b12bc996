/**
 * The bench's reading of Cairn's step histogram: the difference of two /metrics scrapes, summed over label
 * sets, as a share of steps within a bound and the bucket the p99 falls under.
 */
import { describe, expect, it } from 'vitest';
import { describeServerSteps, stepsBetween } from '../../bench/lib/server-steps.js';

const histogram = (counts: Record<string, number>): Map<number, number> =>
  new Map(Object.entries(counts).map(([le, n]) => [le === '+Inf' ? Infinity : Number(le), n]));

describe('bench: steps between two scrapes of the step histogram', () => {
  it('takes the share within the bound and the p99 bucket from the difference, not the totals', () => {
    const before = histogram({ '0.001': 500, '0.005': 900, '0.01': 1000, '0.02': 1000, '+Inf': 1000 });
    // 1,000 new steps: 600 ≤ 1 ms, 380 more ≤ 5 ms, 15 more ≤ 10 ms, 5 more ≤ 20 ms.
    const after = histogram({ '0.001': 1100, '0.005': 1880, '0.01': 1995, '0.02': 2000, '+Inf': 2000 });
    expect(stepsBetween(before, after, 10)).toEqual({ steps: 1000, withinMs: 10, withinShare: 0.995, p99AtMostMs: 10, lastBoundMs: 20 });
  });

  it('says when the p99 is beyond the last finite bucket, and when nothing happened', () => {
    const before = histogram({ '0.01': 0, '2.5': 0, '+Inf': 0 });
    expect(stepsBetween(before, histogram({ '0.01': 90, '2.5': 95, '+Inf': 100 }))).toMatchObject({
      steps: 100,
      withinShare: 0.9,
      p99AtMostMs: null,
    });
    expect(stepsBetween(before, before)).toEqual({ steps: 0, withinShare: null, withinMs: 10, p99AtMostMs: null, lastBoundMs: 2500 });
  });

  it('says it in words, naming the last bucket when the p99 is beyond it', () => {
    const before = histogram({ '0.01': 0, '2.5': 0, '+Inf': 0 });
    expect(describeServerSteps(stepsBetween(before, histogram({ '0.01': 9999, '2.5': 10_000, '+Inf': 10_000 })))).toBe(
      '99.99% of steps took ≤ 10 ms, p99 ≤ 10 ms',
    );
    expect(describeServerSteps(stepsBetween(before, histogram({ '0.01': 90, '2.5': 95, '+Inf': 100 })))).toBe(
      '90% of steps took ≤ 10 ms, p99 > 2500 ms',
    );
  });
});
