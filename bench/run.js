/**
 * `npm run bench`: measures Cairn against the two limits it is bounded by (argon2id verifies/s on all
 * cores, a bare express JSON echo's req/s), on loopback, and prints each result as a ratio to its limit
 * with the issue-21 targets. Starts its own Cairn (embedded store, SMTP sink), writes bench/results/latest.*.
 * Then the Login pass again on a second Cairn whose store is PostgreSQL (a throwaway local cluster, when
 * the binaries are installed), beside the embedded store's numbers.
 * Env: BENCH_QUICK=1 (smoke run), BENCH_WORKERS=N (serve --workers N), BENCH_INFLIGHT (default 100000),
 * BENCH_CPU_PROFILE=1 (server --cpu-prof into bench/results/profiles), BENCH_KEEP=1 (keep the temp dir),
 * BENCH_POSTGRES=0 (skip the PostgreSQL pass), BENCH_ONLY=pass,pass (only those passes; no verdicts),
 * BENCH_NODE_ARGS="--flag …" (extra node flags for the server, e.g. --trace-gc; printed at the start).
 * Cairn runs as shipped (audit log, limits, log level) but for SHIPPED_EXCEPTIONS, printed at the start:
 * each virtual user has its own account and its own client address (X-Forwarded-For from a trusted
 * loopback proxy), so that the shipped per-account and per-address limits are not what is measured.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHIPPED_EXCEPTIONS, argon2idHash, importUsers, prepareJourneys, shippedEnv, startCairn } from './lib/cairn-process.js';
import { closedLoop, createClient, createStats, fixedRate, round } from './lib/http-client.js';
import { positiveEnv } from './lib/env.js';
import { clusterUnavailable, startPgCluster } from './lib/pg-cluster.js';
import { loginAtRate as loginAtRatePass, measured as measuredPass } from './lib/passes.js';
import { memory } from './lib/proc-stats.js';
import {
  addressOf,
  finishLogin,
  loginJourney,
  profileJourney,
  resetPasswordJourney,
  startLogin,
  startProfile,
  benchUsers,
  strongPassword,
  submitProfile,
} from './lib/scenarios.js';
import { startSmtpSink } from './lib/smtp-sink.js';
import { describeServerSteps, stepHistogram, stepsBetween } from './lib/server-steps.js';
import { verdicts, writeResults } from './lib/report.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH_DIR);
const CORES = availableParallelism();

const positiveInt = (name, fallback) => positiveEnv('bench', name, fallback, { integer: true });

const QUICK = process.env.BENCH_QUICK === '1';
const PASSES = [
  'echo',
  'profile',
  'script',
  'argon2',
  'login',
  'postgres',
  'reset',
  'profileHalf',
  'loginHalf',
  'profileCurve',
  'loginCurve',
  'inflight',
];
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((x) => x.trim()) : undefined;
for (const p of ONLY ?? [])
  if (!PASSES.includes(p)) {
    process.stderr.write(`bench: BENCH_ONLY names "${p}", not one of ${PASSES.join(', ')}.\n`);
    process.exit(2);
  }
/** Whether pass `name` runs (all of them unless BENCH_ONLY names some). */
const runs = (name) => !ONLY || ONLY.includes(name);
const WORKERS = process.env.BENCH_WORKERS ? positiveInt('BENCH_WORKERS', 1) : undefined;
const S = 1000;
/** Durations (ms), concurrencies and counts of every pass. */
const PLAN = QUICK
  ? {
      warmup: 0.5 * S,
      measure: 2 * S,
      half: 2 * S,
      curveWarmup: 0.2 * S,
      curvePoint: 0.5 * S,
      argon2Seconds: 2,
      inflight: positiveInt('BENCH_INFLIGHT', 2_000),
      loginUsers: 8,
      resetUsers: 64,
    }
  : {
      warmup: 3 * S,
      measure: 15 * S,
      half: 10 * S,
      // Each point of a curve: the server is warm from the passes before, so a short settling time at the new rate.
      curveWarmup: 0.5 * S,
      curvePoint: 4 * S,
      argon2Seconds: 10,
      // 300,000 rather than the 100,000 the target names: the heap's own sawtooth (tens of MiB collected at
      // once) moved the fitted slope over 100,000 journeys by ±450 B a journey between runs of one build, more
      // than the 362 B threshold; over 300,000 a third as much.
      inflight: positiveInt('BENCH_INFLIGHT', 300_000),
      loginUsers: 32,
      // ResetPassword takes a fresh account for each journey (up to RESETS_PER_ACCOUNT each) and a fresh
      // client address, as the shipped e-mail limits (5 per account, 20 per address in 15 minutes) allow.
      resetUsers: 600,
    };
