/**
 * The script engine a Scripted Decision node calls: gathers the bindings' inputs from the journey
 * step (state filtered by the node's inputs, the client's callbacks, headers, parameters, and, only
 * for scripts that name them, the existing session and the exposed environment), runs the script in
 * the sandbox pool, logs what it logged with the request id, and turns its answer back into state,
 * callbacks and an outcome. A failed script is logged and audited; the journey then fails.
 */
import type { Callback } from '../callbacks/types.js';
import type { RequestInfo } from '../nodes/types.js';
import { callbackOf, recordsOf } from './callbacks.js';
import type { HostHandler } from './host.js';
import type { LoadedScript, ScriptLibrary } from './library.js';
import { describeScript } from './model.js';
import type { SandboxPool } from './pool.js';
import { ScriptFailure } from './realm.js';

export interface ScriptLimits {
  cpuMs: number;
  /** Wall-clock limit of one execution, waiting for users and HTTP included. */
  wallMs: number;
  /** Bytes a script may log, and bytes of state and callbacks it may produce, per execution. */
  outputBytes: number;
}

export type ScriptLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type ScriptLogSink = (level: ScriptLogLevel, message: string, fields: Record<string, unknown>) => void;

export interface ScriptRunRequest {
  scriptId: string;
  journeyId: string;
  nodeId: string;
  identityResource: string;
  shared: Record<string, unknown>;
  transient: Record<string, unknown>;
  /** The node's `inputs` / `outputs` (`*` for all). */
  inputs: readonly string[];
  outputs: readonly string[];
  callbacks: readonly Callback[] | undefined;
  resumed: boolean;
  request: RequestInfo;
}

export interface ScriptRunResult {
  shared: Record<string, unknown>;
  transient: Record<string, unknown>;
  /** Set when the script chose an outcome (and sent no callbacks). */
  outcome?: string;
  callbacks?: Callback[];
  header?: string;
  description?: string;
  stage?: string;
  errorMessage?: string;
  /** `withIdentifiedUser`: the journey's user from now on. */
  identifiedUser?: string;
}

/** A social identity provider profile transformation: AM's SocialProviderHandlerNodeBindings. */
export interface TransformRequest {
  scriptId: string;
  journeyId: string;
  nodeId: string;
  identityResource: string;
  /** The provider's name as SelectIdP stored it (`selectedIdp`). */
  selectedIdp: string;
  /** The profile the script transforms: the provider's raw profile, or the normalised one. */
  profile: Record<string, unknown>;
  /** True for the node's script (binding `normalizedProfile`), false for the provider's (`rawProfile`). */
  normalized: boolean;
  shared: Record<string, unknown>;
  transient: Record<string, unknown>;
  callbacks: readonly Callback[] | undefined;
  request: RequestInfo;
}

export interface TransformResult {
  /** The script's value: the transformed profile. */
  value: Record<string, unknown>;
  shared: Record<string, unknown>;
  transient: Record<string, unknown>;
}

/** The port nodes use (NodeServices.scripts). */
export interface ScriptPort {
  run(request: ScriptRunRequest): Promise<ScriptRunResult>;
  transform(request: TransformRequest): Promise<TransformResult>;
}

export interface ScriptEngineDeps {
  library: () => ScriptLibrary;
  pool: SandboxPool;
  host: HostHandler;
  limits: ScriptLimits;
  /** Variables exposed to `systemEnv` (already filtered by the operator's patterns). */
  env: Readonly<Record<string, string>>;
  /** The session of the request's cookie, as AM's `existingSession` properties, or null. */
  existingSession?: (request: RequestInfo) => Promise<Record<string, string> | null>;
  log: ScriptLogSink;
  audit?: (event: string, fields: Record<string, unknown>) => void;
}

/** Which variables of `env` match the operator's patterns (`ESV_*`, exact names). */
export function exposedEnv(env: NodeJS.ProcessEnv, patterns: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const tests = patterns.map((p) => (p.endsWith('*') ? (n: string) => n.startsWith(p.slice(0, -1)) : (n: string) => n === p));
  for (const [name, value] of Object.entries(env)) if (value !== undefined && tests.some((t) => t(name))) out[name] = value;
  return out;
}

