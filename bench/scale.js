/**
 * `npm run bench:scale` (issue 21, "Scale"): shows whether cost grows with the user base. For the embedded store
 * and PostgreSQL (a throwaway local cluster), a small store (1,000 users) and a large one (SCALE_USERS, default
 * 1,000,000) are filled by the real `cairn users import` from streamed NDJSON whose users all carry one argon2id
 * hash (made once, so the import hashes nothing); the import's users/s and peak RSS and the store's bytes per user
 * are recorded. Then Cairn serves both stores at once and Login and the whole ResetPassword run at the same fixed
 * arrival rate on both at the same time, twice, for users drawn at random from the whole store; the large/small
 * ratios of the journeys' p50/p99 are compared with the target (≤ 1.10) in each round. Last, `_queryFilter=mail eq "…"` is timed through the admin API:
 * on the embedded store with the plan and objects examined from /metrics, on PostgreSQL with the EXPLAIN of the
 * statement the store runs. Writes bench/results/scale.json and scale.md.
 * Env: SCALE_USERS=N (large store), SCALE_QUICK=1 (20,000 users, short passes), SCALE_POSTGRES=0 (embedded only),
 * SCALE_EMBEDDED=0 (PostgreSQL only; results in scale-postgres.json and .md, so the embedded store's stay),
 * SCALE_POSTGRES_USERS=N (the large PostgreSQL store, default SCALE_USERS), SCALE_LOGIN_RATE / SCALE_RESET_RATE (journeys/s), SCALE_KEEP=1 (keep the temp dir).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { argon2idHash, prepareJourneys, runCairn, shippedEnv, startCairn } from './lib/cairn-process.js';
import { positiveEnv } from './lib/env.js';
import { createClient, createStats, fixedRate, round } from './lib/http-client.js';
import { loginAtRate, measured } from './lib/passes.js';
import { clusterUnavailable, psql, startPgCluster } from './lib/pg-cluster.js';
import { memory } from './lib/proc-stats.js';
import { addressOf, resetPasswordJourney, strongPassword } from './lib/scenarios.js';
import { startSmtpSink } from './lib/smtp-sink.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH_DIR);
const QUICK = process.env.SCALE_QUICK === '1';

const positive = (name, fallback) => positiveEnv('bench:scale', name, fallback);

const SMALL = 1000;
const LARGE = Math.round(positive('SCALE_USERS', QUICK ? 20_000 : 1_000_000));
/** The large PostgreSQL store: SCALE_USERS unless SCALE_POSTGRES_USERS says otherwise (its import is slower). */
const LARGE_POSTGRES = Math.round(positive('SCALE_POSTGRES_USERS', LARGE));
const S = 1000;
const PLAN = {
  warmupMs: (QUICK ? 1 : 3) * S,
  loginMs: (QUICK ? 5 : 40) * S,
  resetMs: (QUICK ? 5 : 30) * S,
  loginRate: positive('SCALE_LOGIN_RATE', 8),
  resetRate: positive('SCALE_RESET_RATE', 2),
  /** Distinct users (and client addresses) Login signs in, drawn at random from the whole store. */
  loginUsers: 200,
  queries: QUICK ? 20 : 100,
};
const TARGET_RATIO = 1.1;
const RESOURCE = 'managed/user';

const log = (msg) => process.stdout.write(`${msg}\n`);

const userName = (i) => `scale-${i}`;
const mailOf = (i) => `scale-${i}@scale.example`;

