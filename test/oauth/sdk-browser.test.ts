/**
 * The official ForgeRock JavaScript SDK (4.9.1) and Login Widget (1.3.0) in headless Chromium, in an
 * app on another site (`localhost`) than Cairn (`127.0.0.1`), exactly as their sample apps use them:
 * - embedded login: FRAuth through the Login journey → TokenManager.getTokens({forceRenew: true})
 *   (the hidden prompt=none iframe, satisfied by the journey's session cookie: SameSite=None) →
 *   UserManager.getCurrentUser() → FRUser.logout(), after which the old access token is refused;
 * - `login: 'redirect'`: no session, so the SDK falls back to a top-level authorize, Cairn's hosted
 *   sign-in page runs the journey and returns to the app with a code;
 * - the Login Widget with its defaults (oauth and user info on) signs in and reports the user.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppOrigin, type AppOrigin } from '../support/app-origin.js';
import { startOAuthServer, type OAuthTestServer } from '../support/oauth.js';
import { fillAndSubmit, hasChromium, launchBrowser, waitForHeading } from '../ui/browser-helpers.js';

const PASSWORD = 'correct horse battery staple';
const run = hasChromium() || process.env.CI === 'true';

describe.runIf(run)('the ForgeRock SDK and Login Widget in Chromium, cross-site', { timeout: 60_000 }, () => {
  let browser: Browser;
  let app: AppOrigin;
  let server: OAuthTestServer;
  let userId: string;

  const sdkConfig = (extra = ''): string => `{
    clientId: 'sdk-app',
    redirectUri: '${app.origin}/callback.html',
    scope: 'openid profile email',
    serverConfig: { baseUrl: '${server.amUrl}/', timeout: 5000 },
    realmPath: 'root',
    tree: 'Login',
    ${extra}
  }`;

  const newPage = async (path: string): Promise<Page> => {
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${app.origin}${path}`);
    return page;
  };

  beforeAll(async () => {
    app = await startAppOrigin('localhost');
    const appClient = (id: string, uri: string) => ({
      client_id: id,
      token_endpoint_auth_method: 'none',
      redirect_uris: [uri],
      post_logout_redirect_uris: [`${app.origin}/bye.html`],
      scope: 'openid profile email',
    });
    server = await startOAuthServer(
      [
        { ...appClient('sdk-app', `${app.origin}/callback.html`), redirect_uris: [`${app.origin}/callback.html`, `${app.origin}/redirect.html`] },
        appClient('WebLoginWidgetClient', `${app.origin}/widget.html`),
      ],
      { CAIRN_CORS_ORIGINS: app.origin, CAIRN_COOKIE_SAMESITE: 'None' },
    );
    userId = await server.createUser('bjensen', PASSWORD);
    app.page('/callback.html', '<!doctype html><title>callback</title>');
    app.page('/bye.html', '<!doctype html><title>bye</title>');
    app.page('/app.html', `<!doctype html><title>app</title><script src="/sdk.js"></script><script>forgerock.Config.set(${sdkConfig()});</script>`);
    // Back from the authorize redirect with ?code&state, the page finishes the SDK's flow.
    app.page(
      '/redirect.html',
      `<!doctype html><title>redirect app</title><script src="/sdk.js"></script><script>
      forgerock.Config.set(${sdkConfig().replace('/callback.html', '/redirect.html')});
      const q = new URLSearchParams(location.search);
      window.done = q.get('code')
        ? forgerock.TokenManager.getTokens({ query: { code: q.get('code'), state: q.get('state') } })
            .then(async (tokens) => ({ tokens, user: await forgerock.UserManager.getCurrentUser() }))
            .catch((e) => ({ error: String(e) }))
        : null;
      </script>`,
    );
    // The Login Widget with its defaults (client WebLoginWidgetClient, redirect URI = this page, scope
    // "openid email", oauth and user info on); only the server and the realm (root: Cairn's only one) are set.
    app.page(
      '/widget.html',
      `<!doctype html><title>widget app</title><link rel="stylesheet" href="/widget.css"><div id="widget-root"></div>
      <script src="/widget.js"></script><script>
      const { default: Widget, configuration, journey } = LoginWidget;
      configuration().set({ forgerock: { serverConfig: { baseUrl: '${server.amUrl}/', timeout: 5000 }, realmPath: 'root' } });
      new Widget({ target: document.getElementById('widget-root'), props: { type: 'inline' } });
      const events = journey();
      window.events = [];
      events.subscribe((e) => { window.events.push(JSON.parse(JSON.stringify(e))); if (e.user.completed) window.done = e; });
      events.start();
      </script>`,
    );
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await app?.close();
  });

  it('embedded login, tokens from the hidden iframe, user info, logout that revokes', async () => {
    const page = await newPage('/app.html');
    const result = await page.evaluate(
      async ({ password, userinfo }) => {
        const fr = (globalThis as unknown as { forgerock: any }).forgerock;
        let step = await fr.FRAuth.next();
        for (const cb of step.callbacks) cb.setInputValue(/Password/.test(cb.getType()) ? password : 'bjensen');
        step = await fr.FRAuth.next(step);
        const tokens = await fr.TokenManager.getTokens({ forceRenew: true });
        const user = await fr.UserManager.getCurrentUser();
        const before = await fetch(userinfo, { headers: { Authorization: `Bearer ${tokens.accessToken}` }, credentials: 'include' });
        await fr.FRUser.logout();
        const after = await fetch(userinfo, { headers: { Authorization: `Bearer ${tokens.accessToken}` }, credentials: 'include' });
        return { type: step.type, tokens, user, before: before.status, after: after.status, stored: await fr.TokenStorage.get() };
      },
      { password: PASSWORD, userinfo: `${server.issuer}/userinfo` },
    );
    expect(result.type).toBe('LoginSuccess');
    expect(result.tokens.accessToken).toEqual(expect.any(String));
    const idClaims = JSON.parse(Buffer.from(String(result.tokens.idToken).split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(idClaims).toMatchObject({ sub: userId, aud: 'sdk-app', iss: server.issuer, acr: 'Login' });
    expect(result.user).toMatchObject({ sub: userId, preferred_username: 'bjensen', email: 'bjensen@example.com' });
    expect(result.before).toBe(200);
    expect(result.after).toBe(401);
    expect(result.stored).toBeFalsy();
    const cookies = await page.context().cookies(server.url);
    expect(cookies.find((c) => c.name === 'iPlanetDirectoryPro' && c.value !== '')).toBeUndefined();
    await page.context().close();
  });

  it("login: 'redirect' through Cairn's hosted sign-in page and back with a code", async () => {
    const page = await newPage('/redirect.html');
    // No session: the hidden iframe gets login_required, the SDK falls back to a top-level authorize.
    await Promise.all([
      page.waitForURL(`${server.url}/login/**`),
      page.evaluate(() => {
        void (globalThis as unknown as { forgerock: any }).forgerock.TokenManager.getTokens({ login: 'redirect', forceRenew: true });
      }),
    ]);
    await waitForHeading(page, 'Sign in');
    await fillAndSubmit(page, { Username: 'bjensen', Password: PASSWORD });
    await page.waitForURL(`${app.origin}/redirect.html?**`);
    expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
    const done = (await page.evaluate(() => (globalThis as unknown as { done: Promise<unknown> }).done)) as {
      tokens?: { accessToken: string; idToken: string };
      user?: Record<string, unknown>;
      error?: string;
    };
    expect(done.error).toBeUndefined();
    expect(done.user).toMatchObject({ sub: userId, preferred_username: 'bjensen' });
    const idClaims = JSON.parse(Buffer.from(String(done.tokens?.idToken).split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(idClaims).toMatchObject({ sub: userId, aud: 'sdk-app' });

    // Logout from the app (its fetches carry no Cairn cookie here: the session lives in Cairn's own
    // site's partition) still ends the session, through the access token's session.
    const after = await page.evaluate(
      async ({ userinfo, token }) => {
        await (globalThis as unknown as { forgerock: any }).forgerock.FRUser.logout();
        return (await fetch(userinfo, { headers: { Authorization: `Bearer ${token}` } })).status;
      },
      { userinfo: `${server.issuer}/userinfo`, token: done.tokens?.accessToken ?? '' },
    );
    expect(after).toBe(401);
    await page.goto(`${server.url}/login/`);

    await waitForHeading(page, 'Sign in'); // the hosted page's session is gone too
    await page.context().close();
  });

  it('the Login Widget with its defaults signs in and reports the user info', async () => {
    const page = await newPage('/widget.html');
    await page.locator('input[type=password]').waitFor();
    await page.locator('input:not([type=password]):not([type=hidden]):not([type=checkbox])').first().fill('bjensen');
    await page.locator('input[type=password]').fill(PASSWORD);
    await page.locator('button[type=submit]').click();
    await page.waitForFunction(() => (globalThis as unknown as { done?: unknown }).done !== undefined, undefined, { timeout: 15_000 });
    const done = (await page.evaluate(() => (globalThis as unknown as { done: unknown }).done)) as {
      journey: { successful: boolean };
      oauth: { successful: boolean; error: unknown; response: { accessToken?: string } | null };
      user: { successful: boolean; error: unknown; response: Record<string, unknown> | null };
    };
    expect(done.journey.successful).toBe(true);
    expect(done.oauth.error).toBeNull();
    expect(done.oauth.successful).toBe(true);
    expect(done.user.successful).toBe(true);
    expect(done.user.response).toMatchObject({ sub: userId, email: 'bjensen@example.com' });
    await page.context().close();
  });
});
