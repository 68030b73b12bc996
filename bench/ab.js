/**
 * `npm run bench:ab -- <checkout A> <checkout B> [options]`: two builds of Cairn side by side, to tell
 * whether a change makes a step (or a login) cheaper. Both servers run at once on this machine, each
 * with its own embedded store; the load alternates between them in short closed-loop windows (A, B,
 * then B, A, …), so whatever else the machine does, and its drift over minutes, weighs on both alike.
 * Each window meters the server CPU per step (or per login) from /proc, all threads and main threads;
 * the answer is the median of the per-round ratios B/A. On this shared machine one full `npm run bench`
 * moves by more than most single changes do; this resolves a few percent.
 *
 * Options: --rounds N (default 8), --journey BenchProfile | BenchScript | Login (default BenchProfile),
 * --node-args-a "…", --node-args-b "…" (node flags for that server, e.g. --single-threaded-gc).
 * Each checkout needs its build (`npm run build` there); both may be the same checkout.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { importUsers, prepareJourneys, shippedEnv, startCairn } from './lib/cairn-process.js';
import { closedLoop, createClient, median, round } from './lib/http-client.js';
import { measured } from './lib/passes.js';
import { addressOf, benchUsers, loginJourney, profileJourney } from './lib/scenarios.js';
import { startSmtpSink } from './lib/smtp-sink.js';

const USAGE =
  'usage: node bench/ab.js <checkout A> <checkout B> [--rounds N] [--journey BenchProfile|BenchScript|Login] [--node-args-a "…"] [--node-args-b "…"]';
const JOURNEYS = ['BenchProfile', 'BenchScript', 'Login'];
const PROFILE_LOOPS = 20;
const LOGIN_USERS = 32;

function parse(argv) {
  const options = { rounds: 8, journey: 'BenchProfile', nodeArgs: ['', ''], checkouts: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--rounds') options.rounds = Number(value());
    else if (a === '--journey') options.journey = value();
    else if (a === '--node-args-a') options.nodeArgs[0] = value();
    else if (a === '--node-args-b') options.nodeArgs[1] = value();
    else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else options.checkouts.push(resolve(a));
  }
  if (options.checkouts.length !== 2) throw new Error('two checkouts are needed');
  for (const c of options.checkouts) {
    if (!existsSync(join(c, 'bin', 'cairn.js')) || !existsSync(join(c, 'dist')))
      throw new Error(`${c} is not a built checkout of Cairn (run npm run build there)`);
  }
  if (!Number.isInteger(options.rounds) || options.rounds < 1) throw new Error('--rounds must be a whole number of at least 1');
  if (!JOURNEYS.includes(options.journey)) throw new Error(`--journey must be one of ${JOURNEYS.join(', ')}`);
  return options;
}

async function main() {
  let options;
  try {
    options = parse(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench:ab: ${e.message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const { journey, rounds } = options;
  const login = journey === 'Login';
  const concurrency = login ? LOGIN_USERS : 64;
  const windowMs = login ? 5000 : 3000;
  const sink = await startSmtpSink();
  const servers = [];
  try {
    for (const [i, label] of ['A', 'B'].entries()) {
      const repo = options.checkouts[i];
      const work = mkdtempSync(join(tmpdir(), `cairn-ab-${label}-`));
      prepareJourneys(repo, join(work, 'journeys'));
      const env = shippedEnv({ dataDir: join(work, 'data'), journeysDir: join(work, 'journeys'), smtpUrl: sink.url });
      const users = login ? benchUsers('bench-ab', LOGIN_USERS) : [];
      if (login) await importUsers(repo, env, users, join(work, 'users.ndjson'));
      const extraNodeArgs = options.nodeArgs[i].split(' ').filter(Boolean);
      const server = await startCairn(repo, env, { logDir: work, extraNodeArgs });
      const client = createClient(server.origin);
      const once = login
        ? (vu, stats) => loginJourney(client, stats, users[vu % LOGIN_USERS], { address: addressOf(vu) })
        : (vu, stats) => profileJourney(client, stats, PROFILE_LOOPS, journey, addressOf(vu));
      servers.push({ label, work, server, once, all: [], main: [] });
      process.stdout.write(`${label}: ${repo}${extraNodeArgs.length ? ` (${extraNodeArgs.join(' ')})` : ''}, pid ${server.pid}\n`);
    }
    // Warm both (the JIT, the stores' first pages) before anything counts.
    for (const s of servers) await closedLoop({ concurrency, warmupMs: 10_000, durationMs: 100, iteration: s.once });

    const unit = login ? 'login' : 'step';
    for (let r = 0; r < rounds; r++) {
      const line = [];
      for (const s of r % 2 ? [...servers].reverse() : servers) {
        const p = await measured(s.server.pid, `${journey} closed loop × ${concurrency}`, (stats) =>
          closedLoop({ concurrency, warmupMs: 500, durationMs: windowMs, stats, iteration: s.once }),
        );
        if (p.errors) throw new Error(`${s.label}: ${p.errors} errors (first: ${p.firstError})`);
        s.all.push(login ? p.cpuMsPerJourney : p.cpuMsPerStep);
        s.main.push(login ? p.mainThreadCpuMsPerJourney : p.mainThreadCpuMsPerStep);
        line.push(`${s.label} ${s.all.at(-1)} ms/${unit} (main ${s.main.at(-1)})`);
      }
      process.stdout.write(`round ${r + 1}: ${line.join('  ')}\n`);
    }
    const [a, b] = servers;
    const ratios = (k) => b[k].map((v, i) => v / a[k][i]);
    for (const [k, what] of [
      ['all', 'server CPU'],
      ['main', 'main threads'],
    ]) {
      process.stdout.write(
        `${what} a ${unit}: median A ${median(a[k])} ms, B ${median(b[k])} ms; B/A median of rounds ${round(median(ratios(k)), 3)} ` +
          `[${ratios(k)
            .map((x) => x.toFixed(2))
            .join(' ')}]\n`,
      );
    }
  } finally {
    for (const s of servers) {
      await s.server.stop();
      rmSync(s.work, { recursive: true, force: true });
    }
    await sink.close();
  }
}

main().catch((e) => {
  process.stderr.write(`bench:ab: ${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
