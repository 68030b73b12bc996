/**
 * Turns the measured results into verdicts against the issue-21 targets (each number as a ratio to the
 * limit it is bounded by) and writes them as bench/results/latest.json, latest.md and the curves' chart latest.svg.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartSvg } from './chart.js';
import { round } from './http-client.js';
import { describeServerSteps } from './server-steps.js';

/** The four targets of issue 21, each { name, value, limit, ratio?, target, met, line }. */
export function verdicts(r) {
  const out = [];
  const argon = r.limits.argon2.verifiesPerSecond;
  const echo = r.limits.echo.stepsPerSecond;

  const login = r.passes.login.journeysPerSecond;
  const loginRatio = login / argon;
  out.push({
    name: 'Login journeys/s vs argon2id limit',
    ratio: round(loginRatio, 2),
    target: '≥ 0.90',
    met: loginRatio >= 0.9,
    cpuRatio: round(r.limits.argon2.cpuMsPerVerify / r.passes.login.cpuMsPerJourney, 2),
    line:
      `Login journeys/s ${fmt(login)} = ${loginRatio.toFixed(2)} × argon2 limit ${fmt(argon)}/s (target ≥ 0.90); ` +
      `server CPU per journey ${r.passes.login.cpuMsPerJourney} ms vs ${r.limits.argon2.cpuMsPerVerify} ms per verify = ${(r.limits.argon2.cpuMsPerVerify / r.passes.login.cpuMsPerJourney).toFixed(2)}` +
      (r.passes.login.mainThreadCpuMsPerJourney === undefined
        ? ''
        : ` (${r.passes.login.mainThreadCpuMsPerJourney} ms of it on the main threads, the rest on the hashing pool and other threads)`),
  });

  const steps = r.passes.profile.stepsPerSecond;
  const stepRatio = steps / echo;
  out.push({
    name: 'Non-credential steps/s vs express echo',
    ratio: round(stepRatio, 2),
    target: '≥ 0.50',
    met: stepRatio >= 0.5,
    cpuRatio: round(r.limits.echo.cpuMsPerStep / r.passes.profile.cpuMsPerStep, 2),
    line:
      `BenchProfile steps/s ${fmt(steps)} = ${stepRatio.toFixed(2)} × express echo ${fmt(echo)} req/s (target ≥ 0.50); ` +
      `server CPU per step ${r.passes.profile.cpuMsPerStep} ms vs ${r.limits.echo.cpuMsPerStep} ms per echo = ${(r.limits.echo.cpuMsPerStep / r.passes.profile.cpuMsPerStep).toFixed(2)}`,
  });

  const half = r.passes.profileHalf;
  const p99 = half.latencyMs.p99;
  out.push({
    name: 'p99 step latency at half of max throughput',
    valueMs: p99,
    target: '< 10 ms',
    met: p99 !== null && p99 < 10,
    line:
      `BenchProfile step p99 at ${fmt(half.targetRate)} steps/s (50% of max) = ${p99} ms (target < 10 ms; from the send: ${half.serviceLatencyMs.p99} ms` +
      (half.serverSteps?.steps ? `; inside the server's handler ${describeServerSteps(half.serverSteps)}` : '') +
      (half.clientLoopDelayMs ? `; the load generator's event loop ran up to ${half.clientLoopDelayMs.max} ms late` : '') +
      ')',
  });

  const mem = r.inflight;
  out.push({
    name: `Server memory with ${mem.journeys} journeys in flight`,
    bytesPerJourney: mem.bytesPerJourney,
    target: `flat (≤ ${mem.flatThresholdBytes} B/journey)`,
    met: mem.flat,
    line: `Server RSS with ${mem.journeys} journeys in flight: ${mem.rssBeforeMiB} → ${mem.rssAfterMiB} MiB (${signed(mem.rssAfterMiB - mem.rssBeforeMiB)} MiB; fitted slope ${mem.bytesPerJourney} ± ${mem.bytesPerJourneyStdError} B/journey; flat = ≤ ${mem.flatThresholdBytes}, a quarter of an authId); ${mem.resumed.ok}/${mem.resumed.tried} kept authIds completed later`,
  });
  return out;
}

const fmt = (x) => (x === null || x === undefined ? 'n/a' : x >= 100 ? Math.round(x).toString() : x.toFixed(1));
const signed = (x) => (x >= 0 ? '+' : '') + x.toFixed(1);

function passRow(label, p) {
  const l = p.latencyMs;
  return `| ${label} | ${p.load} | ${fmt(p.journeysPerSecond)} | ${fmt(p.stepsPerSecond)} | ${l.p50} | ${l.p95} | ${l.p99} | ${p.serverCpu?.cores ?? 'n/a'} | ${p.cpuMsPerStep ?? 'n/a'} | ${p.mainThreadCpuMsPerStep ?? 'n/a'} | ${p.clientCpu?.cores ?? 'n/a'} | ${p.otherCpu?.cores ?? 'n/a'} | ${p.errors} |`;
}

