/**
 * The load generator's HTTP client: JSON POSTs over keep-alive loopback connections (node:http with a
 * keep-alive Agent, the cheapest client in Node 20 without extra packages), plus the two ways to apply
 * load: a closed loop of N virtual users, and a fixed arrival rate (open loop) for latency at partial load.
 */
import http from 'node:http';

/** A client bound to one `http://127.0.0.1:<port>` origin, with at most `maxSockets` connections. */
export function createClient(origin, { maxSockets = 256 } = {}) {
  const url = new URL(origin);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') throw new Error(`bench: loopback only, not ${url.hostname}`);
  // `timeout` makes the agent honour the server's `Keep-Alive: timeout=5` hint (it then drops an idle
  // socket a second before the server would close it); without it, a socket reused just as the server
  // closes it fails with ECONNRESET / "socket hang up" after a pause between phases.
  const agent = new http.Agent({ keepAlive: true, noDelay: true, maxSockets, maxFreeSockets: maxSockets, timeout: 60_000 });

  /**
   * POSTs `body` (an object, or undefined for an empty body) as JSON; resolves { status, json, text,
   * headers }. `headers` are added to the request (X-Forwarded-For, Cookie, Authorization); `method`
   * replaces POST.
   */
  function post(path, body, { timeoutMs = 30_000, headers = {}, method = 'POST' } = {}) {
    const payload = body === undefined ? '' : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path,
          method,
          agent,
          headers: {
            'Content-Type': 'application/json',
            'Accept-API-Version': 'resource=2.1, protocol=1.0',
            'Content-Length': Buffer.byteLength(payload),
            ...headers,
          },
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, json, text, headers: res.headers });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  return { post, close: () => agent.destroy() };
}

/** Latency samples (ms) and counters for one measured window. */
export function createStats() {
  let samples = new Float64Array(1 << 16);
  let n = 0;
  /** Whole journeys' latencies, when the scenario times them (`journey(ms)`). */
  const journeySamples = [];
  const stats = {
    recording: false,
    steps: 0,
    journeys: 0,
    errors: 0,
    firstError: undefined,
    startedAt: 0,
    endedAt: 0,
    /** Called by the runners when the measured window opens and closes (CPU meters hook in here). */
    listeners: [],
    /** The measured window on the monotonic clock (µs) that V8's CPU profiles use. */
    monotonicUs: { begin: 0, end: 0 },
    begin() {
      stats.recording = true;
      stats.startedAt = performance.now();
      stats.monotonicUs.begin = Number(process.hrtime.bigint() / 1000n);
      for (const l of stats.listeners) l.begin?.();
    },
    end() {
      stats.recording = false;
      stats.endedAt = performance.now();
      stats.monotonicUs.end = Number(process.hrtime.bigint() / 1000n);
      for (const l of stats.listeners) l.end?.();
    },
    step(ms) {
      if (!stats.recording) return;
      if (n === samples.length) {
        const bigger = new Float64Array(samples.length * 2);
        bigger.set(samples);
        samples = bigger;
      }
      samples[n++] = ms;
      stats.steps++;
    },
    /** One journey done; `ms`, when given, is its latency (from its scheduled start to its last answer). */
    journey(ms) {
      if (!stats.recording) return;
      stats.journeys++;
      if (typeof ms === 'number') journeySamples.push(ms);
    },
    error(message) {
      if (!stats.recording) return;
      stats.errors++;
      stats.firstError ??= message;
    },
    summary() {
      const seconds = (stats.endedAt - stats.startedAt) / 1000;
      const percentiles = (values) => {
        const sorted = Float64Array.from(values).sort();
        const k = sorted.length;
        const pct = (p) => (k === 0 ? NaN : sorted[Math.min(k - 1, Math.max(0, Math.ceil((p / 100) * k) - 1))]);
        return { p50: round(pct(50), 2), p95: round(pct(95), 2), p99: round(pct(99), 2), max: round(pct(100), 2) };
      };
      return {
        seconds: round(seconds, 2),
        steps: stats.steps,
        journeys: stats.journeys,
        errors: stats.errors,
        firstError: stats.firstError,
        stepsPerSecond: round(stats.steps / seconds, 1),
        journeysPerSecond: round(stats.journeys / seconds, 1),
        latencyMs: percentiles(samples.subarray(0, n)),
        ...(journeySamples.length ? { journeyLatencyMs: percentiles(journeySamples) } : {}),
      };
    },
  };
  return stats;
}

export const round = (x, digits) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : null);

/** The middle of `values` once sorted (for an even count, the upper of the two middle values). */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Closed loop: `concurrency` virtual users each call `iteration(vu, stats)` back to back. Nothing is
 * recorded during `warmupMs`; then `durationMs` is measured. Resolves once every user has stopped.
 */
export async function closedLoop({ concurrency, warmupMs, durationMs, iteration, stats = createStats() }) {
  let stopping = false;
  const users = Array.from({ length: concurrency }, async (_, vu) => {
    while (!stopping) {
      try {
        await iteration(vu, stats);
      } catch (e) {
        stats.error(String(e?.message ?? e));
        await sleep(10); // a failing peer must not turn the loop into a busy spin
      }
    }
  });
  await sleep(warmupMs);
  stats.begin();
  await sleep(durationMs);
  stats.end();
  stopping = true;
  await Promise.all(users);
  return stats;
}

/**
 * Open loop at `rate` operations per second: operation i is due at start + i/rate and is launched then
 * (never more than `maxOutstanding` at once). `operation(intendedStart, stats)` records its own latency
 * from `intendedStart`, so a stalled server is charged for the requests it delayed (no coordinated omission).
 */
export async function fixedRate({ rate, warmupMs, durationMs, maxOutstanding = 512, operation, stats = createStats() }) {
  const start = performance.now();
  const end = start + warmupMs + durationMs;
  let launched = 0;
  let outstanding = 0;
  let dropped = 0;
  const running = new Set();
  while (performance.now() < end) {
    const now = performance.now();
    if (!stats.recording && now >= start + warmupMs) stats.begin();
    // Operations 0 … floor(elapsed × rate) are due by now (operation i at i/rate, the first at once).
    const due = Math.floor(((now - start) / 1000) * rate) + 1;
    while (launched < due) {
      const intended = start + (launched / rate) * 1000;
      launched++;
      if (outstanding >= maxOutstanding) {
        if (stats.recording) dropped++;
        continue;
      }
      outstanding++;
      const p = operation(intended, stats)
        .catch((e) => stats.error(String(e?.message ?? e)))
        .finally(() => {
          outstanding--;
          running.delete(p);
        });
      running.add(p);
    }
    await sleep(1);
  }
  stats.end();
  await Promise.all(running);
  stats.dropped = dropped;
  return stats;
}
