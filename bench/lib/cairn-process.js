/**
 * Starts Cairn for the benchmark the way an operator would: `node bin/cairn.js serve` in a child process
 * with an embedded store in a temp dir and the shipped journeys plus bench/journeys. `shippedEnv` is Cairn as
 * shipped (audit log on, default limits and log level) behind a trusted proxy on loopback, so that each
 * virtual user can come from an address of its own; `cairnEnv` adds raised limits for the harnesses that
 * hammer one account or one address on purpose. Users are imported with `cairn users import` before the start.
 */
import { spawn } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The settings `shippedEnv` sets beyond the shipped defaults, each with why (printed by the benchmark
 * beside its results). Everything else — audit log on stdout, limits, log level — is as shipped.
 */
export const SHIPPED_EXCEPTIONS = {
  CAIRN_HOST: ['127.0.0.1', 'loopback only'],
  PORT: ['0', 'any free port'],
  CAIRN_TRUSTED_PROXIES: ['127.0.0.1', 'each virtual user sends its own client address in X-Forwarded-For'],
};

/** The environment shared by `users import` and `serve`: Cairn as shipped, but for SHIPPED_EXCEPTIONS. */
export function shippedEnv({ dataDir, journeysDir, smtpUrl }) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    ...Object.fromEntries(Object.entries(SHIPPED_EXCEPTIONS).map(([k, [v]]) => [k, v])),
    CAIRN_DATA_DIR: dataDir,
    CAIRN_JOURNEYS_DIR: journeysDir,
    CAIRN_SMTP_URL: smtpUrl,
  };
}

/** `shippedEnv` with the audit log off and limits raised, for harnesses that hammer one account on purpose. */
export function cairnEnv(options) {
  const { CAIRN_TRUSTED_PROXIES: _none, ...env } = shippedEnv(options);
  return {
    ...env,
    CAIRN_AUDIT_LOG: 'off',
    CAIRN_MAIL_PER_ACCOUNT: '1000000',
    CAIRN_MAIL_PER_CLIENT: '1000000',
    CAIRN_LOGIN_ATTEMPTS: '100',
  };
}

/** Copies the shipped journeys and the bench journeys into `dir`. */
export function prepareJourneys(repo, dir) {
  mkdirSync(dir, { recursive: true });
  for (const from of [join(repo, 'journeys'), join(repo, 'bench', 'journeys')]) {
    for (const f of readdirSync(from)) if (f.endsWith('.json')) cpSync(join(from, f), join(dir, f));
    // Scripts live beside the journeys (Scripted Decision nodes).
    if (existsSync(join(from, 'scripts'))) cpSync(join(from, 'scripts'), join(dir, 'scripts'), { recursive: true });
  }
}

/**
 * Runs `cairn <args>` to its end and resolves its output (stdout and stderr), or rejects with it. `onSpawn(child)`
 * sees the child process as soon as it starts (e.g. to sample its memory).
 */
export function runCairn(repo, args, env, { onSpawn } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repo, 'bin', 'cairn.js'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn?.(child);
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`cairn ${args[0]} ${args[1] ?? ''} exited ${code}: ${out.trim().slice(-800)}`)),
    );
  });
}

/** Writes `users` as NDJSON and imports them (all or nothing). */
export async function importUsers(repo, env, users, file) {
  writeFileSync(file, users.map((u) => JSON.stringify(u)).join('\n') + '\n', { mode: 0o600 });
  return runCairn(repo, ['users', 'import', file], env);
}

/** An argon2id hash of `password` made by Cairn's own hasher (from the build), to import users with. */
export async function argon2idHash(repo, password) {
  const { createPasswordHasher } = await import(pathToFileURL(join(repo, 'dist', 'identity', 'passwords.js')).href);
  return createPasswordHasher().hash(password);
}

/**
 * Spawns `cairn serve` (with `--workers N` when given) and resolves once it prints its port. Its stdout and
 * stderr go to files in `logDir` (as a log collector would take them), so the load generator spends no CPU
 * on the server's logs. `extraNodeArgs` go to node itself (e.g. --cpu-prof). `detached` starts it in its own
 * process group, so `kill` reaches the primary and its workers at once (a machine that dies).
 */
export async function startCairn(repo, env, { logDir, workers, extraNodeArgs = [], startTimeoutMs = 60_000, detached = false }) {
  const args = [...extraNodeArgs, join(repo, 'bin', 'cairn.js'), 'serve'];
  if (workers !== undefined) args.push('--workers', String(workers));
  const outFile = join(logDir, 'cairn.stdout.log');
  const errFile = join(logDir, 'cairn.stderr.log');
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', out, err], detached });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  closeSync(out);
  closeSync(err);
  const stderrTail = () => tailOf(errFile);
  const deadline = Date.now() + startTimeoutMs;
  let line;
  while (!line) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`cairn serve exited ${child.exitCode ?? child.signalCode} before listening: ${stderrTail()}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`cairn serve did not report its port within ${startTimeoutMs} ms: ${stderrTail()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
    line = readFileSync(outFile, 'utf8').match(/Cairn listening on (\S+):(\d+)(?: \((\d+) workers\))?/);
  }
  return {
    pid: child.pid,
    origin: `http://127.0.0.1:${line[2]}`,
    workers: Number(line[3] ?? 1),
    stderrTail,
    exited,
    /** Sends `signal` to the server, and to its workers too when it was started detached. */
    kill(signal) {
      try {
        process.kill(detached ? -child.pid : child.pid, signal);
      } catch {
        // already gone
      }
    },
    /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
    stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      return new Promise((done) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.once('exit', (code) => {
          clearTimeout(kill);
          done(code);
        });
        child.kill('SIGTERM');
      });
    },
  };
}

function tailOf(file) {
  try {
    return readFileSync(file, 'utf8').slice(-2000).trim();
  } catch {
    return '';
  }
}
