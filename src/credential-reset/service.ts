/**
 * midPoint's designed credential-reset interface (reference §1, §6), over Cairn's journeys:
 * - `request(user, credentialId, resetMethodId)` opens the progress record on the user
 *   (`credentialReset`, a conditional write) and starts the method's journey for that user, whose
 *   first node (Credential Reset Context) takes the context; the answer is the reset context — its
 *   id, method, expiry — and the journey's first step in AM's shape. The authentication steps are
 *   ordinary steps of that journey at AM's authenticate endpoint; the reset completes when the
 *   journey saves the new password (the save path then removes the record and audits requester and
 *   target).
 * - `execute(user, credentialId, resetMethodId, newCredentialValue?)` changes the credential at once,
 *   for privileged callers (midPoint's REST execute): the method's source (`userEntry`, `generated`,
 *   `none`) and delivery (`screen`: the value goes back to the caller once; `email`: to the user's
 *   address through the mail queue), through identityService.resetPassword. Answers carry midPoint's
 *   message keys.
 * Both refuse, with `execute.reset.credential.not.allowed` (403), a target the policy protects from
 * the requester (protection.ts: administrators and the policy's filter, for anyone without `admin`).
 * Both are used by the admin API (src/idm/router.ts actions) and the midPoint façade (src/midpoint/).
 */
import type { IdentityService } from '../identity/identity-service.js';
import type { CredentialResetRecord, PolicyPort } from '../identity/ports.js';
import type { MailPort } from '../mail/types.js';
import { MESSAGES, type MessageKey } from '../midpoint/messages.js';
import type { CredentialResetPolicy, ResetMethodPolicy } from '../midpoint/policy.js';
import { generatePassword, rulesOf } from '../nodes/generate-password.js';
import { hashResetId, newResetId } from './ids.js';
import type { Requester, ResetGuard } from './protection.js';

export const USER_RESOURCE = 'managed/user';
/** The only credential Cairn resets: midPoint's `credentials/password`. */
export const PASSWORD_CREDENTIAL = 'password';
const GENERATE_BITS = 128;

export type { Requester } from './protection.js';

export interface ResetOutcome {
  /** The HTTP status a REST answer uses. */
  status: number;
  message: { key: MessageKey; fallbackMessage: string };
  /** A generated value delivered to the caller's screen, once. */
  generatedValue?: string;
}

/** The first step of a reset-method journey, in AM's shape, or how it ended at once. */
export type FirstStep = { type: 'callbacks'; body: object } | { type: 'ended'; success: boolean };

export interface ResetContext {
  _id: string;
  method: string;
  credentialId: string;
  userId: string;
  expiresAt: string;
  /** The journey's first step: continue it at the authenticate endpoint with its authId. */
  step?: object;
  journey: string;
}

export type RequestAnswer = { ok: true; context: ResetContext } | { ok: false; status: number; key: MessageKey | 'busy' | 'not.found' };

export interface CredentialResetServiceDeps {
  identity: IdentityService;
  policy: PolicyPort;
  resetPolicy: CredentialResetPolicy;
  /** Protected targets and the one save path of a requested reset (protection.ts). */
  guard: ResetGuard;
  mail?: MailPort;
  now: () => number;
  /** Starts `journey` for the context `resetId` (its first step carries `?resetId=`). */
  startJourney?: (journey: string, resetId: string) => Promise<FirstStep>;
}

const outcome = (status: number, key: MessageKey, generatedValue?: string): ResetOutcome => ({
  status,
  message: { key, fallbackMessage: MESSAGES[key] },
  ...(generatedValue !== undefined ? { generatedValue } : {}),
});

/** Whether `roles` may use a method allowed to `allowed` (`admin` may use every one). */
export const mayUse = (roles: readonly string[], allowed: readonly string[]): boolean =>
  roles.includes('admin') || roles.some((r) => allowed.includes(r));

export interface CredentialResetService {
  method(identifier: string): ResetMethodPolicy | undefined;
  /** A password from the policy for `userId` (checked against it, context included), or undefined when none can be made. */
  generate(userId: string | undefined): Promise<string | undefined>;
  request(userId: string, credentialId: string, methodId: string, requester: Requester): Promise<RequestAnswer>;
  execute(userId: string, credentialId: string, methodId: string, newValue: string | undefined, requester: Requester): Promise<ResetOutcome>;
}