const RESETS_PER_ACCOUNT = 4;
/** The offered loads of the curves, as shares of the maximum throughput measured in the same run. */
const CURVE_SHARES = [0.25, 0.5, 0.75, 0.9, 1, 1.1];
/** What each curve measures (`achieved` names the pass's field) and its targets: targetRatio × the limit, and a p99. */
const CURVE = {
  profile: { name: 'BenchProfile (non-credential step)', unit: 'steps/s', achieved: 'stepsPerSecond', targetRatio: 0.5, p99TargetMs: 10 },
  login: { name: 'Login', unit: 'journeys/s', achieved: 'journeysPerSecond', targetRatio: 0.9 },
};
const CONCURRENCY = { echo: 64, profile: 64, login: 32, reset: 32, inflight: 64 };
const PROFILE_LOOPS = 20; // "again" submissions per BenchProfile journey before "done"
const RESUME_SAMPLE = QUICK ? 20 : 100; // kept authIds completed after the in-flight phase

const log = (msg) => process.stdout.write(`${msg}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `node <script> ...args` and resolves its stdout, or rejects with its stderr. */
function runNode(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${args[0]} exited ${code}: ${err.trim().slice(-800)}`))));
  });
}

/** Limit 1: argon2id verifies/s with Cairn's parameters, libuv pool = cores, 2 verifies in flight per core. */
async function argon2Limit() {
  const out = await runNode([join(BENCH_DIR, 'argon2-limit.js'), join(REPO, 'dist'), String(PLAN.argon2Seconds), String(CORES * 2)], {
    ...process.env,
    UV_THREADPOOL_SIZE: String(CORES),
  });
  const r = JSON.parse(out.trim().split('\n').pop());
  if (r.failedVerifies) throw new Error('argon2 limit: a verification failed');
  return { ...r, verifiesPerSecond: round(r.verifiesPerSecond, 1), cpuMsPerVerify: round(r.cpuMsPerVerify, 2), cores: round(r.cores, 2) };
}

/** Limit 2: a bare express echo with `workers` processes, driven by the same client pool as Cairn. */
async function echoLimit(workers) {
  const child = spawn(process.execPath, [join(BENCH_DIR, 'echo-server.js'), String(workers)], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise((resolve, reject) => {
      let out = '';
      child.once('exit', (code) => reject(new Error(`echo server exited ${code}`)));
      child.stdout.on('data', (c) => {
        out += c;
        const m = out.match(/echo listening on 127\.0\.0\.1:(\d+)/);
        if (m) resolve(Number(m[1]));
      });
    });
    child.removeAllListeners('exit');
    child.stdout.resume();
    const client = createClient(`http://127.0.0.1:${port}`);
    const body = { op: 'echo', n: 42, items: [1, 2, 3], text: 'hello, cairn' };
    const pass = await measured(child.pid, `closed loop × ${CONCURRENCY.echo}`, (stats) =>
      closedLoop({
        stats,
        concurrency: CONCURRENCY.echo,
        warmupMs: PLAN.warmup,
        durationMs: PLAN.measure,
        iteration: async (_vu, stats) => {
          const t0 = performance.now();
          const r = await client.post('/echo', body);
          stats.step(performance.now() - t0);
          if (r.status !== 200 || r.json?.n !== 42) throw new Error(`echo: HTTP ${r.status}`);
          stats.journey();
        },
      }),
    );
    client.close();
    return pass;
  } finally {
    child.kill('SIGTERM');
  }
}

