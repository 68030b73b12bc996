// Types of pg-cluster.js, for the tests that run their own PostgreSQL.
export interface PgCluster {
  /** postgres://cairn@127.0.0.1:<port>/postgres */
  uri: string;
  /** The postmaster's pid (its tree is the database's CPU). */
  pid: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server (immediately) and removes its directory. */
  destroy(): Promise<void>;
}

export function postgresBinDir(): string | undefined;
export function clusterUnavailable(): string | undefined;
export function startPgCluster(): Promise<PgCluster>;
export function psql(uri: string, sql: string): Promise<string>;
