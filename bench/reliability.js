/**
 * `npm run bench:reliability`: issue 11's figures, measured against a real Cairn (`cairn serve`, its
 * default worker processes, the embedded store, an SMTP sink) behind a trusted proxy (every client
 * address comes from X-Forwarded-For):
 *
 * 1. parallel correct logins of one account: succeeded / attempted, and whether the account ended
 *    locked — for the shipped Login and for an AM journey with Retry Limit + Account Lockout;
 * 2. a password spray from many addresses: wrong passwords evaluated per account and per attacker
 *    address (from the audit log), and whether the owners still sign in (their device cookie, their
 *    home address);
 * 3. timing: the credential step for a first wrong password, an unknown user and a spent budget
 *    (for an existing and an unknown account), and the reset e-mail step for an existing and an
 *    unknown address — medians, and the Mann–Whitney rank statistic (AUC: 0.5 = indistinguishable,
 *    with its two-sided p). Samples are interleaved at random and sent one at a time.
 *
 * Writes bench/results/reliability.json and .md. Env: BENCH_SAMPLES (per timing class, default 300),
 * BENCH_REPO (the Cairn checkout to run, default this one — e.g. an older build for comparison),
 * BENCH_KEEP=1 (keep the temp dir).
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cairnEnv, importUsers, prepareJourneys, startCairn } from './lib/cairn-process.js';
import { createClient, round } from './lib/http-client.js';
import { startSmtpSink } from './lib/smtp-sink.js';
import { strongPassword } from './lib/scenarios.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const HERE = dirname(BENCH_DIR);
const REPO = process.env.BENCH_REPO ?? HERE;
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 300);
const TOKEN = 'reliability-admin-token-0123456789abcdefghij';
const LIMIT = 5;
const PER_CLIENT = 20;
const SPRAY_ADDRESSES = 200;
const VICTIMS = 10;
const THROTTLED_ACCOUNTS = 20;
const log = (m) => process.stdout.write(`${m}\n`);

let addressCounter = 0;
/** A fresh client address (10.x.y.z) for each attacker, person or sample. */
const nextAddress = () => {
  const n = ++addressCounter;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

// ------------------------------------------------------------------------------------------------
// Statistics

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Φ(z) by Abramowitz–Stegun 7.1.26. */
function normalCdf(z) {
  const t = 1 / (1 + (0.3275911 * Math.abs(z)) / Math.SQRT2);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/**
 * Mann–Whitney U of sample `a` against `b` (average ranks for ties, tie-corrected variance):
 * AUC = P(a > b) + ½ P(a = b), and the two-sided p of the normal approximation.
 */
export function mannWhitney(a, b) {
  const all = [...a.map((v) => [v, 0]), ...b.map((v) => [v, 1])].sort((x, y) => x[0] - y[0]);
  const ranks = new Float64Array(all.length);
  let ties = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1][0] === all[i][0]) j++;
    for (let k = i; k <= j; k++) ranks[k] = (i + j) / 2 + 1;
    const t = j - i + 1;
    ties += t ** 3 - t;
    i = j + 1;
  }
  let rankA = 0;
  all.forEach(([, g], i) => (g === 0 ? (rankA += ranks[i]) : 0));
  const n1 = a.length;
  const n2 = b.length;
  const u = rankA - (n1 * (n1 + 1)) / 2;
  const n = n1 + n2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))));
  const z = sigma === 0 ? 0 : (u - (n1 * n2) / 2) / sigma;
  return { auc: u / (n1 * n2), p: 2 * (1 - normalCdf(Math.abs(z))) };
}

// ------------------------------------------------------------------------------------------------
// Cairn over HTTP

