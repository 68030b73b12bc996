/**
 * AM's authenticate endpoint (reference §1): an empty body starts a journey, a body with an
 * `authId` continues it, `?suspendedId=` resumes a suspended one. The journey's state rides inside
 * the authId (encrypted), so any instance can answer any step. Steps, in order:
 * read query → load snapshot (authId | suspension | new) → run → persist → answer in AM's shape.
 */
import type { Request, RequestHandler, Response } from 'express';
import type { Settings } from '../config/settings.js';
import { CairnError, badRequest } from '../errors/cairn-error.js';
import { requestLocales } from '../journeys/locale.js';
import { journeyChanged, type JourneyRunner, type JourneySnapshot, type StepInput, type StepResult } from '../journeys/runner.js';
import type { RequestInfo } from '../nodes/types.js';
import type { SessionService } from '../sessions/session-service.js';
import type { AuthIdCodec } from './authid.js';
import { readSessionToken, sessionCookie } from './cookies.js';
import { allowedRedirect } from './redirects.js';
import { amError, failureBody, sendAmError, toAmError, type StepBody, type SuccessBody } from './wire.js';

export const ROOT_REALM = '/';

/** Options fixed when a journey starts and carried with it to the end. */
export interface JourneyOptions {
  noSession: boolean;
  goto?: string;
  gotoOnFail?: string;
}

/** What the authId carries: the runner's snapshot and the start options. */
export interface AuthIdState {
  j: JourneySnapshot;
  o: JourneyOptions;
}

/** Stores suspended journeys (Email Suspend) and gives them back once. */
export interface SuspensionPort {
  /** Stores the journey and returns the id for the resume link. */
  suspend(state: AuthIdState, info: { journeyId: string; durationMinutes?: number; shared: Record<string, unknown> }): Promise<string>;
  /** Takes a suspended journey, at most once; undefined when unknown, used or expired. */
  take(suspendedId: string): Promise<AuthIdState | undefined>;
  /** The link a person follows to resume. */
  resumeUri(suspendedId: string, journeyId: string): string;
}

export interface AuthenticateDeps {
  settings: Readonly<Settings>;
  runner: JourneyRunner;
  codec: AuthIdCodec;
  sessions: SessionService;
  suspensions?: SuspensionPort;
  onError?: (error: unknown, req: Request) => void;
  /** Told about every answered step (metrics, audit). */
  observe?: (step: StepObservation) => void;
}

export interface StepObservation {
  journey: string;
  phase: 'start' | 'continue' | 'resume';
  result: StepResult['type'] | 'error';
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
  const realm = one(q.realm);
  if (realm !== undefined && realm !== '/' && realm !== 'root' && realm !== '') throw invalidRealm(realm);
  const authIndexType = one(q.authIndexType);
  if (authIndexType !== undefined && authIndexType !== 'service') {
    throw badRequest('authenticate.index_type', 'Unknown Authentication Index Type');
  }
  const authIndexValue = one(q.authIndexValue);
  if (authIndexValue !== undefined && authIndexValue.length > 128) throw badRequest('journey.not_found', 'No Configuration found');
  const suspendedId = one(q.suspendedId);
  return {
    ...(authIndexType !== undefined ? { authIndexType } : {}),
    ...(authIndexValue ? { authIndexValue } : {}),
    ...(suspendedId ? { suspendedId } : {}),
    noSession: isTrue(one(q.noSession)),
    forceAuth: isTrue(one(q.ForceAuth)),
    ...(one(q.goto) ? { goto: one(q.goto) } : {}),
    ...(one(q.gotoOnFail) ? { gotoOnFail: one(q.gotoOnFail) } : {}),
    ...(one(q.locale) ? { locale: one(q.locale) } : {}),
  };
}

export const invalidRealm = (realm: string): CairnError =>
  new CairnError({ status: 400, code: 'realm.invalid', message: `Invalid realm, ${realm}: Cairn serves the root realm only.` });

function requestInfo(req: Request): RequestInfo {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const query: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) query[k] = one(v);
  return { headers, query, ...(req.ip ? { clientIp: req.ip } : {}) };
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