/** Writes `count` users as NDJSON to `file`, streamed (a chunk at a time, waiting on the disk), all with `hash`. */
async function writeUsers(file, count, hash) {
  const out = createWriteStream(file, { mode: 0o600 });
  const chunk = 1000;
  for (let from = 0; from < count; from += chunk) {
    let text = '';
    for (let i = from; i < Math.min(count, from + chunk); i++)
      text += `${JSON.stringify({
        userName: userName(i),
        mail: mailOf(i),
        givenName: 'Scale',
        // No digit and an 'l' (strongPassword's alphabet has neither 'l' nor 'o'): a reset's new password can
        // never contain it, so the policy's "must not contain your last name" never refuses one.
        sn: 'Loadtest',
        passwordHash: hash,
        // Chosen already, so Login's ProgressiveProfile (third sign-in) lets them straight through.
        preferences: { marketing: true, updates: true },
      })}\n`;
    if (!out.write(text)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())));
  return statSync(file).size;
}

/** `count` distinct user numbers drawn at random from [0, users), none of them in `taken`. */
function sample(users, count, taken = new Set()) {
  if (count > users - taken.size) throw new Error(`cannot draw ${count} users from ${users - taken.size}`);
  const picked = new Set();
  while (picked.size < count) {
    const i = randomInt(users);
    if (!taken.has(i)) picked.add(i);
  }
  return [...picked];
}

/** `cairn users import file`, timed, with the import process's peak RSS (VmHWM) and anonymous RSS (sampled every 100 ms). */
async function timedImport(env, file, users) {
  let peakMiB = 0;
  let peakAnonMiB = 0;
  let timer;
  const t0 = performance.now();
  const out = await runCairn(REPO, ['users', 'import', file], env, {
    onSpawn: (child) => {
      timer = setInterval(() => {
        try {
          const m = memory(child.pid);
          peakMiB = Math.max(peakMiB, m.peakRssMiB);
          peakAnonMiB = Math.max(peakAnonMiB, m.anonRssMiB);
        } catch {
          // exited meanwhile
        }
      }, 100);
    },
  }).finally(() => clearInterval(timer));
  const seconds = (performance.now() - t0) / 1000;
  const reported = out.match(/\(([\d,]+) users\/s\)/);
  return {
    users,
    seconds: round(seconds, 1),
    usersPerSecond: round(users / seconds, 0),
    reportedUsersPerSecond: reported ? Number(reported[1].replaceAll(',', '')) : null,
    peakRssMiB: round(peakMiB, 1),
    // RSS counts the pages of a memory-mapped store (lmdb) the process touched; RssAnon is the rest (the heap).
    peakAnonRssMiB: round(peakAnonMiB, 1),
    output: out.trim().split('\n').slice(-1)[0],
  };
}

/** Bytes of the files under `dir`: their sizes and the disk blocks they hold. */
function diskUsage(dir) {
  let bytes = 0;
  let allocated = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const s = statSync(join(e.parentPath, e.name));
    bytes += s.size;
    allocated += s.blocks * 512;
  }
  return { bytes, allocated };
}

/** ResetPassword end to end at `rate` journeys/s, user `users[n]` and a fresh client address for journey n. */
function resetAtRate(client, pid, sink, users, rate, databasePid) {
  let next = 0;
  return measured(
    pid,
    `${rate} journeys/s open loop`,
    (stats) =>
      fixedRate({
        stats,
        rate,
        warmupMs: PLAN.warmupMs,
        durationMs: PLAN.resetMs,
        operation: (intended) => {
          const n = next++;
          if (n >= users.length) throw new Error('ResetPassword: every drawn account had its reset');
          return resetPasswordJourney(client, stats, { mail: mailOf(users[n]) }, sink, { address: addressOf(n, 2), since: intended });
        },
      }),
    { databasePid },
  );
}

/** The `cairn_store_*` query counters of /metrics, as { "queries:index": n, "examined:scan": n, … }. */
async function queryCounters(client) {
  const r = await client.post('/metrics', undefined, { method: 'GET' });
  const out = {};
  for (const m of r.text.matchAll(/^cairn_store_(queries|query_objects_examined)_total\{plan="(\w+)"\} (\d+)$/gm))
    out[`${m[1] === 'queries' ? 'queries' : 'examined'}:${m[2]}`] = Number(m[3]);
  return out;
}

