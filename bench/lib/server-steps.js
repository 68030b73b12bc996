/**
 * The server's own view of its step times: Cairn's `cairn_step_duration_seconds` histogram on /metrics
 * (summed over journeys, results and, under `serve --workers`, processes). The difference of two scrapes
 * gives the handler time of the steps in between, from the request's body being read to the answer sent
 * (queueing before the handler, the kernel and the load generator are not in it): beside the latency a
 * client measures, it tells a tail made inside Cairn's code from one made around it.
 */
import { round } from './http-client.js';

/** Cumulative counts by bucket bound (seconds; `+Inf` as Infinity), summed over every label set. */
export async function stepHistogram(client) {
  const r = await client.post('/metrics', undefined, { method: 'GET' });
  if (r.status !== 200) throw new Error(`GET /metrics: HTTP ${r.status}`);
  const buckets = new Map();
  for (const m of r.text.matchAll(/^cairn_step_duration_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/gm)) {
    const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
    buckets.set(le, (buckets.get(le) ?? 0) + Number(m[2]));
  }
  return buckets;
}

/**
 * What happened between two scrapes: steps, the share of them the handler answered within `withinMs`, and
 * the bucket bound the handler's p99 falls under (`p99AtMostMs`; null when it is above the last finite bound, `lastBoundMs`).
 */
export function stepsBetween(before, after, withinMs = 10) {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const delta = (le) => (after.get(le) ?? 0) - (before.get(le) ?? 0);
  const steps = delta(Infinity);
  const finite = bounds.filter((le) => le !== Infinity);
  const lastBoundMs = finite.length ? finite[finite.length - 1] * 1000 : null;
  if (!steps) return { steps: 0, withinShare: null, withinMs, p99AtMostMs: null, lastBoundMs };
  const p99Bound = bounds.find((le) => delta(le) >= 0.99 * steps);
  const within = bounds.filter((le) => le * 1000 <= withinMs).pop();
  return {
    steps,
    withinMs,
    withinShare: within === undefined ? 0 : Math.round((delta(within) / steps) * 10_000) / 10_000,
    p99AtMostMs: p99Bound === undefined || p99Bound === Infinity ? null : p99Bound * 1000,
    lastBoundMs,
  };
}

/** `stepsBetween`'s result as words: "99.99% of steps took ≤ 10 ms, p99 ≤ 2.5 ms". */
export function describeServerSteps(s) {
  const p99 = s.p99AtMostMs === null ? `> ${s.lastBoundMs}` : `≤ ${s.p99AtMostMs}`;
  return `${round(s.withinShare * 100, 2)}% of steps took ≤ ${s.withinMs} ms, p99 ${p99} ms`;
}
