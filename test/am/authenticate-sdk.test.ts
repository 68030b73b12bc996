/**
 * The authenticate API driven by the official ForgeRock JavaScript SDK (FRAuth.start/next, its
 * callback classes and setters) against a real Cairn server on 127.0.0.1, each client with its own
 * cookie jar: every answer must be classified by the SDK as AM's would be.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asFailure, asStep, asSuccess, createSdkClient, sdk, type Sdk } from '../support/forgerock-sdk.js';
import { startTestServer, type TestServer } from '../support/server.js';

const { CallbackType } = sdk;
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

const client = (tree = 'SdkDemo') => createSdkClient({ baseUrl: server.amUrl, tree });

function fillSignIn(step: Sdk.FRStep, username: string, password: string, validateOnly = false): void {
  const user = step.getCallbackOfType<Sdk.ValidatedCreateUsernameCallback>(CallbackType.ValidatedCreateUsernameCallback);
  const pass = step.getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback);
  user.setName(username);
  pass.setPassword(password);
  user.setValidateOnly(validateOnly);
  pass.setValidateOnly(validateOnly);
}

describe('the authenticate API through the ForgeRock SDK', () => {
  it('serves a Page Node step, a validateOnly round trip, a choice and a session', async () => {
    const c = client();
    const page = asStep(await c.start());
    expect(page.getHeader()).toBe('Sign In');
    expect(page.getDescription()).toBe('Choose a username and a password');
    expect(page.getStage()).toContain('confirmPassword');
    expect(page.callbacks.map((cb) => cb.getType())).toEqual(['ValidatedCreateUsernameCallback', 'ValidatedCreatePasswordCallback']);
    const passwordCb = page.getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback);
    expect(passwordCb.getPrompt()).toBe('Password');
    expect(passwordCb.getPolicies()).toMatchObject({ name: 'password' });

    // validateOnly: the server checks the policies and answers the same page, advancing nothing.
    fillSignIn(page, 'bjensen', 'short', true);
    const checked = asStep(await c.next(page));
    expect(checked.getHeader()).toBe('Sign In');
    const failed = checked.getCallbackOfType<Sdk.ValidatedCreatePasswordCallback>(CallbackType.ValidatedCreatePasswordCallback).getFailedPolicies();
    expect(failed).toEqual(expect.arrayContaining([expect.objectContaining({ policyRequirement: 'MIN_LENGTH' })]));
    expect(checked.getCallbackOfType<Sdk.ValidatedCreateUsernameCallback>(CallbackType.ValidatedCreateUsernameCallback).getFailedPolicies()).toEqual(
      [],
    );

    // A good password, validateOnly off: on to the choice.
    fillSignIn(checked, 'bjensen', 'correct horse battery staple');
    const choice = asStep(await c.next(checked));
    const choiceCb = choice.getCallbackOfType<Sdk.ChoiceCallback>(CallbackType.ChoiceCallback);
    expect(choiceCb.getChoices()).toEqual(['continue', 'cancel']);
    choiceCb.setChoiceIndex(0);

    const success = asSuccess(await c.next(choice));
    const tokenId = success.getSessionToken();
    expect(tokenId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(success.getSuccessUrl()).toBe('https://app.example.com/home');
    expect(success.getRealm()).toBe('/');
    expect(c.jar.get('iPlanetDirectoryPro', server.url)).toBe(tokenId);

    // The session is real: AM's validate action knows it, from the cookie.
    const validate = await c.fetch(`${server.amUrl}/json/realms/root/sessions?_action=validate`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1' },
      body: '{}',
    });
    expect(await validate.json()).toEqual({ valid: true, sessionUid: 'bjensen', uid: 'bjensen', realm: '/' });

    // With the session cookie, a new journey answers success at once (AM), unless ForceAuth.
    const again = asSuccess(await c.start());
    expect(again.getSessionToken()).toBe(tokenId);
    const forced = asStep(await c.start({ query: { ForceAuth: 'true' } }));
    expect(forced.getHeader()).toBe('Sign In');
  });

  it('reports the failure of the cancel branch with its code', async () => {
    const c = client();
    const page = asStep(await c.start());
    fillSignIn(page, 'bjensen', 'correct horse battery staple');
    const choice = asStep(await c.next(page));
    choice.getCallbackOfType<Sdk.ChoiceCallback>(CallbackType.ChoiceCallback).setChoiceIndex(1);
    const failure = asFailure(await c.next(choice));
    expect(failure.getCode()).toBe(401);
    expect(failure.getMessage()).toBe('Login failure');
    expect(failure.getReason()).toBe('Unauthorized');
    expect(failure.getDetail()).toEqual({ failureUrl: '' });
    expect(c.jar.get('iPlanetDirectoryPro', server.url)).toBeUndefined();
  });

  it('creates no session with noSession=true', async () => {
    const c = client();
    const page = asStep(await c.start({ query: { noSession: 'true' } }));
    fillSignIn(page, 'bjensen', 'correct horse battery staple');
    const choice = asStep(await c.next(page, { query: { noSession: 'true' } }));
    choice.getCallbackOfType<Sdk.ChoiceCallback>(CallbackType.ChoiceCallback).setChoiceIndex(0);
    const success = asSuccess(await c.next(choice));
    expect(success.getSessionToken()).toBeUndefined();
    expect(success.getSuccessUrl()).toBe('https://app.example.com/home');
    expect(c.jar.get('iPlanetDirectoryPro', server.url)).toBeUndefined();
  });

  it("answers an unknown journey with AM's 400", async () => {
    const failure = asFailure(await client('NoSuchJourney').start());
    expect(failure.getCode()).toBe(400);
    expect(failure.getMessage()).toBe('No Configuration found');
  });

  it('keeps two clients apart: each browser has its own journey and cookie', async () => {
    const a = client();
    const b = client();
    const [pa, pb] = [asStep(await a.start()), asStep(await b.start())];
    fillSignIn(pa, 'alice', 'correct horse battery staple');
    fillSignIn(pb, 'bob', 'another fine passphrase');
    const [ca, cb] = [asStep(await a.next(pa)), asStep(await b.next(pb))];
    ca.getCallbackOfType<Sdk.ChoiceCallback>(CallbackType.ChoiceCallback).setChoiceIndex(0);
    cb.getCallbackOfType<Sdk.ChoiceCallback>(CallbackType.ChoiceCallback).setChoiceIndex(0);
    const sa = asSuccess(await a.next(ca));
    const sb = asSuccess(await b.next(cb));
    expect(sa.getSessionToken()).not.toBe(sb.getSessionToken());
    const info = async (c: ReturnType<typeof client>) =>
      (await (
        await c.fetch(`${server.amUrl}/json/realms/root/sessions?_action=getSessionInfo`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
        })
      ).json()) as { username: string };
    expect((await info(a)).username).toBe('alice');
    expect((await info(b)).username).toBe('bob');
  });
});