export function createCredentialResetService(deps: CredentialResetServiceDeps): CredentialResetService {
  const { identity, policy, resetPolicy } = deps;
  const method = (identifier: string): ResetMethodPolicy | undefined => resetPolicy.methods.find((m) => m.identifier === identifier);

  async function generate(userId: string | undefined): Promise<string | undefined> {
    const user = userId === undefined ? undefined : await identity.read(USER_RESOURCE, userId);
    const context = { ...(user ? { objectId: user._id } : {}), attributes: user ?? {} };
    for (let attempt = 0; attempt < 16; attempt++) {
      const candidate = generatePassword(rulesOf(policy, USER_RESOURCE, 'password'), GENERATE_BITS)?.value;
      if (candidate === undefined) return undefined;
      if ((await policy.check(USER_RESOURCE, 'password', candidate, context)).length === 0) return candidate;
    }
    return undefined;
  }

  return {
    method,
    generate,

    async request(userId, credentialId, methodId, requester) {
      const configured = method(methodId);
      if (!configured || configured.journey === undefined || !deps.startJourney)
        return { ok: false, status: 400, key: 'execute.reset.credential.bad.method' };
      if (credentialId !== PASSWORD_CREDENTIAL) return { ok: false, status: 400, key: 'execute.reset.credential.bad.request' };
      if (!mayUse(requester.roles, configured.allowedRoles)) return { ok: false, status: 403, key: 'execute.reset.credential.not.allowed' };
      const target = await identity.read(USER_RESOURCE, userId);
      if (!target) return { ok: false, status: 404, key: 'not.found' };
      if (await deps.guard.refusal(requester, USER_RESOURCE, target, methodId)) {
        return { ok: false, status: 403, key: 'execute.reset.credential.not.allowed' };
      }
      const resetId = newResetId();
      const now = deps.now();
      const record: CredentialResetRecord = {
        method: methodId,
        credentialId,
        requestedBy: requester.name,
        requestedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + configured.lifetimeMinutes * 60_000).toISOString(),
        attempts: 0,
        maxAttempts: configured.maxAttempts,
        state: 'requested',
        nonceHash: hashResetId(resetId),
      };
      const opened = await identity.openCredentialReset(USER_RESOURCE, userId, record);
      if (opened === undefined) return { ok: false, status: 404, key: 'not.found' };
      if (opened === 'busy') return { ok: false, status: 409, key: 'busy' };
      const first = await deps.startJourney(configured.journey, resetId);
      const context: ResetContext = {
        _id: resetId,
        method: methodId,
        credentialId,
        userId,
        expiresAt: record.expiresAt,
        journey: configured.journey,
        ...(first.type === 'callbacks' ? { step: first.body } : {}),
      };
      return { ok: true, context };
    },

    async execute(userId, credentialId, methodId, newValue, requester) {
      if (methodId.trim() === '' || credentialId !== PASSWORD_CREDENTIAL) return outcome(400, 'execute.reset.credential.bad.request');
      const configured = method(methodId);
      if (!configured) return outcome(400, 'execute.reset.credential.bad.method');
      if (!mayUse(requester.roles, configured.allowedRoles)) return outcome(403, 'execute.reset.credential.not.allowed');
      const user = await identity.read(USER_RESOURCE, userId);
      if (!user) return outcome(404, 'execute.reset.credential.bad.request');
      if (await deps.guard.refusal(requester, USER_RESOURCE, user, methodId)) return outcome(403, 'execute.reset.credential.not.allowed');
      if (configured.newCredentialSource === 'none') return outcome(200, 'execute.reset.credential.no.credential.source');
      const mail = typeof user['mail'] === 'string' ? user['mail'] : '';
      const byMail = configured.newCredentialSource === 'generated' && configured.delivery === 'email';
      // Nowhere to deliver: nothing changes.
      if (byMail && (!deps.mail || mail === '')) return outcome(409, 'execute.reset.credential.no.credential.source');
      let value = newValue;
      if (configured.newCredentialSource === 'generated') value = await generate(userId);
      if (value === undefined) {
        return configured.newCredentialSource === 'generated'
          ? outcome(409, 'execute.reset.credential.validation.failed')
          : outcome(400, 'execute.reset.credential.bad.request');
      }
      const result = await deps.guard.reset(requester, USER_RESOURCE, userId, value, { method: methodId, forceChange: configured.forceChange });
      if (result.type === 'not-found') return outcome(404, 'execute.reset.credential.bad.request');
      if (result.type === 'protected') return outcome(403, 'execute.reset.credential.not.allowed');
      if (result.type === 'refused') return outcome(409, 'execute.reset.credential.validation.failed');
      if (configured.newCredentialSource !== 'generated') return outcome(200, 'execute.reset.credential.successful');
      if (!byMail) return outcome(200, 'execute.reset.credential.successful', value);
      const prefs = user['preferences'] as { locale?: unknown } | undefined;
      deps.mail?.enqueue({
        template: 'generatedPassword',
        to: mail,
        locales: typeof prefs?.locale === 'string' ? [prefs.locale] : [],
        object: { givenName: user['givenName'] ?? '', userName: user['userName'] ?? '', credential: value },
      });
      return outcome(200, 'execute.reset.credential.successful');
    },
  };
}
