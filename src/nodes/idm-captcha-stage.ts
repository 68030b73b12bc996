/**
 * IDM self-service `captcha` stage: asks for a reCAPTCHA-style response (ReCaptchaCallback with the site
 * key) and verifies it with the configured verifier, POSTing `secret`, `response` and the client address
 * form-encoded in the body (as Google documents; IDM puts the secret in the URL). Passes when the verifier
 * answers `success: true` and, when configured, the expected hostname, action and minimum score. A refusal
 * is IDM's 400 "Recaptcha verification is unsuccessful." — without the verifier's answer, which IDM echoes.
 */
import { reCaptchaCallback } from '../callbacks/builders.js';
import { readString } from '../callbacks/readers.js';
import { stageError, STAGE_TEXTS } from './helpers/self-service.js';
import { defineNode, type ConfigProblem } from './types.js';

export interface CaptchaStageConfig {
  recaptchaSiteKey: string;
  recaptchaSecretKey: string;
  recaptchaUri: string;
  expectedHostname?: string;
  expectedAction?: string;
  minimumScore?: number;
}

export const CAPTCHA_REFUSED = 'Recaptcha verification is unsuccessful.';
const VERIFY_TIMEOUT_MS = 10_000;
const MAX_RESPONSE = 8192;

/** The verifier's answer, read defensively (any JSON). */
interface Verdict {
  success?: unknown;
  hostname?: unknown;
  action?: unknown;
  score?: unknown;
}

async function verify(config: CaptchaStageConfig, response: string, clientIp: string | undefined): Promise<boolean> {
  const body = new URLSearchParams({ secret: config.recaptchaSecretKey, response });
  if (clientIp) body.set('remoteip', clientIp);
  let verdict: Verdict;
  try {
    const res = await fetch(config.recaptchaUri, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS),
    });
    if (!res.ok) return false;
    verdict = (await res.json()) as Verdict;
  } catch {
    return false; // unreachable, slow or not JSON: not verified
  }
  if (verdict === null || typeof verdict !== 'object' || verdict.success !== true) return false;
  if (config.expectedHostname !== undefined && verdict.hostname !== config.expectedHostname) return false;
  if (config.expectedAction !== undefined && verdict.action !== config.expectedAction) return false;
  if (config.minimumScore !== undefined && !(typeof verdict.score === 'number' && verdict.score >= config.minimumScore)) return false;
  return true;
}

export const idmCaptchaStage = defineNode<CaptchaStageConfig>({
  type: 'IdmCaptchaNode',
  displayName: 'IDM Captcha Stage',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['recaptchaSiteKey', 'recaptchaSecretKey'],
    properties: {
      recaptchaSiteKey: { title: 'Site key', description: 'The public site key the page shows the challenge with.', type: 'string', minLength: 1 },
      recaptchaSecretKey: {
        title: 'Secret key',
        description: 'The secret sent to the verifier in the request body; never shown to clients.',
        type: 'string',
        minLength: 1,
      },
      recaptchaUri: {
        title: 'Verification URL',
        description: 'Where responses are verified (Google reCAPTCHA, hCaptcha or any verifier with the same API).',
        type: 'string',
        default: 'https://www.google.com/recaptcha/api/siteverify',
      },
      expectedHostname: { title: 'Expected hostname (Cairn)', description: "Refuse a solution made for another site's hostname.", type: 'string' },
      expectedAction: { title: 'Expected action (Cairn)', description: 'reCAPTCHA v3: the action the page requested.', type: 'string' },
      minimumScore: {
        title: 'Minimum score (Cairn)',
        description: 'reCAPTCHA v3: the lowest score accepted (0 to 1).',
        type: 'number',
        minimum: 0,
        maximum: 1,
      },
    },
  },
  outcomes: [{ id: 'outcome', displayName: 'Outcome' }],
  checkConfig(config): ConfigProblem[] {
    try {
      const u = new URL(config.recaptchaUri);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme');
      return [];
    } catch {
      return [{ pointer: '/recaptchaUri', message: 'must be an absolute http(s) URL' }];
    }
  },

  async process(ctx) {
    const returned = ctx.callbacks?.find((cb) => cb.type === 'ReCaptchaCallback');
    if (!returned) {
      return {
        kind: 'callbacks',
        callbacks: [reCaptchaCallback({ siteKey: ctx.config.recaptchaSiteKey })],
        description: ctx.localize(STAGE_TEXTS.text('description.captcha')),
        stage: 'initial',
      };
    }
    const response = readString(returned);
    if (response === '' || response.length > MAX_RESPONSE) throw stageError(CAPTCHA_REFUSED);
    if (!(await verify(ctx.config, response, ctx.request.clientIp))) throw stageError(CAPTCHA_REFUSED);
    return { kind: 'outcome', outcome: 'outcome' };
  },
});