/** `mail eq "…"` through /openidm/managed/user for `count` random users: latency, results, and the counters' change. */
async function timeQueries(client, users, count, token) {
  const before = await queryCounters(client);
  const stats = createStats();
  stats.begin();
  let wrong = 0;
  for (const i of sample(users, count)) {
    const filter = encodeURIComponent(`mail eq "${mailOf(i)}"`);
    const t0 = performance.now();
    const r = await client.post(`/openidm/managed/user?_queryFilter=${filter}`, undefined, {
      method: 'GET',
      headers: { Authorization: `Bearer ${token}` },
    });
    stats.step(performance.now() - t0);
    if (r.status !== 200 || r.json?.result?.length !== 1 || r.json.result[0].userName !== userName(i)) wrong++;
  }
  stats.end();
  const after = await queryCounters(client);
  const delta = Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - (before[k] ?? 0)]));
  const per = (k) => (delta[k] === undefined ? null : round(delta[k] / count, 2));
  return {
    queries: count,
    wrongAnswers: wrong,
    latencyMs: stats.summary().latencyMs,
    counters: Object.keys(delta).length ? delta : null,
    perQuery: Object.keys(delta).length
      ? {
          indexQueries: per('queries:index'),
          scanQueries: per('queries:scan'),
          examinedIndex: per('examined:index'),
          examinedScan: per('examined:scan'),
        }
      : null,
  };
}

/**
 * EXPLAIN ANALYZE of the statement the PostgreSQL store runs for `mail eq "<mail>"` (objects.ts `queryStatements`,
 * no page size), from the build; whether any index answers it.
 */
async function explainMailQuery(uri, mail) {
  const dist = (p) => import(pathToFileURL(join(REPO, 'dist', p)).href);
  const { parseQueryFilter } = await dist('crest/query-filter.js');
  const { queryStatements } = await dist('stores/postgres/objects.js');
  const { page } = queryStatements(RESOURCE, parseQueryFilter(`mail eq "${mail}"`), { offset: 0, pageSize: 0, sort: [] });
  const { sql } = page;
  // psql takes no parameters: the statement is prepared as is and executed with the values as literals.
  const literal = (v) =>
    v === null
      ? 'NULL'
      : typeof v === 'number'
        ? String(v)
        : Array.isArray(v)
          ? `ARRAY[${v.map(literal).join(', ')}]`
          : `'${String(v).replaceAll("'", "''")}'`;
  const out = await psql(uri, `PREPARE q AS ${sql}; EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE q(${page.values.map(literal).join(', ')})`);
  const plan = JSON.parse(out)[0];
  const nodes = [];
  const walk = (n) => {
    nodes.push(n);
    for (const c of n.Plans ?? []) walk(c);
  };
  walk(plan.Plan);
  const indexNodes = nodes.filter((n) => /Index|Bitmap Index/.test(n['Node Type']));
  return {
    sql,
    usesIndex: indexNodes.length > 0,
    indexes: [...new Set(indexNodes.map((n) => n['Index Name']).filter(Boolean))],
    seqScan: nodes.some((n) => n['Node Type'] === 'Seq Scan'),
    nodeTypes: nodes.map((n) => n['Node Type']),
    executionMs: round(plan['Execution Time'], 3),
  };
}

/** PostgreSQL sizes: the objects table with its indexes and TOAST, every cairn_ table, the database. */
async function pgSizes(uri) {
  const out = await psql(
    uri,
    `SELECT pg_total_relation_size('cairn_objects'), pg_indexes_size('cairn_objects'),
            (SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE 'cairn\\_%'),
            pg_database_size(current_database())`,
  );
  const [objects, objectsIndexes, tables, database] = out.split('|').map(Number);
  return { objects, objectsIndexes, tables, database };
}

