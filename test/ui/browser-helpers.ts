// Reusable helpers for browser tests of the hosted pages: Debian's Chromium through playwright-core
// (no browser download), a server that mounts the built pages next to any API, form filling by
// visible label, screenshots into test-results/ui/, an axe-core accessibility check, and a record of
// console errors and CSP violations per page.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import express, { type Express } from 'express';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { buildUi } from '../../ui/build.mjs';
import { mountUi } from '../../src/server/ui-routes.js';

export const CHROMIUM_PATH = process.env.CAIRN_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(process.cwd(), 'test-results', 'ui');
/** The sizes pages are checked and saved at: a desktop and a phone. */
export const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
] as const;

export const hasChromium = (): boolean => existsSync(CHROMIUM_PATH);

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface UiServer {
  origin: string;
  app: Express;
  close(): Promise<void>;
}

/**
 * Builds the pages into a temp dir and serves them with mountUi on 127.0.0.1; `mountApi` adds the API
 * (a fake, or the real server's routes) on the same origin, as the CSP's connect-src 'self' requires.
 */
export async function startUiServer(options: { mountApi(app: Express): void; themeFile?: string; amBasePath?: string }): Promise<UiServer> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-ui-'));
  const dist = await buildUi({ outDir: join(dir, 'dist') });
  const app = express();
  app.disable('x-powered-by');
  mountUi(app, { uiDistDir: dist, amBasePath: options.amBasePath ?? '/am', ...(options.themeFile ? { themeFile: options.themeFile } : {}) });
  options.mountApi(app);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    app,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TestPage {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and CSP violations seen so far. */
  problems: string[];
}

/** A fresh context (own cookies) and page; `locale` sets navigator.languages and Accept-Language. */
export async function openPage(browser: Browser, url: string, options: { locale?: string } = {}): Promise<TestPage> {
  const context = await browser.newContext({ locale: options.locale ?? 'en-GB', viewport: { width: 800, height: 900 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // Chromium logs every 4xx answer; the API answers 400/401 by design (failures are part of journeys).
    if (/Failed to load resource: the server responded with a status of 40[01]/.test(message.text())) return;
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  await page.goto(url);
  return { context, page, problems };
}

/** Waits until the page's main heading (h1) reads `text`. */
export async function waitForHeading(page: Page, text: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name: text }).waitFor({ state: 'visible', timeout: 10_000 });
}

/** Fills fields found by their label (exact), then presses the button named `submit`. */
export async function fillAndSubmit(page: Page, fields: Record<string, string>, submit: string | RegExp = 'Continue'): Promise<void> {
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole('button', { name: submit, exact: typeof submit === 'string' }).click();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^A-Za-z0-9_-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

/**
 * Runs axe-core (WCAG 2.x A/AA rules) in the page and returns the serious and critical violations.
 * The source is evaluated through the DevTools protocol, which the page's CSP does not govern, so the
 * pages are checked under their real CSP.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(axeSource);
  const result = await page.evaluate<
    AxeViolation[]
  >(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } })
    .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) })))`);
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The focused element, described as "tag#id[name]" or "tag:text" for assertions on keyboard flows. */
export function focused(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const el = document.activeElement;
    if (!el) return 'none';
    const tag = el.tagName.toLowerCase();
    if (el.id) return tag + '#' + el.id;
    if (el.getAttribute('name')) return tag + '[' + el.getAttribute('name') + ']';
    return tag + ':' + (el.textContent || '').trim().slice(0, 40);
  })()`);
}
