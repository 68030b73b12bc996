// mountUi over real HTTP on 127.0.0.1: the pages, their security headers, the theme file and redirects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { buildUi } from '../../ui/build.mjs';
import { mountUi, UI_SECURITY_HEADERS } from '../../src/server/ui-routes.js';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

describe('mountUi', () => {
  let dir: string;
  let dist: string;
  let themeFile: string;
  let server: Server;
  let origin: string;
  const get = (path: string): Promise<Response> => fetch(`${origin}${path}`, { redirect: 'manual' });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-ui-routes-'));
    dist = await buildUi({ outDir: join(dir, 'dist') });
    themeFile = join(dir, 'theme.json');
    await writeFile(themeFile, JSON.stringify({ productName: 'Acme' }));
    const app = express();
    mountUi(app, { uiDistDir: dist, themeFile, amBasePath: '/am' });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html with the API base, the exact CSP and no caching', async () => {
    const res = await get('/login/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CSP);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('<meta name="cairn-am-base" content="/am">');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/\sstyle=/); // no inline style
    expect((await get('/login/index.html')).headers.get('cache-control')).toBe('no-store');
  });

  it('serves the bundle and stylesheet with the same headers', async () => {
    for (const [path, type] of [
      ['/login/app.js', 'javascript'],
      ['/login/styles.css', 'text/css'],
      ['/login/logo.svg', 'image/svg+xml'],
    ] as const) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain(type);
      expect(res.headers.get('content-security-policy')).toBe(UI_SECURITY_HEADERS['Content-Security-Policy']);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves the operator theme file, re-read on each request (no rebuild, no restart)', async () => {
    expect(await (await get('/login/theme.json')).json()).toEqual({ productName: 'Acme' });
    await writeFile(themeFile, JSON.stringify({ productName: 'Acme 2' }));
    const res = await get('/login/theme.json');
    expect(await res.json()).toEqual({ productName: 'Acme 2' });
    expect(res.headers.get('content-security-policy')).toBe(CSP);
  });

  it('redirects / and /login to /login/, keeping the query', async () => {
    const root = await get('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/login/');
    const bare = await get('/login?authIndexType=service&authIndexValue=ResetPassword');
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/login/?authIndexType=service&authIndexValue=ResetPassword');
  });

  it('serves nothing outside the build', async () => {
    expect((await get('/login/../package.json')).status).toBe(404);
    expect((await get('/login/%2e%2e/%2e%2e/package.json')).status).toBe(404);
    expect((await get('/login/nope.js')).status).toBe(404);
  });

  it('refuses bad options at start-up with a clear message', async () => {
    const app = express();
    expect(() => mountUi(app, { uiDistDir: dist, amBasePath: 'am' })).toThrow(/amBasePath must be an absolute path/);
    expect(() => mountUi(app, { uiDistDir: dist, amBasePath: '/am" onload="x' })).toThrow(/amBasePath/);
    expect(() => mountUi(app, { uiDistDir: join(dir, 'missing'), amBasePath: '/am' })).toThrow(/build the pages first/);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ not json');
    expect(() => mountUi(app, { uiDistDir: dist, themeFile: broken, amBasePath: '/am' })).toThrow(/not valid JSON/);
  });
});
