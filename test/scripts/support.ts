/**
 * Helpers for sandbox tests: scripts from source text, a real worker pool and script engine with a
 * recording log and audit, and run requests shaped like a Scripted Decision node's. The pool runs the
 * compiled worker (dist/), which `npm test` builds first.
 */
import type { Callback } from '../../src/callbacks/types.js';
import { createScriptEngine, type ScriptLimits, type ScriptPort, type ScriptRunRequest } from '../../src/scripts/engine.js';
import type { HostHandler } from '../../src/scripts/host.js';
import { libraryOf, scriptKey, type LoadedScript } from '../../src/scripts/library.js';
import type { ScriptEngineKind } from '../../src/scripts/model.js';
import { SandboxPool } from '../../src/scripts/pool.js';
import { needsOf } from '../../src/scripts/wrap.js';

let counter = 0;

export function scriptOf(source: string, engine: ScriptEngineKind = 'next', id = `script-${++counter}`): LoadedScript {
  return {
    meta: {
      _id: id,
      name: id,
      language: 'JAVASCRIPT',
      context: engine === 'next' ? 'SCRIPTED_DECISION_NODE' : 'AUTHENTICATION_TREE_DECISION_NODE',
      evaluatorVersion: engine === 'next' ? '2.0' : '1.0',
    },
    source,
    engine,
    key: scriptKey(engine, source),
    filename: `scripts/${id}.js`,
    needs: needsOf(source),
  };
}

export interface TestEngine {
  engine: ScriptPort;
  pool: SandboxPool;
  logs: { level: string; message: string; fields: Record<string, unknown> }[];
  audits: { event: string; fields: Record<string, unknown> }[];
  add(script: LoadedScript): void;
  close(): Promise<void>;
}

// Generous run time: the well-behaved scripts of these tests must not depend on how busy the machine is.
export const TEST_LIMITS: ScriptLimits = { cpuMs: 5000, wallMs: 10_000, outputBytes: 64 * 1024 };

export function testEngine(
  options: { host?: HostHandler; limits?: Partial<ScriptLimits>; workers?: number; env?: Record<string, string>; memoryMb?: number } = {},
): TestEngine {
  const scripts: LoadedScript[] = [];
  const pool = new SandboxPool({ workers: options.workers ?? 2, memoryBytes: (options.memoryMb ?? 16) * 1024 * 1024 });
  const logs: TestEngine['logs'] = [];
  const audits: TestEngine['audits'] = [];
  const engine = createScriptEngine({
    library: () => libraryOf('test-scripts', scripts),
    pool,
    host: options.host ?? (async (op) => Promise.reject(new Error(`${op} is not available in this test`))),
    limits: { ...TEST_LIMITS, ...options.limits },
    env: options.env ?? {},
    existingSession: async () => ({ Principal: 'bjensen', UserToken: 'bjensen' }),
    log: (level, message, fields) => logs.push({ level, message, fields }),
    audit: (event, fields) => audits.push({ event, fields }),
  });
  return { engine, pool, logs, audits, add: (s) => void scripts.push(s), close: () => pool.close() };
}

export function runRequest(script: LoadedScript, overrides: Partial<ScriptRunRequest> = {}): ScriptRunRequest {
  return {
    scriptId: script.meta._id,
    journeyId: 'TestJourney',
    nodeId: 'node-1',
    identityResource: 'managed/user',
    shared: {},
    transient: {},
    inputs: ['*'],
    outputs: ['*'],
    callbacks: undefined,
    resumed: false,
    request: {
      headers: { 'user-agent': 'vitest', 'x-forwarded-for': '203.0.113.9' },
      query: { authIndexType: 'service', authIndexValue: 'TestJourney' },
      requestId: 'req-test-1',
    },
    ...overrides,
  };
}

/** The callbacks a client would send back: `values[i]` into the first input of callback i. */
export function answer(callbacks: readonly Callback[], values: readonly unknown[]): Callback[] {
  return callbacks.map((cb, i) => {
    const copy = structuredClone(cb);
    if (copy.input?.[0] && values[i] !== undefined) copy.input[0].value = values[i];
    return copy;
  });
}