/** Fills one store of `users` users (embedded: a data dir; PostgreSQL: a database of its own). */
async function fillStore({ store, size, users, file, work, baseEnv, cluster }) {
  const dataDir = join(work, `${store}-${size}`);
  mkdirSync(dataDir, { recursive: true });
  const env = { ...baseEnv, CAIRN_DATA_DIR: dataDir };
  let database;
  let emptyDatabaseBytes;
  if (cluster) {
    const name = `scale_${size}`;
    await psql(cluster.uri, `CREATE DATABASE ${name}`);
    database = cluster.uri.replace(/\/postgres$/, `/${name}`);
    env.CAIRN_POSTGRES_URI = database;
    env.CAIRN_KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64');
    emptyDatabaseBytes = Number(await psql(database, 'SELECT pg_database_size(current_database())'));
  }
  log(`${store}, ${users.toLocaleString('en')} users: cairn users import …`);
  const imported = await timedImport(env, file, users);
  log(
    `  ${imported.usersPerSecond} users/s (${imported.seconds} s, the import says ${imported.reportedUsersPerSecond}/s), peak RSS ${imported.peakRssMiB} MiB (anonymous ${imported.peakAnonRssMiB} MiB)`,
  );
  let bytes;
  if (database) {
    const sizes = await pgSizes(database);
    bytes = {
      ...sizes,
      databaseGrowth: sizes.database - emptyDatabaseBytes,
      perUser: round(sizes.objects / users, 0),
      databaseGrowthPerUser: round((sizes.database - emptyDatabaseBytes) / users, 0),
    };
    log(
      `  cairn_objects ${round(sizes.objects / 2 ** 20, 1)} MiB (${bytes.perUser} B/user), database +${round(bytes.databaseGrowth / 2 ** 20, 1)} MiB`,
    );
  } else {
    const usage = diskUsage(dataDir);
    bytes = { ...usage, perUser: round(usage.bytes / users, 0), allocatedPerUser: round(usage.allocated / users, 0) };
    log(`  data dir ${round(usage.bytes / 2 ** 20, 1)} MiB (${bytes.perUser} B/user; ${round(usage.allocated / 2 ** 20, 1)} MiB on disk)`);
  }
  return { size, users, env, dataDir, database, imported, bytes };
}

const ratio = (large, small) => (large === null || small === null || !small ? null : round(large / small, 2));