function http(client) {
  const authPath = (journey, query = '') => `/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=${journey}${query}`;
  const fill = (step, ...values) => {
    values.forEach((v, i) => (step.callbacks[i].input[0].value = v));
    return step;
  };
  const start = async (journey, ip, cookie) => {
    const r = await client.post(authPath(journey, '&ForceAuth=true'), undefined, { headers: headersOf(ip, cookie) });
    if (r.status !== 200 || !r.json?.authId) throw new Error(`${journey} did not start: ${r.status} ${r.text.slice(0, 200)}`);
    return r.json;
  };
  const headersOf = (ip, cookie) => ({ 'X-Forwarded-For': ip, ...(cookie ? { Cookie: cookie } : {}) });
  return {
    start,
    fill,
    submit: (journey, step, ip, cookie) => client.post(authPath(journey), step, { headers: headersOf(ip, cookie) }),
    async signIn(journey, user, password, ip, cookie) {
      const page = await start(journey, ip, cookie);
      return client.post(authPath(journey), fill(page, user, password), { headers: headersOf(ip, cookie) });
    },
    admin: (path) => client.post(`/openidm${path}`, undefined, { method: 'GET', headers: { Authorization: `Bearer ${TOKEN}` } }),
  };
}

/** The device cookie a sign-in answer set, as a Cookie header value (`name=value`), if any. */
const deviceCookieOf = (answer) => {
  const set = [answer.headers?.['set-cookie'] ?? []].flat();
  const device = set.find((c) => /^(__Host-)?cairn-device=/.test(c));
  return device?.split(';')[0];
};

/** Audit events of the run so far (every worker appends to one file). */
function audited(file, event) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.includes(`"event":"${event}"`))
    .map((l) => JSON.parse(l));
}

const settle = (ms = 1500) => new Promise((r) => setTimeout(r, ms));

