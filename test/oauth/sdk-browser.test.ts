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
import { hasChromium, launchBrowser } from '../ui/browser-helpers.js';

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
      [appClient('sdk-app', `${app.origin}/callback.html`), appClient('WebLoginWidgetClient', `${app.origin}/widget.html`)],
      { CAIRN_CORS_ORIGINS: app.origin, CAIRN_COOKIE_SAMESITE: 'None' },
    );
    userId = await server.createUser('bjensen', PASSWORD);
    app.page('/callback.html', '<!doctype html><title>callback</title>');
    app.page('/bye.html', '<!doctype html><title>bye</title>');
    app.page('/app.html', `<!doctype html><title>app</title><script src="/sdk.js"></script><script>forgerock.Config.set(${sdkConfig()});</script>`);
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
        const fr = (window as unknown as { forgerock: any }).forgerock; // eslint-disable-line @typescript-eslint/no-explicit-any -- the SDK's browser global
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
});