/** One store (embedded or PostgreSQL): fill small and large, serve both, Login, ResetPassword and the query. */
async function runStore({ store, largeUsers, work, files, password, sink, token, cluster }) {
  const journeysDir = join(work, 'journeys');
  const baseEnv = {
    ...shippedEnv({ dataDir: '', journeysDir, smtpUrl: sink.url }),
    CAIRN_ADMIN_PASSWORD: `admin-${randomBytes(12).toString('hex')}`,
    CAIRN_ADMIN_TOKEN: token,
  };
  const cleanups = [];
  try {
    const stores = [];
    for (const [size, users] of [
      ['small', SMALL],
      ['large', largeUsers],
    ]) {
      const filled = await fillStore({ store, size, users, file: files[size], work, baseEnv, cluster });
      stores.push(filled);
    }
    for (const s of stores) {
      s.cairn = await startCairn(REPO, s.env, { logDir: s.dataDir });
      cleanups.push(() => s.cairn.stop());
      s.client = createClient(s.cairn.origin);
      cleanups.push(() => s.client.close());
      const loginUsers = sample(s.users, PLAN.loginUsers);
      s.loginPick = (i) => ({ user: { userName: userName(loginUsers[i % loginUsers.length]), password }, address: addressOf(i % loginUsers.length) });
      // Fresh accounts for every reset of both rounds.
      const resets = Math.ceil(PLAN.resetRate * ((PLAN.warmupMs + PLAN.resetMs) / 1000)) + 10;
      const drawn = sample(s.users, 2 * resets, new Set(loginUsers));
      s.resetUsers = [drawn.slice(0, resets), drawn.slice(resets)];
    }
    const databasePid = cluster?.pid;
    // Small and large run at the same time, each at the fixed rate, so that whatever else the machine does (and
    // how its speed drifts) falls on both alike; the whole is run twice, and each round's ratios must meet.
    /** Runs `pass` on both stores at once, twice, as `s[name]` (first round) and `s[name + 'Second']`. */
    const bothRounds = async (name, label, pass) => {
      for (const second of [0, 1]) {
        log(`${store}: ${label} on the small and the large store at once${second ? ' (second round)' : ''} …`);
        const key = second ? `${name}Second` : name;
        const results = await Promise.all(stores.map((s) => pass(s, second)));
        stores.forEach((s, i) => {
          s[key] = results[i];
          log(`  ${s.size}:`);
          report(s[key]);
        });
      }
    };
    await bothRounds('login', `Login at ${PLAN.loginRate} journeys/s`, (s) =>
      loginAtRate(s.client, s.cairn.pid, s.loginPick, PLAN.loginRate, { warmupMs: PLAN.warmupMs, durationMs: PLAN.loginMs, databasePid }),
    );
    await bothRounds('reset', `ResetPassword at ${PLAN.resetRate} journeys/s`, (s, second) =>
      resetAtRate(s.client, s.cairn.pid, sink, s.resetUsers[second], PLAN.resetRate, databasePid),
    );
    for (const s of stores) {
      s.query = await timeQueries(s.client, s.users, PLAN.queries, token);
      if (s.database) {
        const mail = mailOf(randomInt(s.users));
        s.query.explain = await explainMailQuery(s.database, mail);
        if (!s.query.explain.usesIndex) {
          await psql(s.database, 'ANALYZE cairn_objects');
          s.query.explainAfterAnalyze = await explainMailQuery(s.database, mail);
        }
      }
      const q = s.query;
      log(
        `${store} ${s.size}: mail eq: p50 ${q.latencyMs.p50} ms, max ${q.latencyMs.max} ms, wrong ${q.wrongAnswers}` +
          (q.perQuery
            ? `, per query: ${q.perQuery.indexQueries} index / ${q.perQuery.scanQueries} scan, examined ${q.perQuery.examinedIndex} + ${q.perQuery.examinedScan}`
            : '') +
          (q.explain
            ? `, EXPLAIN: ${q.explain.usesIndex ? `index ${q.explain.indexes.join(', ')}` : 'no index'} (${q.explain.nodeTypes.join(' → ')}, ${q.explain.executionMs} ms)`
            : ''),
      );
      s.serverRssMiB = round(memory(s.cairn.pid).rssMiB, 1);
    }
    const [small, large] = stores;
    // The figures compared are whole journeys' latencies: a step's mixes a journey's fast steps with its one
    // argon2id step, and the median of that mix falls between the two, where it swings with either's share.
    const latencyRatios = (pass) => ({
      p50: ratio(journeyMs(large[pass]).p50, journeyMs(small[pass]).p50),
      p99: ratio(journeyMs(large[pass]).p99, journeyMs(small[pass]).p99),
      cpuMsPerJourney: ratio(large[pass].cpuMsPerJourney, small[pass].cpuMsPerJourney),
    });
    const summary = (s) => ({
      users: s.users,
      import: s.imported,
      bytes: s.bytes,
      login: s.login,
      reset: s.reset,
      loginSecond: s.loginSecond,
      resetSecond: s.resetSecond,
      query: s.query,
      serverRssMiB: s.serverRssMiB,
      serverProcesses: s.cairn.workers,
    });
    return {
      store,
      small: summary(small),
      large: summary(large),
      ratios: {
        login: latencyRatios('login'),
        reset: latencyRatios('reset'),
        loginSecond: latencyRatios('loginSecond'),
        resetSecond: latencyRatios('resetSecond'),
      },
    };
  } finally {
    for (const c of cleanups.reverse()) await c();
  }
}

