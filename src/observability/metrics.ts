/**
 * Prometheus metrics (prom-client) on a registry of the app's own (never the global one): journeys
 * started and ended by journey and outcome, nodes entered and node outcomes by node type, step
 * latency, e-mails sent / failed / queued, store operation latency and rate-limit hits. With several workers, GET /metrics answers the sum over
 * all of them (src/server/cluster.ts).
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from '../stores/types.js';

export interface Metrics {
  registry: Registry;
  journeysStarted: Counter<'journey'>;
  journeysEnded: Counter<'journey' | 'outcome'>;
  nodesEntered: Counter<'journey' | 'node_type'>;
  nodeOutcomes: Counter<'journey' | 'node_type' | 'outcome'>;
  stepDuration: Histogram<'journey' | 'result'>;
  rateLimitHits: Counter<'limit'>;
  storeDuration: Histogram<'operation'>;
  /** Timer Stop nodes' measurements, by the metric key the journey names. */
  journeyTimers: Histogram<'key'>;
}

export function createMetrics(mailStats?: () => Record<string, number>): Metrics {
  const registry = new Registry();
  const metrics: Metrics = {
    registry,
    journeysStarted: new Counter({
      name: 'cairn_journeys_started_total',
      help: 'Journeys started, by journey.',
      labelNames: ['journey'],
      registers: [registry],
    }),
    journeysEnded: new Counter({
      name: 'cairn_journeys_ended_total',
      help: 'Journeys ended, by journey and outcome (success, failure).',
      labelNames: ['journey', 'outcome'],
      registers: [registry],
    }),
    nodesEntered: new Counter({
      name: 'cairn_journey_nodes_entered_total',
      help: 'Journey nodes entered, by journey and node type.',
      labelNames: ['journey', 'node_type'],
      registers: [registry],
    }),
    nodeOutcomes: new Counter({
      name: 'cairn_journey_node_outcomes_total',
      help: 'Outcomes journey nodes left by, by journey, node type and outcome.',
      labelNames: ['journey', 'node_type', 'outcome'],
      registers: [registry],
    }),
    stepDuration: new Histogram({
      name: 'cairn_step_duration_seconds',
      help: 'Time to answer one journey step, by journey and result (callbacks, suspended, success, failure, session, error).',
      labelNames: ['journey', 'result'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    rateLimitHits: new Counter({
      name: 'cairn_rate_limit_hits_total',
      help: 'Requests refused or muted by a limit, by limit.',
      labelNames: ['limit'],
      registers: [registry],
    }),
    storeDuration: new Histogram({
      name: 'cairn_store_operation_duration_seconds',
      help: 'Store operation latency, by operation.',
      labelNames: ['operation'],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    journeyTimers: new Histogram({
      name: 'cairn_journey_timer_seconds',
      help: "Time between a Timer Start and a Timer Stop node, by the Timer Stop node's metric key.",
      labelNames: ['key'],
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 900],
      registers: [registry],
    }),
  };
  if (mailStats) {
    const gauge = new Gauge({
      name: 'cairn_emails',
      help: 'E-mails by state since start: sent, failed, queued (accepted), retried, dropped; pending = waiting now.',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        for (const [state, n] of Object.entries(mailStats())) this.set({ state }, n);
      },
    });
    void gauge;
  }
  return metrics;
}

/** Wraps every method of the store's parts to time it. */
export function instrumentStore(store: Store, histogram: Histogram<'operation'>, registry?: Registry): Store {
  const stats = store.queryStats?.bind(store);
  if (stats && registry) {
    // Read from the store's own tallies at each scrape: how object queries were answered, and how many
    // objects they examined (an index answers with few; a scan examines the whole resource).
    const tally = (name: string, help: string, of: 'queries' | 'examined'): void => {
      new Counter({
        name,
        help,
        labelNames: ['plan'] as const,
        registers: [registry],
        collect() {
          const now = stats();
          this.reset();
          this.inc({ plan: 'index' }, now.index[of]);
          this.inc({ plan: 'scan' }, now.scan[of]);
        },
      });
    };
    tally('cairn_store_queries_total', 'Object queries of this process, by plan: index (read from a secondary index) or scan', 'queries');
    tally('cairn_store_query_objects_examined_total', 'Objects read and evaluated by object queries of this process, by plan', 'examined');
  }
  const wrap = <T extends object>(part: T, name: string): T =>
    new Proxy(part, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== 'function') return value;
        const operation = `${name}.${String(prop)}`;
        return (...args: unknown[]) => {
          const end = histogram.startTimer({ operation });
          const result = (value as (...a: unknown[]) => unknown).apply(target, args);
          if (result instanceof Promise) return result.finally(() => end());
          end();
          return result;
        };
      },
    });
  return {
    backend: store.backend,
    objects: wrap(store.objects, 'objects'),
    sessions: wrap(store.sessions, 'sessions'),
    suspended: wrap(store.suspended, 'suspended'),
    counters: wrap(store.counters, 'counters'),
    claims: wrap(store.claims, 'claims'),
    kv: wrap(store.kv, 'kv'),
    purgeExpired: () => store.purgeExpired(),
    health: () => store.health(),
    ...(stats ? { queryStats: stats } : {}),
    ...(store.indexesBuilt ? { indexesBuilt: store.indexesBuilt.bind(store) } : {}),
    close: () => store.close(),
  };
}
