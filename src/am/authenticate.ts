/**
 * AM's authenticate endpoint (reference §1): an empty body starts a journey, a body with an
 * `authId` continues it, `?suspendedId=` resumes a suspended one, and a browser that already has a
 * session gets it back. The journey's state (XState's persisted snapshot) rides inside the authId,
 * encrypted, so any instance can answer any step. One pipeline, in order:
 * read query → read body → load (authId | suspension | session | new) → claim → run → persist →
 * perform effects → respond in AM's shape; every request leaves through the one exit that observes it.
 * Claim: an authId's step runs once — the first post claims it in the store (step-claims.ts), any
 * other post of it, concurrent or later, answers the timeout and runs nothing; persist keeps the
 * claim for a step that moved the journey and gives it back for one that did not (validateOnly).
 */
import type { Request, RequestHandler, Response } from 'express';
import type { Settings } from '../config/settings.js';
import { CairnError, badRequest, isCairnError, isUnavailable } from '../errors/cairn-error.js';
import type { LoginGuard } from '../identity/login-guard.js';
import type { StepClaims, StepToken } from '../journeys/step-claims.js';
import { requestLocales } from '../journeys/locale.js';
import type { AuditPort } from '../audit/audit-log.js';
import { performEffects } from '../journeys/effects.js';
import { journeyChanged, type JourneyRunner, type PersistedJourney, type StepInput, type StepResult } from '../journeys/runner.js';
import type { MailPort } from '../mail/types.js';
import type { RequestInfo } from '../nodes/types.js';
import type { SessionService } from '../sessions/session-service.js';
import { AuthIdInvalid, type AuthIdCodec } from './authid.js';
import { deviceCookie, effectCookies, parseCookies, readDeviceCookie, readSessionToken, sessionCookie } from './cookies.js';
import { allowedRedirect } from './redirects.js';
import { amError, failureBody, sendJson, toAmError, type AmErrorBody, type StepBody, type SuccessBody } from './wire.js';

export const ROOT_REALM = '/';

/** Options fixed when a journey starts and carried with it to the end. */
export interface JourneyOptions {
  noSession: boolean;
  goto?: string;
  gotoOnFail?: string;
}

/** What the authId (and a suspension record) carries: the journey's persisted snapshot and the start options. */
export interface AuthIdState {
  j: PersistedJourney;
  o: JourneyOptions;
}

/** Stores suspended journeys (Email Suspend) and gives them back once. */
export interface SuspensionPort {
  /** Stores the journey and returns the id for the resume link. */
  suspend(state: AuthIdState, info: { journeyId: string; durationMinutes?: number; subject?: string }): Promise<string>;
  /** Takes a suspended journey, at most once; undefined when unknown, used or expired. */
  take(suspendedId: string): Promise<AuthIdState | undefined>;
  /** The link a person follows to resume. */
  resumeUri(suspendedId: string, journeyId: string): string;
}

export interface AuthenticateDeps {
  /** The realm's settings (its session cookie name among them). */
  settings: Readonly<Settings>;
  /** The realm this endpoint serves, as AM names it (`/`, `/alpha`); default root. */
  realm?: string;
  runner: JourneyRunner;
  codec: AuthIdCodec;
  sessions: SessionService;
  suspensions?: SuspensionPort;
  /** Where the steps' audit effects and the resume-link audit go. */
  audit: AuditPort;
  /** Queues the steps' mail effects. */
  mail: MailPort;
  /** Marks each authId's step as run (replays are refused). */
  claims: StepClaims;
  /** Remembers the devices and addresses accounts sign in from (their own attempt budgets). */
  logins: Pick<LoginGuard, 'remember'>;
  /** Records Timer Stop measurements. */
  timer?: (key: string, ms: number) => void;
  onError?: (error: unknown, req: Request) => void;
  /** Told about every answered request (step duration metrics). */
  observe?: (step: StepObservation) => void;
  /**
   * The administrators' journey (src/admin/admin-journey.ts): what a new journey without
   * authIndexValue runs when the request carries `X-OpenAM-Username` (as admin tools sign in).
   */
  adminJourney?: string;
  /** The roles a session signed in by the administrators' journey carries: those of the administrator `_id`. */
  rolesOf?: (adminId: string) => Promise<string[]>;
}

export interface StepObservation {
  journey: string;
  phase: 'start' | 'continue' | 'resume';
  /** `session`: a browser with a session asked for a new journey and got its session back. */
  result: StepResult['type'] | 'session' | 'error';
  ms: number;
  clientIp?: string;
}