function report(p) {
  log(
    `  ${p.journeysPerSecond} journeys/s, journey p50/p99 ${journeyCell(p)} ms (step ${p.latencyMs.p50}/${p.latencyMs.p99}), server ${p.serverCpu.cores} cores (${p.cpuMsPerJourney} ms CPU/journey, ${p.mainThreadCpuMsPerJourney} on main threads)` +
      `${p.databaseCpu ? `, database ${p.databaseCpu.cores} cores` : ''}, other processes ${p.otherCpu.cores} cores, errors ${p.errors}${p.firstError ? ` (first: ${p.firstError})` : ''}${p.dropped ? `, dropped ${p.dropped}` : ''}`,
  );
}

/** A pass's journey latencies; null figures when it completed no journey (all errors), so it reads as not met. */
const journeyMs = (p) => p.journeyLatencyMs ?? { p50: null, p99: null };
/** "p50 / p99" of a pass's journeys. */
const journeyCell = (p) => `${journeyMs(p).p50} / ${journeyMs(p).p99}`;

const met = (r) => r !== null && r <= TARGET_RATIO;
/** Both latency ratios of a pass within the target. */
const bothMet = (x) => met(x.p50) && met(x.p99);
/** A pass's p50 / p99 ratios and whether they meet the target, as a table cell. */
const ratioCell = (x) => `${x.p50} / ${x.p99} ${bothMet(x) ? '(met)' : '(NOT MET)'}`;

