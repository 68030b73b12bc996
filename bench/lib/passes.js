/**
 * What the load harnesses share around a pass: `measured` meters the CPU of the server, the client and the
 * rest of the machine over exactly a pass's measured window, and `loginAtRate` drives Login journeys at a
 * fixed arrival rate (open loop), keeping the credential step's latency apart.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createStats, fixedRate, round } from './http-client.js';
import { cpuMeter, machineCpuMeter, selfCpuMeter } from './proc-stats.js';
import { loginJourney } from './scenarios.js';

/**
 * Runs `fn(stats)` (a runner resolving `stats`) and meters, over exactly its measured window, the CPU of
 * the server tree, of this process (the load generator), of the database tree (`databasePid`) and of the
 * rest of the machine. `onWindow({ load, begin, end })` gets the window on V8's profile clock (µs).
 */
export async function measured(serverPid, load, fn, { databasePid, onWindow } = {}) {
  const stats = createStats();
  let meters;
  let cpu;
  // How late this process's own event loop ran during the window: a stalled load generator sends late and
  // reads replies late, which would show as server latency.
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  stats.listeners.push({
    begin: () => {
      loopDelay.enable();
      meters = {
        server: cpuMeter(serverPid),
        client: selfCpuMeter(),
        machine: machineCpuMeter(),
        ...(databasePid ? { database: cpuMeter(databasePid) } : {}),
      };
    },
    end: () => {
      loopDelay.disable();
      cpu = {
        server: meters.server.stop(),
        client: meters.client.stop(),
        machine: meters.machine.stop(),
        ...(meters.database ? { database: meters.database.stop() } : {}),
      };
    },
  });
  await fn(stats);
  const summary = stats.summary();
  onWindow?.({ load, ...stats.monotonicUs });
  // CPU used meanwhile by anything else on the machine (other tenants; the SMTP sink runs in this process).
  const databaseCores = cpu.database?.cores ?? 0;
  const otherCpu = { cores: round(Math.max(0, cpu.machine.cores - cpu.server.cores - cpu.client.cores - databaseCores), 2) };
  return {
    load,
    ...summary,
    serverCpu: cpu.server,
    clientCpu: cpu.client,
    clientLoopDelayMs: { p99: round(loopDelay.percentile(99) / 1e6, 1), max: round(loopDelay.max / 1e6, 1) },
    ...(cpu.database ? { databaseCpu: cpu.database } : {}),
    otherCpu,
    // Server CPU time per unit of work: much steadier than throughput on a machine shared with other work.
    cpuMsPerStep: summary.steps ? round((cpu.server.cpuSeconds * 1000) / summary.steps, 3) : null,
    cpuMsPerJourney: summary.journeys ? round((cpu.server.cpuSeconds * 1000) / summary.journeys, 2) : null,
    // The same, for the server processes' main threads only (JavaScript; not the hashing pool or V8's helpers).
    mainThreadCpuMsPerStep: summary.steps ? round((cpu.server.mainThreadCpuSeconds * 1000) / summary.steps, 3) : null,
    mainThreadCpuMsPerJourney: summary.journeys ? round((cpu.server.mainThreadCpuSeconds * 1000) / summary.journeys, 2) : null,
    ...(stats.dropped ? { dropped: stats.dropped } : {}),
  };
}

/**
 * Login journeys at `rate` per second for `warmupMs` + `durationMs`, measured as `measured` does. Journey i
 * signs in `pick(i)` = { user: { userName, password }, address }. The credential step's latency is kept apart.
 */
export async function loginAtRate(client, serverPid, pick, rate, { warmupMs, durationMs, databasePid, onWindow }) {
  const credential = createStats();
  let next = 0;
  const pass = await measured(
    serverPid,
    `${rate.toFixed(1)} journeys/s open loop`,
    async (stats) => {
      await fixedRate({
        stats,
        rate,
        warmupMs,
        durationMs,
        operation: (intended, stats) => {
          credential.recording = stats.recording;
          const { user, address } = pick(next++);
          return loginJourney(client, stats, user, { since: intended, credentialStats: credential, address });
        },
      });
      credential.startedAt = stats.startedAt;
      credential.endedAt = stats.endedAt;
    },
    { databasePid, onWindow },
  );
  return { ...pass, targetRate: round(rate, 1), credentialLatencyMs: credential.summary().latencyMs };
}