interface AuthenticateQuery {
  authIndexType?: string;
  authIndexValue?: string;
  suspendedId?: string;
  noSession: boolean;
  forceAuth: boolean;
  goto?: string;
  gotoOnFail?: string;
  locale?: string;
}

const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined);
const isTrue = (v: string | undefined): boolean => v?.toLowerCase() === 'true';

function readQuery(req: Request): AuthenticateQuery {
  const q = req.query as Record<string, unknown>;
  const authIndexType = one(q.authIndexType);
  if (authIndexType !== undefined && authIndexType !== 'service') {
    throw badRequest('authenticate.index_type', 'Unknown Authentication Index Type');
  }
  const authIndexValue = one(q.authIndexValue);
  if (authIndexValue !== undefined && authIndexValue.length > 128) throw badRequest('journey.not_found', 'No Configuration found');
  const suspendedId = one(q.suspendedId);
  const [goto, gotoOnFail, locale] = [one(q.goto), one(q.gotoOnFail), one(q.locale)];
  return {
    ...(authIndexType !== undefined ? { authIndexType } : {}),
    ...(authIndexValue ? { authIndexValue } : {}),
    ...(suspendedId ? { suspendedId } : {}),
    noSession: isTrue(one(q.noSession)),
    forceAuth: isTrue(one(q.ForceAuth)),
    ...(goto ? { goto } : {}),
    ...(gotoOnFail ? { gotoOnFail } : {}),
    ...(locale ? { locale } : {}),
  };
}

/**
 * Gives a step's claim back once the store can take it again (it could not when the step failed): once a
 * second for a minute, so a sign-in refused by an outage can be sent again when the store is back.
 */
function releaseLater(claims: StepClaims, step: StepToken): void {
  owed.set(step.id, step);
  let tries = 0;
  const timer = setInterval(() => {
    if (!owed.has(step.id)) return clearInterval(timer);
    claims.release(step).then(
      () => {
        owed.delete(step.id);
        clearInterval(timer);
      },
      () => {
        if (++tries >= 60) {
          owed.delete(step.id);
          clearInterval(timer);
        }
      },
    );
  }, 1_000);
  timer.unref();
}

/** Claims this process still has to give back (releaseLater), by step id; a step sent again first settles its own. */
const owed = new Map<string, StepToken>();

async function settleOwed(claims: StepClaims, step: StepToken): Promise<void> {
  if (!owed.has(step.id)) return;
  await claims.release(step);
  owed.delete(step.id);
}

/** An error in AM's shape, written as the step answers are (sendJson). */
const sendError = (res: Response, body: AmErrorBody): void => sendJson(res, body.code, body);

export const invalidRealm = (realm: string): CairnError => new CairnError({ status: 400, code: 'realm.invalid', message: `Invalid realm, ${realm}` });

function requestInfo(req: Request, settings: Pick<Settings, 'publicUrl' | 'cookieName'>): RequestInfo {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const query: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) query[k] = one(v);
  const requestId = req.res?.getHeader('x-request-id');
  const device = readDeviceCookie(req, settings);
  const ssoTokenId = readSessionToken(req, settings.cookieName);
  return {
    headers,
    query,
    cookies: Object.fromEntries(parseCookies(req.get('cookie'))),
    ...(ssoTokenId ? { ssoTokenId } : {}),
    ...(req.ip ? { clientIp: req.ip } : {}),
    ...(typeof requestId === 'string' ? { requestId } : {}),
    ...(device ? { deviceCookie: device } : {}),
  };
}

/** The request body as AM reads it: nothing or `{}` starts; an object with `authId` continues. */
function readBody(req: Request): { authId?: string; callbacks?: unknown } | undefined {
  const body: unknown = req.body;
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('authenticate.body', 'The request body must be a JSON object.');
  const b = body as Record<string, unknown>;
  if (b.authId === undefined) {
    if (b.callbacks !== undefined) throw badRequest('authenticate.body', 'Callbacks were sent without the authId of the step they answer.');
    return undefined;
  }
  if (typeof b.authId !== 'string') throw badRequest('authenticate.body', 'authId must be a string.');
  return { authId: b.authId, callbacks: b.callbacks };
}

function isAuthIdState(v: unknown): v is AuthIdState {
  const s = v as AuthIdState | undefined;
  return !!s && typeof s === 'object' && !!s.j && typeof s.j === 'object' && !!s.o && typeof s.o === 'object';
}