function markdown(results) {
  const lines = [
    `# Scale (issue 21)${results.quick ? ' — quick smoke run (SCALE_QUICK=1), not the measured result' : ''}`,
    '',
    `${results.date}, ${results.machine.cores} cores (${results.machine.cpuModel}), Node ${results.machine.node}; load average ${results.loadAverage.start.join(' ')} at the start, ${results.loadAverage.end.join(' ')} at the end (the machine is shared).`,
    `Small store ${SMALL.toLocaleString('en')} users, large ${results.stores.map((r) => `${r.large.users.toLocaleString('en')} (${r.store})`).join(', ')}; every user has the same imported argon2id hash.`,
    `Login at ${results.plan.loginRate} journeys/s for ${results.plan.loginMs / 1000} s and ResetPassword at ${results.plan.resetRate} journeys/s for ${results.plan.resetMs / 1000} s (after ${results.plan.warmupMs / 1000} s of warm-up), offered at a fixed rate to both stores at the same time (so that the machine's other work and drift fall on both alike), for users drawn at random from the whole store; latency is per journey, from its scheduled start to its last answer (ResetPassword's without the wait for the e-mail). Target: large/small ≤ ${TARGET_RATIO}, in both rounds (the tables below show the first; the last one the second).`,
    '',
    '| Store | Users | Import users/s | Import peak RSS MiB (anon) | Bytes/user | Login journey p50/p99 ms | Login ratio p50/p99 | Reset journey p50/p99 ms | Reset ratio p50/p99 | mail eq ms p50/max | Plan |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results.stores) {
    for (const size of ['small', 'large']) {
      const s = r[size];
      const q = s.query;
      const plan = q.perQuery
        ? `${q.perQuery.indexQueries === 1 ? 'index' : `index ${q.perQuery.indexQueries}, scan ${q.perQuery.scanQueries}`}, examined ${round(q.perQuery.examinedIndex + q.perQuery.examinedScan, 2)}`
        : q.explain
          ? `EXPLAIN: ${q.explain.usesIndex ? `index (${q.explain.indexes.join(', ')})` : 'no index (seq scan)'}${q.explainAfterAnalyze ? `; after ANALYZE: ${q.explainAfterAnalyze.usesIndex ? 'index' : 'no index'}` : ''}`
          : '';
      const ratios = size === 'large' ? r.ratios : undefined;
      lines.push(
        `| ${r.store} | ${s.users.toLocaleString('en')} | ${s.import.usersPerSecond.toLocaleString('en')} | ${s.import.peakRssMiB} (${s.import.peakAnonRssMiB}) | ${s.bytes.perUser} | ${journeyCell(s.login)} | ${ratios ? ratioCell(ratios.login) : ''} | ${journeyCell(s.reset)} | ${ratios ? ratioCell(ratios.reset) : ''} | ${q.latencyMs.p50} / ${q.latencyMs.max} | ${plan} |`,
      );
    }
  }
  lines.push(
    '',
    'Main threads: the server processes’ JavaScript threads; the rest of the server CPU is their other threads (argon2id on the libuv pool, V8’s helpers, lmdb’s write thread).',
    'Bytes/user: embedded — the files of the data dir (apparent size) over the users; PostgreSQL — `pg_total_relation_size(cairn_objects)` (table, indexes, TOAST) over the users; scale.json also has the disk blocks, every cairn_ table and the database growth.',
    'Import users/s: users over the wall time of the whole `cairn users import` process (start, check pass, write pass); peak RSS is its VmHWM.',
    '',
    '| Store | Login server CPU ms/journey small → large (ratio) | … of it on main threads | Reset server CPU ms/journey small → large (ratio) | … of it on main threads | Other processes’ CPU during Login small / large (cores; the other store’s server among them) |',
    '|---|---|---|---|---|---|',
    ...results.stores.map(
      (r) =>
        `| ${r.store} | ${r.small.login.cpuMsPerJourney} → ${r.large.login.cpuMsPerJourney} (${r.ratios.login.cpuMsPerJourney}) | ${r.small.login.mainThreadCpuMsPerJourney} → ${r.large.login.mainThreadCpuMsPerJourney} | ${r.small.reset.cpuMsPerJourney} → ${r.large.reset.cpuMsPerJourney} (${r.ratios.reset.cpuMsPerJourney}) | ${r.small.reset.mainThreadCpuMsPerJourney} → ${r.large.reset.mainThreadCpuMsPerJourney} | ${r.small.login.otherCpu.cores} / ${r.large.login.otherCpu.cores} |`,
    ),
    '',
    'Second round, the same passes again (the two rounds disagreeing shows how much the machine’s speed moved the figures):',
    '',
    '| Store | Login journey p50/p99 ms small → large | Login ratio p50/p99 | Login CPU ms/journey (ratio) | Reset journey p50/p99 ms small → large | Reset ratio p50/p99 | Reset CPU ms/journey (ratio) |',
    '|---|---|---|---|---|---|---|',
    ...results.stores.map((r) => {
      const lat = (p) => `${journeyCell(r.small[p])} → ${journeyCell(r.large[p])}`;
      const cpu = (p, x) => `${r.small[p].cpuMsPerJourney} → ${r.large[p].cpuMsPerJourney} (${x.cpuMsPerJourney})`;
      return `| ${r.store} | ${lat('loginSecond')} | ${ratioCell(r.ratios.loginSecond)} | ${cpu('loginSecond', r.ratios.loginSecond)} | ${lat('resetSecond')} | ${ratioCell(r.ratios.resetSecond)} | ${cpu('resetSecond', r.ratios.resetSecond)} |`;
    }),
    '',
    'Errors, dropped arrivals, per-step latencies, CPU per journey and the other processes’ CPU of every pass are in scale.json.',
  );
  for (const r of results.stores)
    for (const pass of ['login', 'reset', 'loginSecond', 'resetSecond']) {
      const e = r.small[pass].errors + r.large[pass].errors;
      if (e) lines.push(`**${r.store} ${pass}: ${e} errors** (first: ${r.small[pass].firstError ?? r.large[pass].firstError}).`);
    }
  return `${lines.join('\n')}\n`;
}

