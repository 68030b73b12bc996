/**
 * Serves the hosted pages (ui/dist, built by `node ui/build.mjs`) under /login/ with strict security
 * headers: a CSP without inline script or style, no framing, no referrer, nosniff, and no caching of
 * the HTML. index.html gets the AM base path written into its <meta name="cairn-am-base">; theme.json
 * comes from the operator's theme file, re-read on each request so a change needs no rebuild.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';

export interface MountUiOptions {
  /** The built pages (ui/dist). */
  uiDistDir: string;
  /** The operator's theme file; default: the theme.json shipped in uiDistDir. */
  themeFile?: string;
  /** Where the AM-compatible API is mounted, e.g. "/am" (the pages call `<amBasePath>/json/realms/root/authenticate`). */
  amBasePath: string;
}

export const UI_PATH = '/login/';

export const UI_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function checkOptions(options: MountUiOptions): { indexHtml: string; themeFile: string } {
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(options.amBasePath) || options.amBasePath.includes('//')) {
    throw new Error(`mountUi: amBasePath must be an absolute path such as "/am" (got ${JSON.stringify(options.amBasePath)})`);
  }
  const dist = resolve(options.uiDistDir);
  let template: string;
  try {
    template = readFileSync(join(dist, 'index.html'), 'utf8');
  } catch {
    throw new Error(`mountUi: ${join(dist, 'index.html')} not found; build the pages first (node ui/build.mjs)`);
  }
  if (!template.includes('%CAIRN_AM_BASE%')) throw new Error('mountUi: index.html has no %CAIRN_AM_BASE% placeholder');
  const themeFile = resolve(options.themeFile ?? join(dist, 'theme.json'));
  parseTheme(readFileSync(themeFile, 'utf8'), themeFile); // fail at start-up, not on the first visitor
  const base = options.amBasePath.replace(/\/+$/, '') || '/';
  return { indexHtml: template.replace('%CAIRN_AM_BASE%', escapeAttribute(base)), themeFile };
}

function parseTheme(text: string, file: string): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`mountUi: theme file ${file} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`mountUi: theme file ${file} must hold a JSON object`);
  return parsed;
}

/** Mounts the hosted pages on `app`: /login/ (and its assets), /login/theme.json, and redirects / and /login to /login/. */
export function mountUi(app: Express, options: MountUiOptions): void {
  const { indexHtml, themeFile } = checkOptions(options);
  const dist = resolve(options.uiDistDir);

  const secure = (_req: Request, res: Response, next: NextFunction): void => {
    res.set(UI_SECURITY_HEADERS);
    next();
  };
  const sendIndex = (_req: Request, res: Response): void => {
    res.set('Cache-Control', 'no-store').type('html').send(indexHtml);
  };

  app.get('/', (_req, res) => res.redirect(302, UI_PATH));
  // express matches "/login" and "/login/" alike: the pages' relative URLs need the slash, so redirect.
  app.get(['/login', '/login/', '/login/index.html'], secure, (req, res) => {
    const [path = '', query] = req.originalUrl.split(/\?(.*)/s, 2);
    if (path === '/login') res.redirect(301, UI_PATH + (query === undefined ? '' : `?${query}`));
    else sendIndex(req, res);
  });
  app.get('/login/theme.json', secure, async (_req, res, next) => {
    try {
      const theme = parseTheme(await readFile(themeFile, 'utf8'), themeFile);
      res.set('Cache-Control', 'no-cache').json(theme);
    } catch (error) {
      next(error);
    }
  });
  app.use(
    '/login',
    secure,
    express.static(dist, {
      index: false,
      dotfiles: 'ignore',
      fallthrough: true,
      redirect: false,
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    }),
  );
}