export function markdown(r, v) {
  const lines = [];
  lines.push(`# Cairn benchmark${r.quick ? ' (BENCH_QUICK smoke run: numbers not meaningful)' : ''}`);
  lines.push('');
  lines.push(
    `${r.date} · ${r.machine.cpuModel} · ${r.machine.cores} cores · Node ${r.machine.node} · Cairn server processes: ${r.serverProcesses}${r.workers ? ` (--workers ${r.workers})` : ' (serve default)'} · load average before/after: ${r.loadAverage.start[0]}/${r.loadAverage.end[0]}`,
  );
  lines.push('');
  if (r.configuration) {
    lines.push(r.configuration.line);
    lines.push('');
  }
  lines.push('| Target | Measured | Target | Met |');
  lines.push('|---|---|---|---|');
  for (const t of v) lines.push(`| ${t.name} | ${t.line} | ${t.target} | ${t.met ? 'yes' : '**no**'} |`);
  lines.push('');
  lines.push(
    '| Pass | Load | Journeys/s | Steps/s | p50 ms | p95 ms | p99 ms | Server CPU (cores) | Server CPU ms/step | … on main threads | Client CPU (cores) | Other processes (cores) | Errors |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  lines.push(passRow('express echo (limit)', r.limits.echo));
  lines.push(passRow('Login', r.passes.login));
  if (r.passes.loginPostgres) lines.push(passRow('Login on PostgreSQL', r.passes.loginPostgres));
  lines.push(passRow('ResetPassword (full, with e-mail)', r.passes.reset));
  lines.push(passRow('BenchProfile (non-credential step)', r.passes.profile));
  if (r.passes.script) lines.push(passRow('BenchScript (step through a Scripted Decision node)', r.passes.script));
  lines.push(passRow('BenchProfile at 50% of max rate', r.passes.profileHalf));
  lines.push(passRow('Login at 50% of max rate', r.passes.loginHalf));
  lines.push('');
  const a = r.limits.argon2;
  lines.push(
    `argon2id limit: ${fmt(a.verifiesPerSecond)} verifies/s, ${a.cpuMsPerVerify} ms CPU each (m=${a.params.memoryCost} KiB, t=${a.params.timeCost}, p=${a.params.parallelism}; ${a.threadpool} libuv threads, ${a.inflight} in flight). ` +
      `Login credential step p99 at 50% load: ${r.passes.loginHalf.credentialLatencyMs.p99} ms. ResetPassword e-mail wait p50/p99: ${r.passes.reset.mailWaitMs.p50}/${r.passes.reset.mailWaitMs.p99} ms. ` +
      `Server peak RSS: ${r.server.peakRssMiB} MiB. Latencies at 50% load are measured from each request's scheduled send time.`,
  );
  if (r.passes.script) {
    const s = r.passes.script;
    const p = r.passes.profile;
    lines.push('');
    lines.push(
      `Scripted Decision step: ${fmt(s.stepsPerSecond)} steps/s = ${(s.stepsPerSecond / p.stepsPerSecond).toFixed(2)} × the plain step (${fmt(p.stepsPerSecond)}/s); ` +
        `server CPU ${s.cpuMsPerStep} ms/step vs ${p.cpuMsPerStep} ms (+${round(s.cpuMsPerStep - p.cpuMsPerStep, 3)} ms for the script, sandbox threads included).`,
    );
  }
  lines.push('');
  for (const c of [r.curves?.login, r.curves?.profile]) if (c) lines.push(...curveTable(c), '');
  const pg = r.passes.loginPostgres;
  lines.push(
    pg
      ? `Store: Login on the embedded store ${fmt(r.passes.login.journeysPerSecond)} journeys/s, p99 ${r.passes.login.latencyMs.p99} ms; ` +
          `on PostgreSQL (${r.postgres.source}) ${fmt(pg.journeysPerSecond)} journeys/s (${(pg.journeysPerSecond / r.passes.login.journeysPerSecond).toFixed(2)} × embedded), p99 ${pg.latencyMs.p99} ms` +
          `${pg.databaseCpu ? `, the database using ${pg.databaseCpu.cores} cores of the same machine` : ''}.`
      : `Store: the Login pass on PostgreSQL was skipped (${r.postgresSkipped}).`,
  );
  lines.push('');
  return lines.join('\n');
}

/** A curve (run.js `curve`) as a heading line and a compact table, one row a point. */
function curveTable(c) {
  const bound = c.limit
    ? `; ${c.limit.name} limit ${fmt(c.limit.value)}/s, target ${c.target.ratio.toFixed(2)} × limit = ${fmt(c.target.value)}/s`
    : '';
  return [
    `${c.name} curve: fixed arrival rates, ${c.pointSeconds} s a point, as shares of the maximum ${fmt(c.max)} ${c.unit} measured above${bound}${c.p99TargetMs ? `; p99 target < ${c.p99TargetMs} ms` : ''}.`,
    '',
    `| Share of max | Offered ${c.unit} | Achieved ${c.unit} | p50 ms | p99 ms | Errors | Dropped |`,
    '|---|---|---|---|---|---|---|',
    ...c.points.map(
      (p) => `| ${Math.round(p.share * 100)}% | ${fmt(p.offered)} | ${fmt(p.achieved)} | ${p.p50Ms} | ${p.p99Ms} | ${p.errors} | ${p.dropped} |`,
    ),
  ];
}

export function writeResults(dir, results, v) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify({ ...results, verdicts: v }, null, 2) + '\n');
  writeFileSync(join(dir, 'latest.md'), markdown(results, v));
  const machine = `${results.machine.cpuModel}, ${results.machine.cores} cores, Node ${results.machine.node}, ${results.serverProcesses} server process${results.serverProcesses === 1 ? '' : 'es'}`;
  writeFileSync(join(dir, 'latest.svg'), chartSvg(results.curves ?? {}, { date: results.date, machine, quick: results.quick }));
}