/** What the request asks for, once read: a step of a journey in flight, a resumption, or a new journey. */
type Loaded =
  /** `step`: the authId's unique id and expiry (epoch ms), under which its step is claimed. */
  | { kind: 'authId'; state: AuthIdState; callbacks: unknown; step: StepToken }
  | { kind: 'suspension'; state: AuthIdState }
  /** The resume link is unknown, used or expired. */
  | { kind: 'link-expired' }
  | { kind: 'session'; tokenId: string; successUrl: string }
  | { kind: 'new'; journeyId: string; options: JourneyOptions };

/** What persisting a step produced. */
interface Persisted {
  authId?: string;
  suspendedId?: string;
  tokenId?: string;
  /** A new device cookie value for a browser that just signed in. */
  device?: string;
}

const LINK_EXPIRED = 'This link has expired or has already been used. Please start again.';

/** Persists a step's result: the next authId, the suspension, or the new session. */
function stepPersister(deps: AuthenticateDeps): { persist: (result: StepResult, options: JourneyOptions, input: StepInput) => Promise<Persisted> } {
  const { codec, sessions } = deps;
  const realm = deps.realm ?? ROOT_REALM;
  const issue = (journeyId: string, state: AuthIdState): Promise<string> =>
    codec.issue({ authIndexType: 'service', authIndexValue: journeyId, realm }, state);

  async function persist(result: StepResult, options: JourneyOptions, input: StepInput): Promise<Persisted> {
    const journeyId = result.journey.id;
    const state: AuthIdState = { j: result.snapshot, o: options };
    switch (result.type) {
      case 'callbacks':
        return { authId: await issue(journeyId, state) };
      case 'suspended': {
        if (!deps.suspensions) throw new Error('A journey suspended, but no suspension store is configured.');
        // The journey itself is stored server-side; the authId of this step carries nothing that
        // depends on who asked (whether an account exists must not change its length: RST-03).
        const machine = result.snapshot.machine;
        const bare: AuthIdState = {
          j: { ...result.snapshot, machine: { ...machine, context: { ...machine.context, shared: {}, transient: {}, local: {} } } },
          o: options,
        };
        const authId = await issue(journeyId, bare);
        // The same "check your e-mail" step posted again: the journey is already stored.
        if (result.repeated) return { authId };
        const identified = machine.context.shared._id;
        const subject = result.subject ?? identified;
        const suspendedId = await deps.suspensions.suspend(state, {
          journeyId,
          ...(result.durationMinutes !== undefined ? { durationMinutes: result.durationMinutes } : {}),
          ...(typeof subject === 'string' ? { subject } : {}),
        });
        return { authId, suspendedId };
      }
      case 'success': {
        const shared = result.snapshot.machine.context.shared;
        const uid = typeof shared.username === 'string' && shared.username ? shared.username : undefined;
        if (options.noSession || result.journey.noSession || !uid) return {};
        const userId = typeof shared._id === 'string' ? shared._id : undefined;
        const draft = result.session;
        // Only the built-in administrators' journey signs administrators in: no configured journey
        // (whatever its nodes write) can give a session a role.
        const roles = result.journey.kind === 'admin' && userId && deps.rolesOf ? await deps.rolesOf(userId) : [];
        const session = await sessions.create({
          uid,
          ...(userId ? { userId } : {}),
          realm,
          journey: journeyId,
          roles,
          ...(draft ? { properties: draft.properties } : {}),
          ...(draft?.maxIdleMinutes !== undefined ? { idleMs: draft.maxIdleMinutes * 60_000 } : {}),
          ...(draft?.maxSessionMinutes !== undefined ? { maxMs: draft.maxSessionMinutes * 60_000 } : {}),
        });
        // This client signed in: its device and address get budgets of their own for this account.
        const { clientIp, deviceCookie: device } = input.request;
        const renewed = userId
          ? await deps.logins.remember(result.journey.identityResource, userId, {
              ...(clientIp ? { clientIp } : {}),
              ...(device ? { deviceCookie: device } : {}),
            })
          : undefined;
        return { tokenId: session.tokenId, ...(renewed ? { device: renewed } : {}) };
      }
      case 'failure':
        return {};
    }
  }
  return { persist };
}

/**
 * Starts `journeyId` outside an AM request (the credential-reset interface's `request`): run, persist,
 * perform the effects, and answer the first step in AM's shape — an authId and its callbacks, which
 * the caller continues at the authenticate endpoint like any other step; or how it ended.
 */