async function pool(items, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

// ------------------------------------------------------------------------------------------------

async function main() {
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'cairn-reliability-'));
  const cleanups = [];
  try {
    log(
      `Cairn reliability run${REPO === HERE ? '' : ` of ${REPO}`}: ${cpus().length} cores, Node ${process.versions.node}, ${SAMPLES} samples per timing class`,
    );
    const sink = await startSmtpSink();
    cleanups.push(() => sink.close());
    const journeysDir = join(work, 'journeys');
    prepareJourneys(REPO, journeysDir);
    cpSync(join(BENCH_DIR, 'journeys', 'BenchSignIn.json'), join(journeysDir, 'BenchSignIn.json'));
    for (const f of readdirSync(join(HERE, 'test', 'fixtures', 'am-journeys')))
      cpSync(join(HERE, 'test', 'fixtures', 'am-journeys', f), join(journeysDir, f));
    const auditFile = join(work, 'audit.log');
    const env = {
      ...cairnEnv({ dataDir: join(work, 'data'), journeysDir, smtpUrl: sink.url }),
      CAIRN_LOGIN_ATTEMPTS: String(LIMIT),
      CAIRN_LOGIN_ATTEMPTS_PER_CLIENT: String(PER_CLIENT),
      CAIRN_LOGIN_ATTEMPT_WINDOW_MINUTES: '60',
      CAIRN_MAIL_PER_ACCOUNT: '5',
      CAIRN_MAIL_PER_CLIENT: '20',
      CAIRN_TRUSTED_PROXIES: '127.0.0.1,::1',
      CAIRN_ADMIN_TOKEN: TOKEN,
      CAIRN_AUDIT_LOG: auditFile,
    };

    const password = strongPassword();
    const user = (userName, withPassword = true) => ({
      userName,
      mail: `${userName}@bench.example`,
      givenName: 'Bench',
      sn: 'User',
      ...(withPassword ? { password } : {}),
    });
    const parallelSizes = [10, 20, 50];
    const journeys = ['Login', 'LoginWithLockout'];
    const users = [
      ...journeys.flatMap((j) => parallelSizes.map((n) => user(`par-${j}-${n}`))),
      ...Array.from({ length: VICTIMS }, (_, i) => user(`victim-${i}`)),
      ...Array.from({ length: SAMPLES }, (_, i) => user(`first-${i}`)),
      ...Array.from({ length: THROTTLED_ACCOUNTS }, (_, i) => user(`spent-${i}`)),
      ...Array.from({ length: SAMPLES }, (_, i) => user(`reset-${i}`, false)),
    ];
    log(`Importing ${users.length} users …`);
    await importUsers(REPO, env, users, join(work, 'users.ndjson'));
    const cairn = await startCairn(REPO, env, { logDir: work });
    cleanups.push(() => cairn.stop());
    const client = createClient(cairn.origin);
    cleanups.push(() => client.close());
    const api = http(client);
    const idOf = async (userName) =>
      (await api.admin(`/managed/user?_queryFilter=${encodeURIComponent(`userName eq "${userName}"`)}&_fields=_id,accountStatus`)).json.result[0];
    log(`Cairn at ${cairn.origin} (${cairn.workers} worker processes)`);
    const results = {
      date: new Date().toISOString(),
      repo: REPO === HERE ? '.' : REPO,
      workers: cairn.workers,
      limits: { perAccount: LIMIT, perClient: PER_CLIENT },
      // The machine's 1-minute load average before the run and before the timing pass: timings from a
      // machine loaded far beyond its cores are noisy, and their p-values overconfident.
      loadAverage: { start: round(loadavg()[0], 1) },
    };

    // 1. Parallel correct logins of one account.
    results.parallel = [];
    for (const journey of journeys) {
      for (const n of parallelSizes) {
        const userName = `par-${journey}-${n}`;
        const ip = nextAddress();
        const pages = await Promise.all(Array.from({ length: n }, () => api.start(journey, ip)));
        const answers = await Promise.all(pages.map((p) => api.submit(journey, api.fill(p, userName, password), ip)));
        const succeeded = answers.filter((a) => typeof a.json?.tokenId === 'string').length;
        const after = await idOf(userName);
        results.parallel.push({ journey, attempted: n, succeeded, accountStatus: after.accountStatus });
        log(`  ${journey}: ${n} parallel correct logins → ${succeeded}/${n} succeeded; account ${after.accountStatus}`);
      }
    }

    // 2. A spray from many addresses at the victims, and the owners afterwards.
    log(`Spray: ${SPRAY_ADDRESSES} addresses × ${VICTIMS} accounts, plus one address guessing 200 times …`);
    const home = Array.from({ length: VICTIMS }, () => nextAddress());
    const cookies = [];
    for (let i = 0; i < VICTIMS; i++) cookies.push(deviceCookieOf(await api.signIn('Login', `victim-${i}`, password, home[i])));
    const sprayers = Array.from({ length: SPRAY_ADDRESSES }, () => nextAddress());
    const guesses = sprayers.flatMap((ip, a) => Array.from({ length: VICTIMS }, (_, v) => ({ ip, user: `victim-${v}`, password: `Spring${a}!` })));
    const heavy = nextAddress();
    for (let i = 0; i < 200; i++) guesses.push({ ip: heavy, user: i % 2 ? `victim-${i % VICTIMS}` : `nobody-${i}`, password: `Winter${i}!` });
    await pool(guesses, 32, (g) => api.signIn('Login', g.user, g.password, g.ip));
    await settle();
    const victimIds = await Promise.all(Array.from({ length: VICTIMS }, (_, i) => idOf(`victim-${i}`)));
    const failed = audited(auditFile, 'login.failed');
    const perAccount = victimIds.map((v) => failed.filter((e) => e.userId === v._id).length);
    const byAddress = new Map();
    for (const e of failed)
      if (sprayers.includes(e.clientIp) || e.clientIp === heavy) byAddress.set(e.clientIp, (byAddress.get(e.clientIp) ?? 0) + 1);
    const ownersWithDevice = (await Promise.all(cookies.map((c, i) => api.signIn('Login', `victim-${i}`, password, nextAddress(), c)))).filter(
      (a) => typeof a.json?.tokenId === 'string',
    ).length;
    const ownersAtHome = (await Promise.all(home.map((ip, i) => api.signIn('Login', `victim-${i}`, password, ip)))).filter(
      (a) => typeof a.json?.tokenId === 'string',
    ).length;
    const victimsAfter = await Promise.all(Array.from({ length: VICTIMS }, (_, i) => idOf(`victim-${i}`)));
    results.spray = {
      requests: guesses.length,
      attackerAddresses: SPRAY_ADDRESSES + 1,
      evaluatedPerAccount: { max: Math.max(...perAccount), total: perAccount.reduce((a, b) => a + b, 0), accounts: VICTIMS },
      evaluatedPerAttackerAddress: { max: Math.max(0, ...byAddress.values()), heavy: byAddress.get(heavy) ?? 0 },
      ownersSignedIn: { withDeviceCookie: `${ownersWithDevice}/${VICTIMS}`, fromHomeAddress: `${ownersAtHome}/${VICTIMS}` },
      victimsInactive: victimsAfter.filter((v) => v.accountStatus === 'inactive').length,
    };
    log(
      `  ${guesses.length} guesses: evaluated per account ≤ ${results.spray.evaluatedPerAccount.max} (limit ${LIMIT}), per attacker address ≤ ${results.spray.evaluatedPerAttackerAddress.max} ` +
        `(the 200-guess address: ${results.spray.evaluatedPerAttackerAddress.heavy}; limit ${PER_CLIENT}); owners signed in: ${ownersWithDevice}/${VICTIMS} on their device, ` +
        `${ownersAtHome}/${VICTIMS} from home; accounts locked: ${results.spray.victimsInactive}`,
    );

    // 3. Timing of the credential step and of the reset e-mail step.
    log('Timing: spending the budgets of the "spent" accounts and names …');
    // Unknown names as long as the existing ones: the authId carries the name typed, whoever it is.
    const spentUnknown = Array.from({ length: THROTTLED_ACCOUNTS }, (_, i) => `tneps-${i}`);
    for (const name of [...Array.from({ length: THROTTLED_ACCOUNTS }, (_, i) => `spent-${i}`), ...spentUnknown]) {
      for (let k = 0; k < LIMIT; k++) await api.signIn('BenchSignIn', name, `spend ${k}`, nextAddress());
    }
    const plan = [
      ...Array.from({ length: SAMPLES }, (_, i) => ({ kind: 'existing, first wrong password', user: `first-${i}` })),
      ...Array.from({ length: SAMPLES }, (_, i) => ({ kind: 'unknown user', user: `tsrif-${i}` })),
      ...Array.from({ length: SAMPLES }, (_, i) => ({ kind: 'existing, budget spent', user: `spent-${i % THROTTLED_ACCOUNTS}` })),
      ...Array.from({ length: SAMPLES }, (_, i) => ({ kind: 'unknown, budget spent', user: spentUnknown[i % THROTTLED_ACCOUNTS] })),
      ...Array.from({ length: SAMPLES }, (_, i) => ({ kind: 'reset, existing address', mail: `reset-${i}@bench.example` })),
      ...Array.from({ length: SAMPLES }, (_, i) => ({ kind: 'reset, unknown address', mail: `teser-${i}@bench.example` })),
    ].sort(() => Math.random() - 0.5);
    results.loadAverage.timing = round(loadavg()[0], 1);
    log(`  ${plan.length} samples, interleaved, one at a time (load average ${results.loadAverage.timing} on ${cpus().length} cores) …`);
    const times = new Map();
    let errors = 0;
    for (const s of plan) {
      const ip = nextAddress();
      const journey = s.mail ? 'ResetPassword' : 'BenchSignIn';
      const page = await api.start(journey, ip);
      const body = s.mail ? api.fill(page, s.mail) : api.fill(page, s.user, 'not the password at all');
      const t0 = performance.now();
      const r = await api.submit(journey, body, ip);
      const ms = performance.now() - t0;
      if (r.status !== 200) errors++;
      if (!times.has(s.kind)) times.set(s.kind, []);
      times.get(s.kind).push(ms);
    }
    await settle();
    const throttledSeen = audited(auditFile, 'login.throttled').length;
    const row = (kind, against) => {
      const a = times.get(kind);
      const b = times.get(against);
      const mw = a === b ? { auc: 0.5, p: 1 } : mannWhitney(a, b);
      return { kind, n: a.length, medianMs: round(median(a), 3), against, auc: round(mw.auc, 3), p: round(mw.p, 3) };
    };
    const first = 'existing, first wrong password';
    results.timing = {
      credentialStep: [
        row(first, first),
        row('unknown user', first),
        row('existing, budget spent', first),
        row('unknown, budget spent', 'existing, budget spent'),
      ],
      resetStep: [row('reset, existing address', 'reset, existing address'), row('reset, unknown address', 'reset, existing address')],
      errors,
      throttledAnswers: throttledSeen,
    };
    for (const r of [...results.timing.credentialStep, ...results.timing.resetStep]) {
      log(`  ${r.kind.padEnd(32)} median ${String(r.medianMs).padStart(8)} ms  (n=${r.n})  vs ${r.against}: AUC ${r.auc}, p ${r.p}`);
    }
    results.durationSeconds = round((performance.now() - started) / 1000, 1);
    writeResults(results);
    log(`Results: bench/results/reliability.json, bench/results/reliability.md (${results.durationSeconds} s).`);
  } finally {
    for (const c of cleanups.reverse()) await c();
    if (process.env.BENCH_KEEP === '1') log(`Kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

function writeResults(r) {
  const dir = join(BENCH_DIR, 'results');
  writeFileSync(join(dir, 'reliability.json'), JSON.stringify(r, null, 2) + '\n');
  const lines = [
    '# Cairn reliability (issue 11)',
    '',
    `${r.date} · ${r.workers} worker processes · load average ${r.loadAverage.start} at the start, ${r.loadAverage.timing} before the timing pass · limits: ${r.limits.perAccount} wrong passwords per account (unknown clients), ${r.limits.perClient} per client address, per window`,
    '',
    '| Parallel correct logins of one account | Succeeded / attempted | Account after |',
    '|---|---|---|',
    ...r.parallel.map((p) => `| ${p.journey}, ${p.attempted} at once | ${p.succeeded}/${p.attempted} | ${p.accountStatus} |`),
    '',
    `Spray: ${r.spray.requests} wrong passwords from ${r.spray.attackerAddresses} addresses at ${r.spray.evaluatedPerAccount.accounts} accounts. ` +
      `Evaluated per account: at most ${r.spray.evaluatedPerAccount.max}; per attacker address: at most ${r.spray.evaluatedPerAttackerAddress.max} ` +
      `(the address that guessed 200 times: ${r.spray.evaluatedPerAttackerAddress.heavy}). Owners signed in afterwards: ${r.spray.ownersSignedIn.withDeviceCookie} on their device (its cookie, another address), ` +
      `${r.spray.ownersSignedIn.fromHomeAddress} from their address without the cookie. Accounts locked: ${r.spray.victimsInactive}.`,
    '',
    '| Timed step | n | Median ms | Compared with | AUC | p |',
    '|---|---|---|---|---|---|',
    ...[...r.timing.credentialStep, ...r.timing.resetStep].map((t) => `| ${t.kind} | ${t.n} | ${t.medianMs} | ${t.against} | ${t.auc} | ${t.p} |`),
    '',
    'AUC: the probability that a sample of the row is slower than one of the class it is compared with (0.5: indistinguishable). ' +
      `Samples interleaved at random, one request at a time, each from its own address; ${r.timing.errors} answers other than 200.`,
    '',
  ];
  writeFileSync(join(dir, 'reliability.md'), lines.join('\n'));
}

main().catch((e) => {
  process.stderr.write(`reliability: ${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
