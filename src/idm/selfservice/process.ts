/**
 * PingIDM's self-service stepping (reference §2.3) on Cairn's journey runner. A process is a journey of
 * stage nodes (config.ts); one request is one runner step, rendered in IDM's envelope:
 *
 *   GET                 → stage 0's initial requirements, no token (nothing is stored or sent)
 *   POST, no token      → a new flow: stage 0 asked for its requirements and given `input` at once (the
 *                         client may skip the GET, as IDM's seed does), then the runner goes on until a
 *                         stage asks for something
 *   POST, token         → the flow's step is taken (single use); the waiting stage gets `input`; a flow
 *                         waiting for its e-mailed code gets its stored journey back for `input.code`
 *   answer              → `{type, tag, requirements, token}`, or at the end `{type: <last stage>, tag: "end",
 *                         status: {success: true}, additions}`
 *
 * As in IDM, input goes to the waiting stage only; a stage that needs nothing runs at once; a stage refusing
 * input answers a 400 with IDM's message and ends the flow (IDM's clients then start again). Effects (mail,
 * audit) are performed after the new token exists, so the e-mailed link can carry it.
 */
import type { Callback } from '../../callbacks/types.js';
import { crestError, internalError, type CrestErrorBody } from '../../crest/errors.js';
import { badRequest, isCairnError } from '../../errors/cairn-error.js';
import { performEffects, type EffectPorts } from '../../journeys/effects.js';
import type { JourneyRunner, PersistedJourney, StepInput, StepResult } from '../../journeys/runner.js';
import { journeyChanged } from '../../journeys/runner.js';
import type { EmailCodes } from './codes.js';
import type { SelfServiceProcess, SelfServiceSetup } from './config.js';
import type { FlowSteps } from './flows.js';
import { viewOf } from './snapshot-view.js';
import { STAGES, VALIDATE_CODE_REQUIREMENTS, type Requirements } from './stages.js';
import { invalidToken, type SelfServiceTokens, type TokenState } from './token.js';

export interface ProcessDeps {
  setup: SelfServiceSetup;
  runner: JourneyRunner;
  /** Runs GETs: the same engine and catalog, without lifecycle reporting (a GET starts nothing). */
  preview?: JourneyRunner;
  tokens: SelfServiceTokens;
  flows: FlowSteps;
  codes: EmailCodes;
  /** CAIRN_PUBLIC_URL: a verificationLink that is a path is resolved against it, never against the Host header. */
  publicUrl: string;
  effects: EffectPorts;
  onError?: (error: unknown) => void;
}

export interface Answer {
  status: number;
  body: unknown;
}

const ok = (body: unknown): Answer => ({ status: 200, body });
const fail = (body: CrestErrorBody): Answer => ({ status: body.code, body });

export const processNotFound = (name: string): CrestErrorBody => crestError(404, `Resource 'selfservice/${name}' not found`);
export const ACCESS_DENIED = (): CrestErrorBody => crestError(403, 'Access denied');

