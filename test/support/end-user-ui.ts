/**
 * PingIDM's own End User UI (ForgeRock/end-user-ui, the Vue UI of IDM 6.5–7), built at test time and
 * served same-origin with Cairn's /openidm, as IDM serves it. Its code is never part of Cairn: the
 * source comes from a local checkout (CAIRN_END_USER_UI_SRC, a folder, or CAIRN_END_USER_UI_GIT, a git
 * directory; by default the mirror the search tool's `fetch` brings to /work/.mirror), and the build is
 * cached outside the repository under `<cache>/end-user-ui/<commit>/` (CAIRN_TEST_CACHE, default
 * ~/.cache/cairn-test). It builds on Node 20 with `npm install --legacy-peer-deps --ignore-scripts` and
 * `NODE_OPTIONS=--openssl-legacy-provider npx vue-cli-service build` (several minutes the first time).
 * When it cannot be had, `prepareEndUserUi` says why, and the test skips visibly.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DEFAULT_GIT = '/work/.mirror/ForgeRock+end-user-ui/repo';
// The marker names the build recipe: a cache built by an older recipe is rebuilt.
const MARKER = '.cairn-built-production';
const BUILD_TIMEOUT_MS = 30 * 60_000;

export type EndUserUi = { dist: string; commit: string } | { skip: string };

async function source(): Promise<{ kind: 'dir' | 'git'; path: string; commit: string } | { skip: string }> {
  const dir = process.env.CAIRN_END_USER_UI_SRC;
  if (dir) {
    if (!existsSync(join(dir, 'package.json'))) return { skip: `CAIRN_END_USER_UI_SRC=${dir} has no package.json` };
    const commit = await run('git', ['-C', dir, 'rev-parse', 'HEAD']).then(
      (r) => r.stdout.trim(),
      () => 'local',
    );
    return { kind: 'dir', path: dir, commit };
  }
  const git = process.env.CAIRN_END_USER_UI_GIT ?? DEFAULT_GIT;
  if (!existsSync(git)) return { skip: `no End User UI source: set CAIRN_END_USER_UI_SRC or CAIRN_END_USER_UI_GIT (looked at ${git})` };
  try {
    const { stdout } = await run('git', ['--git-dir', git, 'rev-parse', 'HEAD']);
    return { kind: 'git', path: git, commit: stdout.trim() };
  } catch (e) {
    return { skip: `cannot read the End User UI repository at ${git}: ${(e as Error).message}` };
  }
}

/** The built UI (from the cache, or built now), or why it cannot be had. */
export async function prepareEndUserUi(): Promise<EndUserUi> {
  if (!process.version.startsWith('v20.')) return { skip: `the End User UI builds on Node 20 (this is ${process.version})` };
  const src = await source();
  if ('skip' in src) return src;
  const cache = join(process.env.CAIRN_TEST_CACHE ?? join(homedir(), '.cache', 'cairn-test'), 'end-user-ui', src.commit);
  const dist = join(cache, 'dist');
  if (existsSync(join(cache, MARKER)) && existsSync(join(dist, 'index.html'))) return { dist, commit: src.commit };
  try {
    await rm(cache, { recursive: true, force: true });
    await mkdir(cache, { recursive: true });
    if (src.kind === 'git') {
      await run('sh', ['-c', `git --git-dir "${src.path}" archive HEAD | tar -x -C "${cache}"`], { timeout: 120_000 });
    } else {
      await cp(src.path, cache, { recursive: true, filter: (p) => !p.includes('node_modules') && !p.includes(`${src.path}/.git`) });
    }
    // NODE_ENV is vitest's 'test' here, which makes vue-cli build for its unit tests (a Node bundle
    // that `require`s http and fs, dead in a browser): the UI is built as IDM ships it, for production.
    const env = { ...process.env, NODE_ENV: 'production', NODE_OPTIONS: '--openssl-legacy-provider' };
    await run('npm', ['install', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund', '--include=dev'], {
      cwd: cache,
      env,
      timeout: BUILD_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
    await run('npx', ['vue-cli-service', 'build'], { cwd: cache, env, timeout: BUILD_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
    const index = await readFile(join(dist, 'index.html'), 'utf8');
    if (!index.includes("var context='/openidm'")) return { skip: 'the End User UI built, but its index.html does not set context /openidm' };
    for (const file of (await readdir(join(dist, 'js'))).filter((f) => f.endsWith('.js')))
      if (/require\("(http|fs)"\)/.test(await readFile(join(dist, 'js', file), 'utf8')))
        return { skip: `the End User UI built as a Node bundle (js/${file} requires http or fs), not for a browser` };
    await writeFile(join(cache, MARKER), new Date().toISOString());
    return { dist, commit: src.commit };
  } catch (e) {
    const err = e as { message?: string; stderr?: string };
    return { skip: `the End User UI could not be built: ${(err.stderr ?? err.message ?? String(e)).split('\n').slice(-6).join(' ')}` };
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.eot': 'application/vnd.ms-fontobject',
};

export interface SameOrigin {
  origin: string;
  /** Where /openidm goes (Cairn's URL), set once Cairn listens. */
  setTarget(url: string): void;
  close(): Promise<void>;
}

/** The UI's files at `/`, and `/openidm/…` passed to Cairn, on one origin (as IDM serves its UI). */
export async function serveSameOrigin(dist: string): Promise<SameOrigin> {
  let target: URL | undefined;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/openidm/') || url.pathname === '/openidm') {
      if (!target) return void res.writeHead(503).end();
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
      return;
    }
    const path = normalize(url.pathname === '/' ? '/index.html' : decodeURIComponent(url.pathname));
    const file = join(dist, path);
    if (!file.startsWith(dist)) return void res.writeHead(404).end();
    readFile(file).then(
      (data) => res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(data),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    setTarget: (u) => void (target = new URL(u)),
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
