#!/usr/bin/env node
/**
 * Reads README.md top to bottom as a newcomer would, in a fresh copy of the checkout (the files git
 * tracks or would track, nothing built, no node_modules, no data), and runs what it says:
 *
 * - every ```sh block, in order, with bash in the copy (exit 0 expected). A line ending in
 *   `npm start` starts the server in the background (stopping the one before, as Ctrl-C would) and
 *   waits until it listens; `npm test` is skipped: this walk is part of that suite.
 * - after the block before it and before the block after it, each sentence of CLAIMS below is
 *   checked against what happened (the server's address, the pages, signing in, the outbox and its log lines, the new
 *   journey before and after the restart). Each claim quotes README; a README that no longer says
 *   it fails the walk, so the two cannot drift apart.
 *
 * The server gets a free port through PORT (README: "`PORT` changes the port"); addresses README
 * gives with 8080 are checked on that port. Usage: node scripts/readme-walk.mjs [--keep]
 * (--keep leaves the copy in place). Exit 0 when everything README says held.
 */
import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const KEEP = process.argv.includes('--keep');
const run = promisify(execFile);
const log = (line) => process.stdout.write(`${line}\n`);

class WalkError extends Error {}
const check = (ok, message) => {
  if (!ok) throw new WalkError(message);
};

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A fresh copy: the files git tracks, plus new ones it does not ignore (as a clone would have them once committed). */
async function freshCopy() {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-readme-'));
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, maxBuffer: 64 << 20 });
  for (const file of stdout.split('\0').filter(Boolean)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await cp(join(ROOT, file), join(dir, file)).catch((e) => {
      if (e.code !== 'ENOENT') throw e; // deleted in the working tree, not yet committed
    });
  }
  return dir;
}

/** The ```sh blocks and where they end in README. */
function shBlocks(readme) {
  const blocks = [];
  for (const m of readme.matchAll(/^```(\S*)[^\n]*\n([\s\S]*?)^```$/gm)) {
    if (m[1] === 'sh') blocks.push({ script: m[2], end: m.index + m[0].length, line: readme.slice(0, m.index).split('\n').length + 1 });
  }
  return blocks;
}

/** The environment of a newcomer's shell: no CAIRN_* settings inherited from whoever runs the walk. */
function shellEnv(port) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^CAIRN_/.test(k) && !/^npm_/.test(k) && k !== 'PORT'));
  return { ...env, PORT: String(port), FORCE_COLOR: '0', NO_COLOR: '1' };
}

function bash(script, cwd, env, timeoutMs = 180_000) {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-eo', 'pipefail', '-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out });
    });
  });
}