function cookiesOf(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

const multi = (m: Record<string, string | undefined>): Record<string, string[]> =>
  Object.fromEntries(Object.entries(m).flatMap(([k, v]) => (v === undefined ? [] : [[k, [v]]])));

export function createScriptEngine(deps: ScriptEngineDeps): ScriptPort {
  /** Runs a loaded script with its input; a failure is logged, audited and thrown as a ScriptFailure. */
  async function execute(
    script: LoadedScript,
    input: Record<string, unknown>,
    where: Record<string, string>,
    identityResource: string,
  ): Promise<string> {
    const started = Date.now();
    try {
      const { output } = await deps.pool.run({
        key: script.key,
        source: script.source,
        engine: script.engine,
        filename: script.filename,
        input: JSON.stringify(input),
        cpuMs: deps.limits.cpuMs,
        outputBytes: deps.limits.outputBytes,
        wallMs: deps.limits.wallMs,
        onHost: (op, args) => deps.host(op, args, { identityResource, remainingMs: () => deps.limits.wallMs - (Date.now() - started) }),
      });
      return output;
    } catch (e) {
      const kind = e instanceof ScriptFailure ? e.kind : 'script';
      const message = e instanceof Error ? e.message : String(e);
      deps.log('warn', `script ${describeScript(script.meta)} failed (${kind}): ${message}`, { ...where, script: script.meta.name });
      deps.audit?.('script.failed', { ...where, script: script.meta.name, reason: kind });
      throw new ScriptFailure(kind, `Script ${describeScript(script.meta)} failed: ${message}`);
    }
  }

  /** Where a script runs, for its logs and failures. */
  const whereOf = (req: { journeyId: string; nodeId: string; scriptId: string; request: { requestId?: string } }) => ({
    journey: req.journeyId,
    node: req.nodeId,
    scriptId: req.scriptId,
    ...(req.request.requestId ? { reqId: req.request.requestId } : {}),
  });

  return {
    async transform(req) {
      const script = deps.library().get(req.scriptId);
      const where = whereOf(req);
      if (!script) throw new Error(`Script ${req.scriptId} is not loaded.`);
      if (script.engine !== 'social' || script.compileError)
        throw new Error(`Script ${describeScript(script.meta)} cannot run as a profile transformation.`);
      const input = {
        profile: req.profile,
        normalized: req.normalized,
        selectedIdp: req.selectedIdp,
        shared: req.shared,
        transient: req.transient,
        callbacks: recordsOf(req.callbacks),
        headers: multi(req.request.headers),
        parameters: multi(req.request.query),
        existingSession: script.needs.existingSession && deps.existingSession ? await deps.existingSession(req.request) : null,
        env: script.needs.systemEnv ? deps.env : {},
        realm: '/',
        scriptName: script.meta.name,
        scriptId: script.meta._id,
        maxLogBytes: deps.limits.outputBytes,
      };
      const output = await execute(script, input, where, req.identityResource);
      const out = JSON.parse(output) as TransformResult & { logs: [string, string][] };
      for (const [level, message] of out.logs) deps.log(level as ScriptLogLevel, message, { ...where, script: script.meta.name });
      return { value: out.value, shared: out.shared, transient: out.transient };
    },

    async run(req) {
      const script = deps.library().get(req.scriptId);
      const where = whereOf(req);
      if (!script) throw new Error(`Script ${req.scriptId} is not loaded.`);
      const fields = { ...where, script: script.meta.name };
      const input = {
        shared: req.shared,
        transient: req.transient,
        inputs: req.inputs,
        outputs: req.outputs,
        callbacks: recordsOf(req.callbacks),
        headers: multi(req.request.headers),
        parameters: multi(req.request.query),
        cookies: script.needs.requestCookies ? cookiesOf(req.request.headers.cookie) : {},
        existingSession: script.needs.existingSession && deps.existingSession ? await deps.existingSession(req.request) : null,
        env: script.needs.systemEnv ? deps.env : {},
        realm: '/',
        scriptName: script.meta.name,
        scriptId: script.meta._id,
        resumed: req.resumed,
        maxLogBytes: deps.limits.outputBytes,
      };
      const output = await execute(script, input, where, req.identityResource);
      const out = JSON.parse(output) as {
        shared: Record<string, unknown>;
        transient: Record<string, unknown>;
        logs: [string, string][];
        outcome?: string;
        action?: Record<string, unknown> & { callbacks?: Record<string, unknown>[]; sessionProperties?: Record<string, string> };
      };
      for (const [level, message] of out.logs) deps.log(level as ScriptLogLevel, message, fields);
      const result: ScriptRunResult = { shared: out.shared, transient: out.transient };
      const action = out.action;
      if (action) {
        if (action.callbacks && action.callbacks.length > 0) {
          result.callbacks = action.callbacks.map((d) => callbackOf(d));
        } else if (typeof action.outcome === 'string') {
          result.outcome = action.outcome;
        }
        for (const k of ['header', 'description', 'stage', 'errorMessage', 'identifiedUser'] as const) {
          if (typeof action[k] === 'string') result[k] = action[k];
        }
        if (action.sessionProperties && Object.keys(action.sessionProperties).length > 0) {
          deps.log('warn', 'putSessionProperty: Cairn sessions do not carry custom properties yet; ignored', fields);
        }
      }
      if (!result.callbacks && result.outcome === undefined && typeof out.outcome === 'string') result.outcome = out.outcome;
      if (!result.callbacks && result.outcome === undefined) {
        throw new ScriptFailure('script', `Script ${describeScript(script.meta)} set no outcome and sent no callbacks.`);
      }
      return result;
    },
  };
}