/** Extra node flags for the server (e.g. `--trace-gc`), from BENCH_NODE_ARGS, split on spaces. */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE === '1' ? join(BENCH_DIR, 'results', 'profiles') : undefined;
/**
 * The measured windows on the monotonic clock V8's profiles use (µs), in pass order: written beside the
 * profiles so that profile-summary.js --window N reads only what pass N measured.
 */
const profileWindows = [];

/** `measured` (lib/passes.js), with the window kept for the CPU profiles. */
const onWindow = PROFILE_DIR ? (w) => profileWindows.push(w) : undefined;
const measured = (serverPid, load, fn, databasePid) => measuredPass(serverPid, load, fn, { databasePid, onWindow });

/** What differs from Cairn as shipped, one line. */
const configurationLine = () =>
  `Configuration: Cairn as shipped (audit log on stdout, default limits, log level info; stdout and stderr to files), except ${Object.entries(
    SHIPPED_EXCEPTIONS,
  )
    .map(([k, [v, why]]) => `${k}=${v} (${why})`)
    .join(', ')}; an SMTP sink on loopback.`;

async function main() {
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'cairn-bench-'));
  const cleanups = [];
  const loadStart = loadavg().map((x) => round(x, 2));
  try {
    if (loadStart[0] > CORES / 2)
      log(
        `Warning: load average ${loadStart[0]} on ${CORES} cores before the start; other work will skew the absolute numbers (the ratios less so).`,
      );
    log(
      `Cairn benchmark${QUICK ? ' (quick smoke run)' : ''}: ${CORES} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}${WORKERS ? `, --workers ${WORKERS}` : ''}`,
    );

    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    log(configurationLine());
    const env = shippedEnv({ dataDir: join(work, 'data'), journeysDir: join(work, 'journeys'), smtpUrl: sink.url });
    prepareJourneys(REPO, join(work, 'journeys'));
    const loginUsers = benchUsers('bench-login', PLAN.loginUsers);
    const resetUsers = benchUsers('bench-reset', PLAN.resetUsers, await argon2idHash(REPO, strongPassword()));
    log(`Importing ${loginUsers.length + resetUsers.length} users …`);
    await importUsers(REPO, env, [...loginUsers, ...resetUsers], join(work, 'users.ndjson'));

    const extraNodeArgs = [...NODE_ARGS, ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])];
    const cairn = await startCairn(REPO, env, { logDir: work, workers: WORKERS, extraNodeArgs });
    cleanups.push(() => cairn.stop());
    log(
      `Cairn listening at ${cairn.origin} (pid ${cairn.pid}, ${cairn.workers} worker process${cairn.workers > 1 ? 'es' : ''}${NODE_ARGS.length ? `, node ${NODE_ARGS.join(' ')}` : ''}); RSS ${memory(cairn.pid).rssMiB.toFixed(1)} MiB`,
    );

    const client = createClient(cairn.origin);
    cleanups.push(() => client.close());
    const passes = {};
    let echo;
    let argon2;
    let postgres = { skipped: 'BENCH_ONLY' };
    let inflight;

    // Each limit is measured while Cairn idles, right before the pass compared with it, so both see about the
    // same interference from anything else running on the machine. The echo has as many processes as Cairn.
    if (runs('echo')) {
      log(`Limit: bare express JSON echo (${cairn.workers} process${cairn.workers > 1 ? 'es' : ''}) …`);
      echo = await echoLimit(cairn.workers);
      report(echo);
    }

    // Every virtual user comes from its own address (X-Forwarded-For); each Login user signs in to its own account.
    const profileLoop = (journey) => (stats) =>
      closedLoop({
        stats,
        concurrency: CONCURRENCY.profile,
        warmupMs: PLAN.warmup,
        durationMs: PLAN.measure,
        iteration: (vu, stats) => profileJourney(client, stats, PROFILE_LOOPS, journey, addressOf(vu)),
      });
    if (runs('profile')) {
      log(`BenchProfile (non-credential step), closed loop × ${CONCURRENCY.profile} …`);
      passes.profile = await measured(cairn.pid, `closed loop × ${CONCURRENCY.profile}`, profileLoop('BenchProfile'));
      report(passes.profile);
    }

    if (runs('script')) {
      log(`BenchScript (the same step through a small Scripted Decision node), closed loop × ${CONCURRENCY.profile} …`);
      passes.script = await measured(cairn.pid, `closed loop × ${CONCURRENCY.profile}`, profileLoop('BenchScript'));
      report(passes.script);
    }

    if (runs('argon2')) {
      log('Limit: argon2id verifies/s on all cores …');
      argon2 = await argon2Limit();
      log(`  ${argon2.verifiesPerSecond} verifies/s using ${argon2.cores} cores (${argon2.cpuMsPerVerify} ms CPU per verify)`);
    }

    if (runs('login')) {
      log(`Login, closed loop × ${CONCURRENCY.login} …`);
      passes.login = await loginPass(client, cairn.pid, loginUsers);
      report(passes.login);
    }

    if (runs('postgres')) {
      postgres = await postgresLogin(work, env, loginUsers);
      if (postgres.pass) {
        passes.loginPostgres = postgres.pass;
        report(passes.loginPostgres);
      } else log(`  skipped: ${postgres.skipped}`);
    }

    if (runs('reset')) {
      log(`ResetPassword (request, e-mail, resume, new password), closed loop × ${CONCURRENCY.reset} …`);
      const mailStats = createStats();
      let journeys = 0;
      passes.reset = await measured(cairn.pid, `closed loop × ${CONCURRENCY.reset}`, (stats) =>
        closedLoop({
          stats,
          concurrency: CONCURRENCY.reset,
          warmupMs: PLAN.warmup,
          durationMs: PLAN.measure,
          iteration: (_vu, stats) => {
            mailStats.recording = stats.recording;
            // A fresh account (each takes RESETS_PER_ACCOUNT journeys, one at a time) and a fresh address.
            const n = journeys++;
            if (n >= resetUsers.length * RESETS_PER_ACCOUNT) throw new Error('ResetPassword: every bench account had its resets');
            return resetPasswordJourney(client, stats, resetUsers[n % resetUsers.length], sink, { mailStats, address: addressOf(n, 2) });
          },
        }),
      );
      mailStats.startedAt = 0;
      mailStats.endedAt = 1;
      passes.reset.mailWaitMs = mailStats.summary().latencyMs;
      report(passes.reset);
    }

    if (runs('profileHalf')) {
      passes.profileHalf = await profileAtRate(client, cairn.pid, (passes.profile?.stepsPerSecond ?? 200) / 2);
      report(passes.profileHalf);
      const s = passes.profileHalf.serverSteps;
      if (s.steps) log(`  inside the server's handler: ${describeServerSteps(s)}`);
    }
    if (runs('loginHalf')) {
      passes.loginHalf = await loginAtRate(client, cairn.pid, loginUsers, (passes.login?.journeysPerSecond ?? 20) / 2);
      report(passes.loginHalf);
    }

    const curves = {};
    if (runs('profileCurve'))
      curves.profile = await curve({
        ...CURVE.profile,
        max: passes.profile?.stepsPerSecond ?? 200,
        limit: echo && { name: 'express echo', value: echo.stepsPerSecond },
        atRate: (rate, share) => profileAtRate(client, cairn.pid, rate, { share, ...curvePlan }),
      });
    if (runs('loginCurve'))
      curves.login = await curve({
        ...CURVE.login,
        max: passes.login?.journeysPerSecond ?? 20,
        limit: argon2 && { name: 'argon2id verifies/s', value: argon2.verifiesPerSecond },
        atRate: (rate, share) => loginAtRate(client, cairn.pid, loginUsers, rate, { share, ...curvePlan }),
      });

    if (runs('inflight')) inflight = await inFlight(client, cairn.pid, loginUsers);
    const server = { ...memory(cairn.pid) };
    server.peakRssMiB = round(server.peakRssMiB, 1);
    server.anonRssMiB = round(server.anonRssMiB, 1);
    server.rssMiB = round(server.rssMiB, 1);

    const results = {
      date: new Date().toISOString(),
      quick: QUICK,
      workers: WORKERS ?? null,
      serverProcesses: cairn.workers,
      loadAverage: { start: loadStart, end: loadavg().map((x) => round(x, 2)) },
      machine: {
        cores: CORES,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        node: process.versions.node,
        platform: `${process.platform}/${process.arch}`,
      },
      configuration: { asShipped: true, exceptions: SHIPPED_EXCEPTIONS, line: configurationLine() },
      plan: { ...PLAN, concurrency: CONCURRENCY, profileLoops: PROFILE_LOOPS },
      limits: { argon2, echo },
      passes,
      curves,
      ...(postgres.skipped ? { postgresSkipped: postgres.skipped } : { postgres: postgres.about }),
      inflight,
      server,
      mail: sink.counts(),
      durationSeconds: round((performance.now() - started) / 1000, 1),
    };
    if (PROFILE_DIR) {
      mkdirSync(PROFILE_DIR, { recursive: true });
      writeFileSync(join(PROFILE_DIR, 'windows.json'), `${JSON.stringify(profileWindows, null, 2)}\n`);
    }
    if (ONLY) {
      writeFileSync(join(BENCH_DIR, 'results', 'only.json'), `${JSON.stringify(results, null, 2)}\n`);
      log(`BENCH_ONLY=${ONLY.join(',')}: no verdicts; results in bench/results/only.json.`);
      return;
    }
    const v = verdicts(results);
    writeResults(join(BENCH_DIR, 'results'), results, v);
    log('');
    for (const t of v) log(`${t.met ? 'MET    ' : 'NOT MET'}  ${t.line}`);
    log(
      `Server peak RSS ${server.peakRssMiB} MiB. Results: bench/results/latest.json, bench/results/latest.md, bench/results/latest.svg (${results.durationSeconds} s).`,
    );
  } finally {
    for (const c of cleanups.reverse()) await c();
    if (process.env.BENCH_KEEP === '1') log(`Kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

/** Login journeys in a closed loop, one user per virtual user. */
function loginPass(client, pid, loginUsers, databasePid) {
  return measured(
    pid,
    `closed loop × ${CONCURRENCY.login}`,
    (stats) =>
      closedLoop({
        stats,
        concurrency: CONCURRENCY.login,
        warmupMs: PLAN.warmup,
        durationMs: PLAN.measure,
        iteration: (vu, stats) => loginJourney(client, stats, loginUsers[vu % loginUsers.length], { address: addressOf(vu) }),
      }),
    databasePid,
  );
}

/**
 * The Login pass on a second Cairn whose store is PostgreSQL, in a throwaway local cluster (fsync off,
 * as the embedded store's sessions and counters run without fsync): the same users, load and
 * measurement as the embedded store's pass, plus the database's own CPU.
 */
async function postgresLogin(work, env, loginUsers) {
  if (process.env.BENCH_POSTGRES === '0') return { skipped: 'BENCH_POSTGRES=0' };
  const why = clusterUnavailable();
  if (why) return { skipped: `no PostgreSQL for the Login pass on PostgreSQL (${why})` };
  log(`Login on PostgreSQL (a throwaway local cluster), closed loop × ${CONCURRENCY.login} …`);
  const cleanups = [];
  try {
    const cluster = await startPgCluster();
    cleanups.push(() => cluster.destroy());
    const dataDir = join(work, 'data-postgres');
    mkdirSync(dataDir, { recursive: true });
    const pgEnv = { ...env, CAIRN_DATA_DIR: dataDir, CAIRN_POSTGRES_URI: cluster.uri, CAIRN_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
    await importUsers(REPO, pgEnv, loginUsers, join(work, 'users-postgres.ndjson'));
    const cairn = await startCairn(REPO, pgEnv, { logDir: dataDir, workers: WORKERS });
    cleanups.push(() => cairn.stop());
    const client = createClient(cairn.origin);
    cleanups.push(() => client.close());
    const pass = await loginPass(client, cairn.pid, loginUsers, cluster.pid);
    return { pass, about: { source: 'throwaway local cluster (fsync off)', serverProcesses: cairn.workers } };
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

function report(p) {
  log(
    `  ${p.journeysPerSecond} journeys/s, ${p.stepsPerSecond} steps/s, p50/p95/p99 ${p.latencyMs.p50}/${p.latencyMs.p95}/${p.latencyMs.p99} ms, ` +
      `server ${p.serverCpu.cores} cores (${p.cpuMsPerStep} ms CPU/step, ${p.mainThreadCpuMsPerStep} on main threads), ${p.databaseCpu ? `database ${p.databaseCpu.cores} cores, ` : ''}client ${p.clientCpu.cores} cores (event loop late by ≤ ${p.clientLoopDelayMs?.max} ms), other processes ${p.otherCpu.cores} cores, errors ${p.errors}${p.firstError ? ` (first: ${p.firstError})` : ''}`,
  );
}

/** The timing of one point of a curve (shorter than the 50% passes, whose defaults are PLAN.warmup and PLAN.half). */
const curvePlan = { warmupMs: PLAN.curveWarmup, durationMs: PLAN.curvePoint, quiet: true };

/**
 * BenchProfile steps at a fixed arrival rate (`share` of the measured max): each arrival takes an idle
 * journey (or starts one) and submits its page; every PROFILE_LOOPS-th submission of a journey says "done".
 */
async function profileAtRate(client, pid, rate, { share = 0.5, warmupMs = PLAN.warmup, durationMs = PLAN.half, quiet = false } = {}) {
  if (!quiet) log(`BenchProfile at a fixed ${Math.round(rate)} steps/s (${Math.round(share * 100)}% of max) …`);
  const idle = [];
  const service = createStats();
  const worstPerSecond = []; // slowest step in each second of the run: shows whether the tail is stalls or spread
  const runStart = performance.now();
  let before;
  let after;
  const pass = await measured(pid, `${Math.round(rate)} steps/s open loop`, async (stats) => {
    // The server's step histogram over the measured window (scraped as it opens and once it has closed).
    stats.listeners.push({ begin: () => (before = stepHistogram(client)) });
    await fixedRate({
      stats,
      rate,
      warmupMs,
      durationMs,
      operation: async (intended, stats) => {
        const journey = idle.pop();
        const t0 = performance.now();
        if (!journey) {
          idle.push({ page: await startProfile(client, stats, intended), loops: 0 });
        } else {
          const done = journey.loops === PROFILE_LOOPS;
          const next = await submitProfile(client, stats, journey.page, { done, since: intended });
          if (next) idle.push({ page: next, loops: journey.loops + 1 });
        }
        service.recording = stats.recording;
        service.step(performance.now() - t0);
        const second = Math.floor((intended - runStart) / 1000);
        worstPerSecond[second] = Math.max(worstPerSecond[second] ?? 0, Math.round(performance.now() - intended));
      },
    });
    service.startedAt = stats.startedAt;
    service.endedAt = stats.endedAt;
    after = await stepHistogram(client);
  });
  return {
    ...pass,
    serverSteps: stepsBetween(await before, after),
    targetRate: round(rate, 1),
    serviceLatencyMs: service.summary().latencyMs,
    worstPerSecondMs: Array.from(worstPerSecond, (x) => x ?? 0),
  };
}

/** Login journeys at a fixed arrival rate (`share` of the measured max), round robin over the users, each from its own address. */
function loginAtRate(client, pid, loginUsers, rate, { share = 0.5, warmupMs = PLAN.warmup, durationMs = PLAN.half, quiet = false } = {}) {
  if (!quiet) log(`Login at a fixed ${rate.toFixed(1)} journeys/s (${Math.round(share * 100)}% of max) …`);
  const pick = (i) => ({ user: loginUsers[i % loginUsers.length], address: addressOf(i % loginUsers.length) });
  return loginAtRatePass(client, pid, pick, rate, { warmupMs, durationMs, onWindow });
}

/**
 * One curve: `atRate(rate, share)` (a fixed-rate pass) at each of CURVE_SHARES × `max` (the maximum throughput
 * measured in this run), lowest first, so that the overloaded points come last. Each point keeps the offered
 * and achieved rate (`achieved` names the pass's field), p50/p99 latency from the scheduled send, errors and
 * arrivals dropped; the curve keeps the limit it is bounded by and the target (`targetRatio` × limit).
 */
async function curve({ name, unit, max, achieved, limit, targetRatio, p99TargetMs, atRate }) {
  log(`${name} curve: fixed rates at ${CURVE_SHARES.map((s) => `${Math.round(s * 100)}%`).join(', ')} of ${round(max, 1)} ${unit} …`);
  const points = [];
  for (const share of CURVE_SHARES) {
    const p = await atRate(max * share, share);
    const point = {
      share,
      offered: p.targetRate,
      achieved: p[achieved],
      p50Ms: p.latencyMs.p50,
      p99Ms: p.latencyMs.p99,
      errors: p.errors,
      dropped: p.dropped ?? 0,
      serverCores: p.serverCpu.cores,
    };
    points.push(point);
    log(
      `  ${Math.round(share * 100)}%: offered ${point.offered}, achieved ${point.achieved} ${unit}, p50/p99 ${point.p50Ms}/${point.p99Ms} ms, ` +
        `server ${point.serverCores} cores, errors ${point.errors}${point.dropped ? `, dropped ${point.dropped}` : ''}`,
    );
  }
  return {
    name,
    unit,
    max: round(max, 1),
    pointSeconds: PLAN.curvePoint / 1000,
    limit: limit ?? null,
    target: limit ? { ratio: targetRatio, value: round(limit.value * targetRatio, 1) } : null,
    ...(p99TargetMs ? { p99TargetMs } : {}),
    points,
  };
}

/**
 * Starts `PLAN.inflight` Login journeys (first step only) and keeps their authIds client-side, sampling the
 * server's RSS before and after; then completes a sample of the kept ones to show they are still alive.
 */
async function inFlight(client, pid, loginUsers) {
  const count = PLAN.inflight;
  log(`Memory: starting ${count} Login journeys and keeping them in flight …`);
  // Warm the path first (10% of the count) so the baseline is a heap already sized for this load.
  const warm = createStats();
  const warmCount = Math.max(CONCURRENCY.inflight * 50, Math.round(count / 10));
  let warmed = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY.inflight }, async () => {
      while (warmed++ < warmCount) await startLogin(client, warm, addressOf(warmed % loginUsers.length));
    }),
  );
  await sleep(1000);
  const before = memory(pid);
  const kept = new Array(count);
  const stats = createStats();
  stats.recording = true;
  stats.startedAt = performance.now();
  let nextIndex = 0;
  let completed = 0;
  const every = Math.max(1, Math.floor(count / 100)); // a sample every 1% of the journeys
  const samples = [{ journeys: 0, rssMiB: before.rssMiB }];
  await Promise.all(
    Array.from({ length: CONCURRENCY.inflight }, async () => {
      while (nextIndex < count) {
        const i = nextIndex++;
        kept[i] = await startLogin(client, stats, addressOf(i % loginUsers.length));
        if (++completed % every === 0) samples.push({ journeys: completed, rssMiB: memory(pid).rssMiB });
      }
    }),
  );
  stats.endedAt = performance.now();
  await sleep(1000);
  const after = memory(pid);
  samples.push({ journeys: count, rssMiB: after.rssMiB });
  const peakRss = Math.max(...samples.map((x) => x.rssMiB));
  const summary = stats.summary();

  // Complete a sample of the oldest and newest kept journeys: they must still work.
  const resumeStats = createStats();
  resumeStats.recording = true;
  const picks = [...Array(RESUME_SAMPLE / 2).keys()]
    .flatMap((k) => [k, count - 1 - k])
    .filter((i, j, a) => i >= 0 && i < count && a.indexOf(i) === j);
  let ok = 0;
  await Promise.all(
    Array.from({ length: 8 }, async (_, w) => {
      for (let j = w; j < picks.length; j += 8) {
        const i = picks[j];
        try {
          await finishLogin(client, resumeStats, kept[i], loginUsers[i % loginUsers.length], addressOf(i % loginUsers.length));
          ok++;
        } catch (e) {
          resumeStats.error(String(e?.message ?? e));
        }
      }
    }),
  );
  // Slope of RSS against journeys in flight (least squares over all samples): per-journey server state
  // would show as a steady slope of at least an authId's size; garbage shows as noise around zero.
  const fit = leastSquares(samples.map((x) => [x.journeys, x.rssMiB * 1024 * 1024]));
  const bytesPerJourney = Math.round(fit.slope);
  // Keeping a journey server-side would cost at least its state, which the authId carries: "flat" means
  // the fitted growth is under a quarter of an authId's size.
  const authIdBytes = Math.round(kept.reduce((n, s) => n + (s?.authId?.length ?? 0), 0) / count);
  const flatThresholdBytes = Math.round(authIdBytes / 4);
  const result = {
    journeys: count,
    startsPerSecond: summary.stepsPerSecond,
    latencyMs: summary.latencyMs,
    errors: summary.errors,
    rssBeforeMiB: round(before.rssMiB, 1),
    rssAfterMiB: round(after.rssMiB, 1),
    rssPeakDuringMiB: round(peakRss, 1),
    rssSamples: samples.map((x) => ({ journeys: x.journeys, rssMiB: round(x.rssMiB, 1) })),
    warmupJourneys: warmCount,
    bytesPerJourney,
    bytesPerJourneyStdError: Math.round(fit.stdError),
    authIdBytes,
    flatThresholdBytes,
    flat: bytesPerJourney <= flatThresholdBytes && summary.errors === 0 && ok === picks.length,
    clientHeldMiB: round(kept.reduce((n, s) => n + (s?.authId?.length ?? 0), 0) / 1024 / 1024, 1),
    resumed: { tried: picks.length, ok, firstError: resumeStats.firstError },
  };
  log(
    `  ${summary.stepsPerSecond} starts/s; server RSS ${result.rssBeforeMiB} → ${result.rssAfterMiB} MiB (peak ${result.rssPeakDuringMiB}); ` +
      `client holds ${result.clientHeldMiB} MiB of authIds; ${ok}/${picks.length} kept journeys completed later`,
  );
  return result;
}

/** The slope b of y = a + b·x fitted to `points` ([x, y] pairs), with its standard error. */
function leastSquares(points) {
  const n = points.length;
  const mx = points.reduce((t, [x]) => t + x, 0) / n;
  const my = points.reduce((t, [, y]) => t + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  if (den === 0 || n < 3) return { slope: 0, stdError: NaN };
  const slope = num / den;
  const residuals = points.reduce((t, [x, y]) => t + (y - my - slope * (x - mx)) ** 2, 0);
  return { slope, stdError: Math.sqrt(residuals / (n - 2) / den) };
}

main().catch((e) => {
  process.stderr.write(`bench: ${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