async function main() {
  const started = performance.now();
  const loadStart = loadavg().map((x) => round(x, 2));
  const work = mkdtempSync(join(tmpdir(), 'cairn-scale-'));
  const cleanups = [];
  try {
    log(
      `Cairn scale bench${QUICK ? ' (quick)' : ''}: ${SMALL} and ${LARGE.toLocaleString('en')} users (PostgreSQL ${LARGE_POSTGRES.toLocaleString('en')}), ${availableParallelism()} cores`,
    );
    prepareJourneys(REPO, join(work, 'journeys'));
    const password = strongPassword();
    const hash = await argon2idHash(REPO, password);
    const files = { small: join(work, 'small.ndjson'), large: join(work, 'large.ndjson') };
    const t0 = performance.now();
    await writeUsers(files.small, SMALL, hash);
    const largeBytes = await writeUsers(files.large, LARGE, hash);
    log(
      `Wrote ${LARGE.toLocaleString('en')} users as NDJSON (${round(largeBytes / 2 ** 20, 1)} MiB) in ${round((performance.now() - t0) / 1000, 1)} s`,
    );
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const token = randomBytes(32).toString('base64url');
    const embedded = process.env.SCALE_EMBEDDED !== '0';
    const stores = embedded ? [await runStore({ store: 'embedded', largeUsers: LARGE, work, files, password, sink, token })] : [];
    let postgresSkipped;
    const why = process.env.SCALE_POSTGRES === '0' ? 'SCALE_POSTGRES=0' : clusterUnavailable();
    if (why && !embedded) throw new Error(`SCALE_EMBEDDED=0 leaves PostgreSQL alone, and it cannot run: ${why}`);
    if (why) {
      postgresSkipped = why;
      log(`PostgreSQL skipped: ${why}`);
    } else {
      const cluster = await startPgCluster();
      cleanups.push(() => cluster.destroy());
      let pgFiles = files;
      if (LARGE_POSTGRES !== LARGE) {
        pgFiles = { ...files, large: join(work, 'large-postgres.ndjson') };
        await writeUsers(pgFiles.large, LARGE_POSTGRES, hash);
      }
      stores.push(await runStore({ store: 'postgres', largeUsers: LARGE_POSTGRES, work, files: pgFiles, password, sink, token, cluster }));
    }
    const results = {
      date: new Date().toISOString(),
      quick: QUICK,
      largeUsers: LARGE,
      largePostgresUsers: LARGE_POSTGRES,
      smallUsers: SMALL,
      ndjsonBytes: largeBytes,
      machine: { cores: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', node: process.versions.node },
      loadAverage: { start: loadStart, end: loadavg().map((x) => round(x, 2)) },
      plan: PLAN,
      targetRatio: TARGET_RATIO,
      postgres: postgresSkipped ? { skipped: postgresSkipped } : { source: 'throwaway local cluster (fsync off)' },
      stores,
      mail: sink.counts(),
      durationSeconds: round((performance.now() - started) / 1000, 1),
    };
    const dir = join(BENCH_DIR, 'results');
    const name = embedded ? 'scale' : 'scale-postgres';
    writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(dir, `${name}.md`), markdown(results));
    log('');
    for (const r of stores)
      for (const pass of ['login', 'reset']) {
        const rounds = [r.ratios[pass], r.ratios[`${pass}Second`]];
        const both = rounds.every(bothMet);
        log(
          `${both ? 'MET    ' : 'NOT MET'}  ${r.store} ${pass}: large/small p50 ${rounds.map((x) => x.p50).join(' and ')}, p99 ${rounds.map((x) => x.p99).join(' and ')} in the two rounds (target ≤ ${TARGET_RATIO} in both)`,
        );
      }
    log(`Results: bench/results/${name}.json, bench/results/${name}.md (${results.durationSeconds} s).`);
  } finally {
    for (const c of cleanups.reverse()) await c();
    if (process.env.SCALE_KEEP === '1') log(`Kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench:scale: ${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