/** The server README starts with `npm start`, in the background, its output kept. */
class Server {
  constructor(prefix, cwd, env) {
    this.output = '';
    this.child = spawn('bash', ['-c', `exec env ${prefix} npm start`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child.stdout.on('data', (d) => (this.output += d));
    this.child.stderr.on('data', (d) => (this.output += d));
    this.exited = new Promise((resolve) => this.child.on('close', resolve));
  }
  async listening(timeoutMs = 90_000) {
    const started = Date.now();
    for (;;) {
      const m = /Cairn listening on (\S+):(\d+)/.exec(this.output);
      if (m) return { host: m[1], port: Number(m[2]) };
      check(this.child.exitCode === null, `the server stopped before listening:\n${this.output}`);
      check(Date.now() - started < timeoutMs, `the server did not say it listens within ${timeoutMs / 1000} s:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  /** Ctrl-C: SIGINT to the process group (npm, the primary and its workers). */
  async stop() {
    if (this.child.exitCode !== null) return;
    try {
      process.kill(-this.child.pid, 'SIGINT');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 20_000);
    await this.exited;
    clearTimeout(timer);
  }
}

const AM_HEADERS = { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.0, protocol=1.0' };

/** Runs a journey through the AM API, answering each step's inputs with `answers` in order. */
async function journey(base, name, answers, cookie) {
  const url = `${base}/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=${name}`;
  let res = await fetch(url, { method: 'POST', headers: AM_HEADERS, body: '{}' });
  let body = await res.json();
  for (const values of answers) {
    if (!body.callbacks) break;
    let i = 0;
    for (const cb of body.callbacks)
      for (const input of cb.input ?? []) if (!input.name.endsWith('validateOnly') && i < values.length) input.value = values[i++];
    res = await fetch(url, { method: 'POST', headers: { ...AM_HEADERS, ...(cookie ? { Cookie: cookie } : {}) }, body: JSON.stringify(body) });
    body = await res.json();
  }
  return { status: res.status, body, cookie: res.headers.get('set-cookie')?.split(';')[0] };
}

/**
 * What README says, sentence by sentence, and how the walk checks it: right `after` (or `before`) the
 * ```sh block whose script is exactly that text.
 */
const CLAIMS = [
  {
    says: 'It ends with warnings like these, which are expected',
    after: 'npm ci && npm start',
    async check(w) {
      const named = [...w.npmCi.matchAll(/install-scripts\s+(\S+@\d\S*) \(/g)].map((m) => m[1]);
      for (const pkg of named) check(w.readme.includes(pkg.split('@')[0]), `npm ci warned about ${pkg}, which README does not explain`);
      const pkg = JSON.parse(await readFile(join(w.dir, 'package.json'), 'utf8'));
      check(JSON.stringify(pkg.allowScripts) === '{}', 'README says allowScripts lists no package');
      return `npm ci warned about ${named.join(', ') || 'no package'}; each is explained`;
    },
  },
  {
    says: 'listens on all interfaces (0.0.0.0), port 8080',
    after: 'npm ci && npm start',
    async check(w) {
      check(w.first.host === '0.0.0.0', `npm start listened on ${w.first.host}`);
      check(w.first.port === w.port, `npm start listened on port ${w.first.port}, not PORT=${w.port}`);
      return `npm start listened on ${w.first.host}:${w.first.port}`;
    },
  },
  {
    says: 'To keep it to this machine, start it with\n`CAIRN_HOST=127.0.0.1`',
    after: 'CAIRN_HOST=127.0.0.1 npm start',
    async check(w) {
      check(w.address.host === '127.0.0.1', `CAIRN_HOST=127.0.0.1 npm start listened on ${w.address.host}`);
      const outside = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal);
      if (outside) {
        const reached = await fetch(`http://${outside.address}:${w.port}/health/live`).then(
          () => true,
          () => false,
        );
        check(!reached, `the server answered on ${outside.address} although bound to 127.0.0.1`);
      }
      return `listening on 127.0.0.1 only${outside ? ` (${outside.address} refused)` : ''}`;
    },
  },
  {
    says: 'Then open <http://localhost:8080/login/>',
    after: 'CAIRN_HOST=127.0.0.1 npm start',
    async check(w) {
      const res = await fetch(`${w.base}/login/`);
      const html = await res.text();
      check(res.status === 200 && html.includes('id="main"'), `/login/ answered ${res.status}`);
      return '/login/ serves the pages';
    },
  },
  {
    says: 'Sign in as `bjensen` at <http://localhost:8080/login/>: the page greets you as Barbara Jensen',
    after:
      "echo 'a long memorable passphrase' | ./bin/cairn.js users create --userName bjensen --mail bjensen@example.com --givenName Barbara --sn Jensen",
    async check(w) {
      const signIn = await journey(w.base, 'Login', [['bjensen', w.password]]);
      check(signIn.status === 200 && typeof signIn.body.tokenId === 'string', `signing in as bjensen: ${JSON.stringify(signIn.body)}`);
      const profile = await fetch(`${w.base}/am/json/realms/root/users/bjensen`, { headers: { Cookie: signIn.cookie ?? '' } }).then((r) => r.json());
      check(profile.givenName?.[0] === 'Barbara' && profile.sn?.[0] === 'Jensen', `the profile the page reads: ${JSON.stringify(profile)}`);
      return 'signed in as bjensen; the profile says Barbara Jensen';
    },
  },
  {
    says: 'each e-mail is written to `data/outbox/` as an `.eml` file',
    after:
      "echo 'a long memorable passphrase' | ./bin/cairn.js users create --userName bjensen --mail bjensen@example.com --givenName Barbara --sn Jensen",
    async check(w) {
      const before = w.server.output.length;
      const reset = await journey(w.base, 'ResetPassword', [['bjensen@example.com']]);
      check(reset.body.callbacks?.[0]?.type === 'SuspendedTextOutputCallback', `ResetPassword: ${JSON.stringify(reset.body)}`);
      let link;
      for (let i = 0; i < 100 && !link; i++) {
        await new Promise((r) => setTimeout(r, 100));
        link = /mail \(dev outbox\): link (http\S+suspendedId=[^"\s]+)/.exec(w.server.output.slice(before))?.[1];
      }
      check(link !== undefined, `no link in the log after a reset:\n${w.server.output.slice(before)}`);
      check(link.startsWith(`http://localhost:${w.port}/login/?`), `the logged link ${link}`);
      const files = (await readdir(join(w.dir, 'data', 'outbox'))).filter((f) => /^\S+-resetPassword\.eml$/.test(f));
      check(files.length > 0, 'no .eml file in data/outbox');
      const eml = await readFile(join(w.dir, 'data', 'outbox', files.at(-1)), 'utf8');
      check(eml.includes('suspendedId='), 'the .eml holds no link');
      const id = new URL(link).searchParams.get('suspendedId');
      const resumed = await fetch(`${w.base}/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=ResetPassword&suspendedId=${id}`, {
        method: 'POST',
        headers: AM_HEADERS,
        body: '{}',
      }).then((r) => r.json());
      check(
        resumed.callbacks?.some((cb) => cb.type === 'ValidatedCreatePasswordCallback'),
        `the logged link did not resume: ${JSON.stringify(resumed)}`,
      );
      return `${files.at(-1)} written; its link logged and working`;
    },
  },
  {
    says: 'The server reads the journeys when it starts, so restart it today',
    before: 'npm start',
    async check(w) {
      const before = await journey(w.base, 'Hello', []);
      check(before.status === 400, `Hello answered ${before.status} before the restart`);
      return 'before the restart, the server does not know Hello';
    },
  },
  {
    says: "The journey's page is <http://localhost:8080/login/?authIndexType=service&authIndexValue=Hello>",
    after: 'npm start',
    async check(w) {
      const page = await fetch(`${w.base}/login/?authIndexType=service&authIndexValue=Hello`);
      check(page.status === 200, `the page answered ${page.status}`);
      const first = await journey(w.base, 'Hello', []);
      const types = first.body.callbacks?.map((cb) => cb.type).join(',');
      check(first.body.header === 'Hello' && types === 'NameCallback,PasswordCallback', `Hello's first step: ${JSON.stringify(first.body)}`);
      const done = await journey(w.base, 'Hello', [['bjensen', w.password]]);
      check(done.status === 200 && typeof done.body.tokenId === 'string', `signing in through Hello: ${JSON.stringify(done.body)}`);
      return 'after the restart, Hello asks for a username and password and signs bjensen in';
    },
  },
];

async function main() {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  for (const claim of CLAIMS) check(readme.includes(claim.says), `README no longer says: ${JSON.stringify(claim.says)}`);
  const dir = await freshCopy();
  const port = await freePort();
  const env = shellEnv(port);
  const w = {
    readme,
    dir,
    port,
    base: `http://127.0.0.1:${port}`,
    npmCi: '',
    server: undefined,
    first: undefined,
    address: undefined,
    password: undefined,
  };
  log(`readme-walk: a fresh copy in ${dir}, PORT=${port}`);
  const blocks = shBlocks(readme);
  for (const claim of CLAIMS) {
    const anchor = claim.after ?? claim.before;
    check(
      blocks.some((b) => b.script.trim() === anchor),
      `README has no \`\`\`sh block \`${anchor}\` (for “${claim.says}”)`,
    );
  }
  const claims = async (when, block) => {
    for (const claim of CLAIMS.filter((c) => c[when] === block.script.trim())) {
      log(`  ✓ README: “${claim.says.replace(/\n/g, ' ')}” — ${await claim.check(w)}`);
    }
  };
  try {
    for (const block of blocks) {
      await claims('before', block);
      for (const command of block.script.includes('<<') ? [block.script] : block.script.split('\n').filter((l) => l.trim() !== '')) {
        const start = /^(.*?&&\s*)?((?:[A-Z_]+=\S+\s+)*)npm start\s*$/.exec(command);
        if (/(^|&&\s*)npm test\s*$/.test(command)) {
          log(`README line ${block.line}: \`${command}\` — not run: npm test is the suite this walk is part of`);
          continue;
        }
        if (start) {
          const [, before = '', vars = ''] = start;
          if (before) {
            const r = await bash(before.replace(/&&\s*$/, ''), dir, env, 900_000);
            w.npmCi += r.out;
            check(r.code === 0, `README line ${block.line}: \`${before}\` failed (exit ${r.code}):\n${r.out}`);
            log(`README line ${block.line}: \`${before.replace(/&&\s*$/, '').trim()}\` — exit 0`);
          }
          await w.server?.stop();
          w.server = new Server(vars.trim(), dir, env);
          w.address = await w.server.listening();
          w.first ??= w.address;
          log(`README line ${block.line}: \`${vars}npm start\` — listening on ${w.address.host}:${w.address.port}`);
          continue;
        }
        const r = await bash(command, dir, env);
        check(r.code === 0, `README line ${block.line}: \`${command}\` failed (exit ${r.code}):\n${r.out}`);
        if (/users create/.test(command)) w.password = /echo '([^']+)'/.exec(command)?.[1];
        log(
          `README line ${block.line}: \`${command.split('\n')[0]}${command.includes('\n') ? ' …' : ''}\` — exit 0${/--help/.test(command) ? `, ${r.out.split('\n')[0]}` : ''}`,
        );
        if (/journeys diagram/.test(command)) check(/```mermaid\nflowchart/.test(r.out), `the diagram of Hello:\n${r.out}`);
      }
      await claims('after', block);
    }
    log('readme-walk: everything README says held');
  } finally {
    await w.server?.stop();
    if (!KEEP) await rm(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    log(`readme-walk: ${e instanceof WalkError ? '' : 'unexpected: '}${e.message}`);
    process.exit(1);
  },
);