/** Java's String.hashCode of the body's JSON: IDM's `_rev` of a read (a revision string, nothing more). */
function revisionOf(body: unknown): string {
  const text = JSON.stringify(body);
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return String(h);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function createProcessService(deps: ProcessDeps) {
  const { setup, runner, tokens, flows, codes } = deps;

  function processOf(name: string): SelfServiceProcess | CrestErrorBody {
    const process = setup.processes.get(name);
    if (!process) return processNotFound(name);
    if (!process.enabled) return ACCESS_DENIED();
    return process;
  }

  function stageAt(process: SelfServiceProcess, snapshot: PersistedJourney): { name: string; nodeId: string; config: Record<string, unknown> } {
    const { nodeId } = viewOf(snapshot);
    const stage = process.stages.find((s) => s.nodeId === nodeId);
    if (!stage) throw new Error(`Process ${process.name} waits at ${nodeId}, which is not one of its stages.`);
    const config = setup.catalog.get(process.journeyId)?.nodes.get(nodeId)?.config ?? {};
    return { ...stage, config };
  }

  function requirementsAt(
    process: SelfServiceProcess,
    snapshot: PersistedJourney,
    callbacks: readonly Callback[],
  ): { type: string; requirements: Requirements } {
    const stage = stageAt(process, snapshot);
    const view = viewOf(snapshot);
    return {
      type: stage.name,
      requirements: (STAGES[stage.name] as (typeof STAGES)[string]).requirements({ callbacks, local: view.local, kba: setup.kba }),
    };
  }

  /** The e-mailed link: the stage's verificationLink (a path: on CAIRN_PUBLIC_URL) + `&token=…&code=…`. */
  function linkOf(base: unknown, token: string, code: string): string {
    const start = typeof base === 'string' ? (base.startsWith('/') ? `${deps.publicUrl}${base}` : base) : `${deps.publicUrl}/#/`;
    return `${start}&token=${token}&code=${code}`;
  }

  async function answer(process: SelfServiceProcess, result: StepResult, flowId: string, step: number): Promise<Answer> {
    const ttl = process.tokenExpirySeconds;
    const state = (j?: PersistedJourney): TokenState => ({ p: process.name, v: process.version, f: flowId, s: step, ...(j ? { j } : {}) });
    switch (result.type) {
      case 'callbacks': {
        const { type, requirements } = requirementsAt(process, result.snapshot, result.callbacks);
        const token = await tokens.issue(state(result.snapshot), ttl);
        performEffects(result.effects ?? [], deps.effects);
        return ok({ type, tag: result.stage ?? 'initial', requirements, token });
      }
      case 'suspended': {
        const stage = stageAt(process, result.snapshot);
        const shared = viewOf(result.snapshot).shared;
        const subject = typeof shared._id === 'string' ? shared._id : undefined;
        const code = await codes.issue(flowId, result.snapshot, {
          ...(subject ? { subject } : {}),
          scope: `selfservice/${process.name}`,
          ttlMs: ttl * 1000,
        });
        // The token of a waiting flow carries nothing that depends on who asked: the journey is stored.
        const token = await tokens.issue(state(), ttl);
        performEffects(result.effects ?? [], deps.effects, linkOf(stage.config.verificationLink, token, code));
        return ok({ type: stage.name, tag: 'validateCode', requirements: VALIDATE_CODE_REQUIREMENTS, token });
      }
      case 'success': {
        performEffects(result.effects ?? [], deps.effects);
        const additions = (viewOf(result.snapshot).shared.selfService as { additions?: unknown } | undefined)?.additions;
        const last = process.stages[process.stages.length - 1] as { name: string };
        return ok({ type: last.name, tag: 'end', status: { success: true }, additions: isRecord(additions) ? additions : {} });
      }
      case 'failure':
        // A stage failed unexpectedly (logged by the runner's onNodeError): nothing to show but the generic 500.
        return fail(internalError());
    }
  }

  /** The input for the waiting stage's callbacks. */
  function fill(process: SelfServiceProcess, snapshot: PersistedJourney, input: Record<string, unknown>): Callback[] {
    const view = viewOf(snapshot);
    const stage = stageAt(process, snapshot);
    return (STAGES[stage.name] as (typeof STAGES)[string]).fill(input, { callbacks: view.pending, local: view.local, kba: setup.kba });
  }

  function errorAnswer(error: unknown): Answer {
    if (isCairnError(error) && error.code === journeyChanged().code) return fail(crestError(400, 'Invalid token'));
    if (isCairnError(error) && error.expose && error.status < 500) return fail(crestError(error.status, error.message, error.detail));
    deps.onError?.(error);
    return fail(internalError());
  }

  return {
    /** `GET /openidm/selfservice/{process}`: stage 0's initial requirements (nothing stored, nothing sent). */
    async read(name: string, input: StepInput): Promise<Answer> {
      const process = processOf(name);
      if (!('journeyId' in process)) return fail(process);
      try {
        const result = await (deps.preview ?? runner).start(process.journeyId, input);
        const first = process.stages[0] as { name: string };
        const body =
          result.type === 'callbacks'
            ? { ...requirementsAt(process, result.snapshot, result.callbacks), tag: result.stage ?? 'initial' }
            : { type: first.name, tag: 'initial', requirements: {} };
        const ordered = { type: body.type, tag: body.tag, requirements: body.requirements };
        return ok({ _id: '1', _rev: revisionOf(ordered), ...ordered });
      } catch (error) {
        return errorAnswer(error);
      }
    },

    /** `POST /openidm/selfservice/{process}?_action=submitRequirements`. */
    async submit(name: string, body: unknown, input: StepInput): Promise<Answer> {
      const process = processOf(name);
      if (!('journeyId' in process)) return fail(process);
      try {
        if (!isRecord(body)) throw badRequest('idm.body', 'The request body must be a JSON object.');
        // IDM's order (reference §2.3): the token is restored, then the input is required, then the
        // token's process version is compared with the process's.
        const fresh = body.token === undefined || body.token === null || body.token === '';
        if (!fresh && typeof body.token !== 'string') throw badRequest('idm.token', 'Invalid snapshot token');
        const state = fresh ? undefined : await tokens.read(body.token as string, process.name);
        const given = body.input;
        if (given === undefined || given === null) throw badRequest('idm.body', 'No input provided');
        if (!isRecord(given)) throw badRequest('idm.body', 'input must be a JSON object');
        if (state && state.v !== process.version) throw invalidToken();
        const ttlMs = process.tokenExpirySeconds * 1000;

        if (!state) {
          const started = await runner.start(process.journeyId, input);
          const result =
            started.type === 'callbacks' ? await runner.next(started.snapshot, fill(process, started.snapshot, given), input, true) : started;
          return await answer(process, result, await flows.start(ttlMs), 1);
        }
        // The step is taken before anything runs: a token is good for one request.
        if (!(await flows.advance(state.f, state.s, ttlMs))) throw invalidToken();
        const next = state.s + 1;

        if (state.j === undefined) {
          const code = given.code;
          if (code === undefined || code === null || code === '') throw badRequest('idm.stage', 'Input code is missing');
          const stored = typeof code === 'string' ? await codes.take(state.f, code) : undefined;
          if (!stored) throw badRequest('idm.stage', 'Invalid code');
          return await answer(process, await runner.resume(stored, input, true), state.f, next);
        }
        const result = await runner.next(state.j, fill(process, state.j, given), input, true);
        return await answer(process, result, state.f, next);
      } catch (error) {
        return errorAnswer(error);
      }
    },
  };
}

export type ProcessService = ReturnType<typeof createProcessService>;
