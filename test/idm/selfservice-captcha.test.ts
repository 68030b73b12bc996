/**
 * IDM's `captcha` stage against a real verifier on loopback (reCAPTCHA's siteverify API): the site key is
 * shown, the secret never; the secret, the response and the client address go in the POST body, not the
 * URL; a refused or unverifiable response is IDM's 400 without the verifier's answer (which IDM echoes);
 * the expected hostname is checked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHIPPED_JOURNEYS, SHIPPED_SELFSERVICE, selfServiceClient, selfServiceDir } from '../support/selfservice.js';
import { startTestServer, type TestServer } from '../support/server.js';

const SECRET = 'verifier-secret-6LeIxAcTAAAAAGG';
const CANARY = 'verifier-reply-canary';

let verifier: Server;
let requests: { url: string; type: string | undefined; body: URLSearchParams }[];
let server: TestServer;
let dir: string;

beforeAll(async () => {
  requests = [];
  verifier = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = new URLSearchParams(text);
      requests.push({ url: req.url ?? '', type: req.headers['content-type'], body });
      const response = body.get('response');
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          success: response === 'good' || response === 'elsewhere',
          hostname: response === 'elsewhere' ? 'evil.example' : 'id.example.test',
          'error-codes': [CANARY],
        }),
      );
    });
  });
  await new Promise<void>((r) => verifier.listen(0, '127.0.0.1', () => r()));
  const port = (verifier.address() as AddressInfo).port;
  const reset = JSON.parse(await readFile(join(SHIPPED_SELFSERVICE, 'selfservice-reset.json'), 'utf8')) as { stageConfigs: unknown[] };
  reset.stageConfigs.unshift({
    name: 'captcha',
    recaptchaSiteKey: 'site-key-6LeIxAcTAAAAAJcZ',
    recaptchaSecretKey: SECRET,
    recaptchaUri: `http://127.0.0.1:${port}/recaptcha/api/siteverify`,
    expectedHostname: 'id.example.test',
  });
  dir = await selfServiceDir({ 'selfservice-reset.json': reset });
  server = await startTestServer({ CAIRN_JOURNEYS_DIR: SHIPPED_JOURNEYS, CAIRN_SELFSERVICE_DIR: dir });
});
afterAll(async () => {
  await server?.stop();
  await new Promise((r) => verifier.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('the captcha stage', () => {
  const reset = () => selfServiceClient(server.url, 'reset');

  it('shows the site key, never the secret', async () => {
    const first = await reset().get();
    expect(first.body).toMatchObject({
      type: 'captcha',
      tag: 'initial',
      requirements: {
        description: 'Captcha stage',
        required: ['response'],
        properties: { response: { recaptchaSiteKey: 'site-key-6LeIxAcTAAAAAJcZ', description: 'Captcha response', type: 'string' } },
      },
    });
    expect(JSON.stringify(first.body)).not.toContain(SECRET);
  });

  it('posts the secret in the body, passes a verified response, and refuses others without echoing the verifier', async () => {
    const passed = await reset().post({ input: { response: 'good' } });
    expect(passed.body).toMatchObject({ type: 'parameters', tag: 'initial' });
    const call = requests[requests.length - 1];
    expect(call?.url).toBe('/recaptcha/api/siteverify');
    expect(call?.type).toBe('application/x-www-form-urlencoded');
    expect(call?.body.get('secret')).toBe(SECRET);
    expect(call?.body.get('response')).toBe('good');
    expect(call?.body.get('remoteip')).toMatch(/127\.0\.0\.1/);

    // The End User UI's second name for the response.
    expect((await reset().post({ input: { 'g-recaptcha-response': 'good' } })).body.type).toBe('parameters');

    for (const response of ['bad', 'elsewhere', '']) {
      const refused = await reset().post({ input: { response } });
      expect(refused).toEqual({ status: 400, body: { code: 400, reason: 'Bad Request', message: 'Recaptcha verification is unsuccessful.' } });
      expect(JSON.stringify(refused.body)).not.toContain(CANARY);
    }
  });

  it('refuses when the verifier cannot be reached', async () => {
    await new Promise((r) => verifier.close(r));
    const refused = await reset().post({ input: { response: 'good' } });
    expect(refused.body).toEqual({ code: 400, reason: 'Bad Request', message: 'Recaptcha verification is unsuccessful.' });
    await new Promise<void>((r) => verifier.listen((verifier.address() as AddressInfo | null)?.port ?? 0, '127.0.0.1', () => r()));
  });
});