export function authenticateHandler(deps: AuthenticateDeps): RequestHandler {
  const { settings, runner, codec, sessions } = deps;

  async function answer(res: Response, result: StepResult, options: JourneyOptions): Promise<void> {
    const journeyId = result.journey.id;
    const state: AuthIdState = { j: result.snapshot, o: options };
    switch (result.type) {
      case 'callbacks': {
        const authId = await codec.issue({ authIndexType: 'service', authIndexValue: journeyId, realm: ROOT_REALM }, state);
        const body: StepBody = { authId, callbacks: result.callbacks };
        if (result.header !== undefined) body.header = result.header;
        if (result.description !== undefined) body.description = result.description;
        if (result.stage !== undefined) body.stage = result.stage;
        res.status(200).json(body);
        return;
      }
      case 'suspended': {
        if (!deps.suspensions) throw new Error('A journey suspended, but no suspension store is configured.');
        // The journey itself is stored server-side; the authId of this step carries nothing that
        // depends on who asked (whether an account exists must not change its length: RST-03).
        const bare: AuthIdState = { j: { ...result.snapshot, shared: {}, transient: {}, local: {} }, o: options };
        const authId = await codec.issue({ authIndexType: 'service', authIndexValue: journeyId, realm: ROOT_REALM }, bare);
        if (result.repeated) {
          // The same "check your e-mail" step posted again: the journey is already stored.
          res.status(200).json({ authId, callbacks: result.callbacks } satisfies StepBody);
          return;
        }
        const suspendedId = await deps.suspensions.suspend(state, {
          journeyId,
          ...(result.durationMinutes !== undefined ? { durationMinutes: result.durationMinutes } : {}),
          shared: result.snapshot.shared,
        });
        if (result.notify) {
          // Off the request path: the answer (and its timing) must not depend on the mail server.
          const uri = deps.suspensions.resumeUri(suspendedId, journeyId);
          void Promise.resolve()
            .then(() => result.notify?.(uri))
            .catch((e: unknown) => deps.onError?.(e, res.req));
        }
        res.status(200).json({ authId, callbacks: result.callbacks } satisfies StepBody);
        return;
      }
      case 'success': {
        const shared = result.snapshot.shared;
        const successUrl = typeof shared.successUrl === 'string' && shared.successUrl ? shared.successUrl : (options.goto ?? settings.successUrl);
        const uid = typeof shared.username === 'string' && shared.username ? shared.username : undefined;
        const userId = typeof shared._id === 'string' ? shared._id : undefined;
        if (options.noSession || result.journey.noSession || !uid) {
          res.status(200).json({ successUrl, realm: ROOT_REALM } satisfies SuccessBody);
          return;
        }
        const session = await sessions.create({ uid, ...(userId ? { userId } : {}), realm: ROOT_REALM, journey: journeyId });
        res.setHeader('Set-Cookie', sessionCookie(settings, session.tokenId));
        res.status(200).json({ tokenId: session.tokenId, successUrl, realm: ROOT_REALM } satisfies SuccessBody);
        return;
      }
      case 'failure':
        sendAmError(res, failureBody(result.message, options.gotoOnFail ?? ''));
        return;
    }
  }

  return async (req, res) => {
    const started = process.hrtime.bigint();
    let phase: StepObservation['phase'] = 'start';
    let journey = typeof req.query.authIndexValue === 'string' ? req.query.authIndexValue : 'Login';
    const observe = (result: StepObservation['result']): void => {
      deps.observe?.({
        journey,
        phase,
        result,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        ...(req.ip ? { clientIp: req.ip } : {}),
      });
    };
    const finish = async (result: StepResult, options: JourneyOptions): Promise<void> => {
      journey = result.journey.id;
      await answer(res, result, options);
      observe(result.type);
    };
    try {
      const query = readQuery(req);
      const body = readBody(req);
      const input: StepInput = { locales: requestLocales(query.locale, req.get('accept-language')), request: requestInfo(req) };

      if (body?.authId !== undefined) {
        const { snapshot } = await codec.read(body.authId);
        if (!isAuthIdState(snapshot)) throw journeyChanged();
        phase = 'continue';
        const result = await runner.next(snapshot.j, body.callbacks, input, true);
        await finish(result, snapshot.o);
        return;
      }

      if (query.suspendedId) {
        phase = 'resume';
        const state = deps.suspensions && query.suspendedId.length <= 256 ? await deps.suspensions.take(query.suspendedId) : undefined;
        if (!state) {
          sendAmError(res, amError(401, 'This link has expired or has already been used. Please start again.'));
          observe('error');
          return;
        }
        await finish(await runner.resume(state.j, input, true), state.o);
        return;
      }

      const goto = allowedRedirect(query.goto, settings.redirectAllowlist);
      const gotoOnFail = allowedRedirect(query.gotoOnFail, settings.redirectAllowlist);
      const options: JourneyOptions = { noSession: query.noSession, ...(goto ? { goto } : {}), ...(gotoOnFail ? { gotoOnFail } : {}) };
      const journeyId = query.authIndexValue ?? 'Login';

      if (!query.forceAuth && !query.noSession) {
        const existing = await sessions.validate(readSessionToken(req, settings.cookieName));
        if (existing) {
          // AM answers a new journey with the session the browser already has.
          res.status(200).json({ tokenId: existing.tokenId, successUrl: goto ?? settings.successUrl, realm: ROOT_REALM } satisfies SuccessBody);
          return;
        }
      }
      await finish(await runner.start(journeyId, input), options);
    } catch (error) {
      const body = toAmError(error);
      if (body.code >= 500) deps.onError?.(error, req);
      sendAmError(res, body);
      observe('error');
    }
  };
}
