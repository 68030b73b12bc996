/**
 * Several worker processes on one port (node:cluster): the primary forks them, restarts one that
 * dies, sums their metrics for GET /metrics (prom-client's AggregatorRegistry), and on SIGTERM or
 * SIGINT asks each to finish its in-flight requests, drain its mail and exit. Workers share the
 * embedded store and the keys, both safe for several processes.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

interface ReadyMessage {
  type: 'cairn:ready';
  port: number;
}
interface MetricsRequest {
  type: 'cairn:metrics?';
  id: number;
}
interface MetricsAnswer {
  type: 'cairn:metrics';
  id: number;
  text?: string;
  error?: string;
}

const isMessage = <T extends { type: string }>(m: unknown, type: T['type']): m is T =>
  !!m && typeof m === 'object' && (m as { type?: unknown }).type === type;

export interface PrimaryIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Runs the primary: forks `count` workers (re-running this program with the same arguments). */
export function runPrimary(count: number, host: string, io: PrimaryIo): Promise<number> {
  const aggregator = new AggregatorRegistry();
  let stopping = false;
  /** What `cairn serve` exits with once every worker has ended: 1 when one could not start. */
  let exitCode = 0;
  let ready = 0;
  let announced = false;
  const started = Date.now();

  return new Promise<number>((resolve) => {
    const fork = (): Worker => {
      const worker = cluster.fork({ CAIRN_CLUSTER_WORKER: '1', CAIRN_CLUSTER_SIZE: String(count) });
      worker.on('message', (m: unknown) => {
        if (isMessage<ReadyMessage>(m, 'cairn:ready')) {
          ready++;
          if (!announced && ready >= count) {
            announced = true;
            io.out(`Cairn listening on ${host}:${m.port} (${count} workers).`);
          }
        } else if (isMessage<MetricsRequest>(m, 'cairn:metrics?')) {
          aggregator
            .clusterMetrics()
            .then((text) => worker.send({ type: 'cairn:metrics', id: m.id, text } satisfies MetricsAnswer))
            .catch((e: unknown) => worker.send({ type: 'cairn:metrics', id: m.id, error: String(e) } satisfies MetricsAnswer));
        }
      });
      return worker;
    };
    for (let i = 0; i < count; i++) fork();

    cluster.on('exit', (worker, code, signal) => {
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve(exitCode);
        return;
      }
      // A worker that fails while the cluster is still starting cannot start: give up with its message.
      if (!announced && code !== 0) {
        io.err(`cairn serve: a worker could not start (exit ${code ?? signal}); stopping.`);
        stopping = true;
        exitCode = 1;
        for (const w of Object.values(cluster.workers ?? {})) w?.kill();
        if (Object.keys(cluster.workers ?? {}).length === 0) resolve(exitCode);
        return;
      }
      io.err(`cairn serve: worker ${worker.process.pid} ended (${signal ?? code}); starting another.`);
      if (Date.now() - started > 0) fork();
    });

    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      io.out(`Received ${signal}; finishing in-flight requests.`);
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
      if (workers.length === 0) resolve(0);
      for (const w of workers) w.send('cairn:shutdown');
      setTimeout(() => {
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      }, 30_000).unref();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}

/** In a worker: report readiness, answer shutdown requests, and fetch cluster-wide metrics. */
export function workerHooks(registry: () => Registry | undefined) {
  let next = 0;
  const pending = new Map<number, { resolve: (t: string) => void; reject: (e: Error) => void }>();
  process.on('message', (m: unknown) => {
    if (isMessage<MetricsAnswer>(m, 'cairn:metrics')) {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.text !== undefined) p?.resolve(m.text);
      else p?.reject(new Error(m.error ?? 'no metrics'));
    }
  });
  return {
    ready(port: number): void {
      const r = registry();
      // prom-client answers the primary's requests only once an AggregatorRegistry exists here.
      void new AggregatorRegistry();
      if (r) AggregatorRegistry.setRegistries([r]);
      process.send?.({ type: 'cairn:ready', port } satisfies ReadyMessage);
    },
    /**
     * This worker could not start: it leaves the cluster, so that it ends with the exit code `cairn serve`
     * returns (its channel to the primary would keep it alive; a bare disconnect would end it with 0).
     */
    failed(): void {
      cluster.worker?.disconnect();
    },
    onShutdown(fn: () => void): void {
      process.on('message', (m: unknown) => {
        if (m === 'cairn:shutdown') fn();
      });
    },
    metrics(): Promise<string> {
      const id = ++next;
      return new Promise<string>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        process.send?.({ type: 'cairn:metrics?', id } satisfies MetricsRequest);
        setTimeout(() => {
          if (pending.delete(id)) reject(new Error('metrics timed out'));
        }, 5_000).unref();
      });
    },
  };
}

// CAIRN_CLUSTER_WORKER and CAIRN_CLUSTER_SIZE are not settings: the primary sets them on the workers
// it forks (runPrimary above), and only this module reads them.
export const isClusterWorker = (): boolean => cluster.isWorker && process.env.CAIRN_CLUSTER_WORKER === '1';
/** The processes serving requests together: this worker's cluster, or 1 outside one. */
export const clusterSize = (): number => (isClusterWorker() ? Math.max(1, Number(process.env.CAIRN_CLUSTER_SIZE) || 1) : 1);
export const isPrimary = (): boolean => cluster.isPrimary;
