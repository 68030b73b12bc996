/** The part of http-client.js the tests use (see the JSDoc there). */
export interface Stats {
  recording: boolean;
  dropped?: number;
}
export function createStats(): Stats;
export function fixedRate(options: {
  rate: number;
  warmupMs: number;
  durationMs: number;
  maxOutstanding?: number;
  operation: (intendedStart: number, stats: Stats) => Promise<unknown>;
  stats?: Stats;
}): Promise<Stats>;