export async function startJourneyStep(
  deps: AuthenticateDeps,
  journeyId: string,
  input: StepInput,
): Promise<{ type: 'callbacks'; body: StepBody } | { type: 'ended'; success: boolean }> {
  const options: JourneyOptions = { noSession: true };
  const result = await deps.runner.start(journeyId, input);
  const persisted = await stepPersister(deps).persist(result, options, input);
  const resumeUri = persisted.suspendedId === undefined ? undefined : deps.suspensions?.resumeUri(persisted.suspendedId, journeyId);
  performEffects(result.effects, { audit: deps.audit, mail: deps.mail, ...(deps.timer ? { timer: deps.timer } : {}) }, resumeUri);
  if (result.type === 'callbacks' || result.type === 'suspended') {
    const body: StepBody = { authId: persisted.authId as string, callbacks: result.callbacks };
    if (result.type === 'callbacks' && result.header !== undefined) body.header = result.header;
    if (result.type === 'callbacks' && result.description !== undefined) body.description = result.description;
    if (result.type === 'callbacks' && result.stage !== undefined) body.stage = result.stage;
    return { type: 'callbacks', body };
  }
  return { type: 'ended', success: result.type === 'success' };
}

export function authenticateHandler(deps: AuthenticateDeps): RequestHandler {
  const { settings, runner, codec, sessions } = deps;
  const realm = deps.realm ?? ROOT_REALM;
  const { persist } = stepPersister(deps);

  async function load(req: Request, query: AuthenticateQuery, body: ReturnType<typeof readBody>): Promise<Loaded> {
    if (body?.authId !== undefined) {
      const { claims, snapshot } = await codec.read(body.authId);
      // A step of a journey of another realm does not continue here (its journeys, people and sessions are not these).
      if (claims.realm !== realm) throw badRequest('authenticate.realm', `This authId belongs to the realm ${claims.realm}, not ${realm}.`);
      if (!isAuthIdState(snapshot)) throw journeyChanged();
      return { kind: 'authId', state: snapshot, callbacks: body.callbacks, step: { id: claims.jti, expiresAt: claims.exp * 1000 } };
    }
    if (query.suspendedId) {
      const state = deps.suspensions && query.suspendedId.length <= 256 ? await deps.suspensions.take(query.suspendedId) : undefined;
      return state ? { kind: 'suspension', state } : { kind: 'link-expired' };
    }
    const goto = allowedRedirect(query.goto, settings.redirectAllowlist);
    const gotoOnFail = allowedRedirect(query.gotoOnFail, settings.redirectAllowlist);
    if (!query.forceAuth && !query.noSession) {
      // AM answers a new journey with the session the browser already has.
      const existing = await sessions.validate(readSessionToken(req, settings.cookieName));
      if (existing) return { kind: 'session', tokenId: existing.tokenId, successUrl: goto ?? settings.successUrl };
    }
    const options: JourneyOptions = { noSession: query.noSession, ...(goto ? { goto } : {}), ...(gotoOnFail ? { gotoOnFail } : {}) };
    const admin = deps.adminJourney !== undefined && req.get('x-openam-username') !== undefined ? deps.adminJourney : undefined;
    return { kind: 'new', journeyId: query.authIndexValue ?? admin ?? 'Login', options };
  }

  function run(loaded: Extract<Loaded, { kind: 'authId' | 'suspension' | 'new' }>, input: StepInput): Promise<StepResult> {
    switch (loaded.kind) {
      case 'authId':
        return runner.next(loaded.state.j, loaded.callbacks, input, true);
      case 'suspension':
        return runner.resume(loaded.state.j, input, true);
      case 'new':
        return runner.start(loaded.journeyId, input);
    }
  }

  function respond(res: Response, result: StepResult, options: JourneyOptions, persisted: Persisted): void {
    // Cookies the journey's nodes set (Set Persistent Cookie), beside the session cookie.
    const cookies = effectCookies(settings, result.effects, (e) =>
      deps.onError?.(new Error(`A journey asked for a cookie "${e.name}" it may not set.`), res.req),
    );
    if (result.type === 'success' && persisted.tokenId !== undefined) {
      cookies.unshift(sessionCookie(settings, persisted.tokenId));
      if (persisted.device !== undefined) cookies.push(deviceCookie(settings, persisted.device));
    }
    if (cookies.length > 0) res.setHeader('Set-Cookie', cookies);
    switch (result.type) {
      case 'callbacks': {
        const body: StepBody = { authId: persisted.authId as string, callbacks: result.callbacks };
        if (result.header !== undefined) body.header = result.header;
        if (result.description !== undefined) body.description = result.description;
        if (result.stage !== undefined) body.stage = result.stage;
        sendJson(res, 200, body);
        return;
      }
      case 'suspended':
        sendJson(res, 200, { authId: persisted.authId as string, callbacks: result.callbacks } satisfies StepBody);
        return;
      case 'success': {
        const shared = result.snapshot.machine.context.shared;
        const successUrl = typeof shared.successUrl === 'string' && shared.successUrl ? shared.successUrl : (options.goto ?? settings.successUrl);
        if (persisted.tokenId === undefined) {
          sendJson(res, 200, { successUrl, realm } satisfies SuccessBody);
          return;
        }
        sendJson(res, 200, { tokenId: persisted.tokenId, successUrl, realm } satisfies SuccessBody);
        return;
      }
      case 'failure':
        sendError(res, failureBody(result.message, options.gotoOnFail ?? ''));
        return;
    }
  }

  return async (req, res) => {
    const started = process.hrtime.bigint();
    let phase: StepObservation['phase'] = 'start';
    let journey = typeof req.query.authIndexValue === 'string' ? req.query.authIndexValue : 'Login';
    let outcome: StepObservation['result'] = 'error';
    /** The authId step this request claimed, until the claim is kept or given back. */
    let claimed: StepToken | undefined;
    try {
      const query = readQuery(req);
      const body = readBody(req);
      const input: StepInput = { locales: requestLocales(query.locale, req.get('accept-language')), request: requestInfo(req, settings) };
      const loaded = await load(req, query, body);
      if (loaded.kind === 'authId') phase = 'continue';
      if (loaded.kind === 'suspension' || loaded.kind === 'link-expired') phase = 'resume';

      if (loaded.kind === 'session') {
        sendJson(res, 200, { tokenId: loaded.tokenId, successUrl: loaded.successUrl, realm } satisfies SuccessBody);
        outcome = 'session';
        return;
      }
      if (loaded.kind === 'link-expired') {
        sendError(res, amError(401, LINK_EXPIRED));
        return;
      }
      const options = loaded.kind === 'new' ? loaded.options : loaded.state.o;
      if (loaded.kind === 'authId') {
        await settleOwed(deps.claims, loaded.step);
        if (!(await deps.claims.claim(loaded.step))) {
          deps.audit.record('step.replayed', { journey: loaded.state.j.journey, ...(realm !== ROOT_REALM ? { realm } : {}), clientIp: req.ip });
          throw new AuthIdInvalid('used');
        }
        claimed = loaded.step;
      }
      const result = await run(loaded, input);
      journey = result.journey.id;
      const persisted = await persist(result, options, input);
      if (claimed !== undefined && !result.advanced) {
        // Nothing moved (a validateOnly check, a page shown again): the same step may be sent again.
        await deps.claims.release(claimed);
        claimed = undefined;
      }
      const resumeUri = persisted.suspendedId === undefined ? undefined : deps.suspensions?.resumeUri(persisted.suspendedId, journey);
      performEffects(
        result.effects,
        { audit: deps.audit, mail: deps.mail, ...(deps.timer ? { timer: deps.timer } : {}), onError: (e) => deps.onError?.(e, req) },
        resumeUri,
      );
      respond(res, result, options, persisted);
      outcome = result.type;
    } catch (error) {
      // The client's mistake (callbacks that do not answer the step), or a store that could not serve
      // (503; the runner advances nothing then): the step stays usable, to be sent again.
      if (claimed !== undefined && isCairnError(error) && (error.status < 500 || isUnavailable(error))) {
        const step = claimed;
        await deps.claims.release(step).catch(() => releaseLater(deps.claims, step));
      }
      const body = toAmError(error);
      if (body.code >= 500) deps.onError?.(error, req);
      sendError(res, body);
      outcome = 'error';
    } finally {
      // The one exit: every request is observed, whichever way it left.
      const clientIp = req.ip;
      if (phase === 'resume')
        deps.audit.record(outcome === 'error' ? 'resume.refused' : 'resume.succeeded', {
          journey,
          ...(realm !== ROOT_REALM ? { realm } : {}),
          clientIp,
        });
      deps.observe?.({ journey, phase, result: outcome, ms: Number(process.hrtime.bigint() - started) / 1e6, ...(clientIp ? { clientIp } : {}) });
    }
  };
}
