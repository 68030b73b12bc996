/**
 * One compiled script: its own QuickJS runtime (so memory is limited per script) and realm, the
 * prelude's bindings, the script compiled once into a function, then everything frozen. `run` executes
 * it with a CPU budget enforced by QuickJS's interrupt handler; time spent waiting for the host
 * (identity, HTTP) does not count against it. Used by the sandbox workers and by start-up validation.
 */
import variant from '@jitl/quickjs-wasmfile-release-sync';
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSSyncVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';
import type { ScriptEngineKind } from './model.js';
import { PRELUDE } from './prelude.js';
import { LINE_OFFSET, wrapScript } from './wrap.js';

let modulePromise: Promise<QuickJSWASMModule> | undefined;
const PAGE = 64 * 1024;
/**
 * The QuickJS WebAssembly module, loaded once per thread. `maxBytes` caps its whole linear memory:
 * QuickJS's own limit does not count ArrayBuffer contents, this cap does (allocations beyond it fail).
 */
export const quickjs = (maxBytes?: number): Promise<QuickJSWASMModule> =>
  (modulePromise ??= newQuickJSWASMModuleFromVariant(
    maxBytes === undefined
      ? (variant as unknown as QuickJSSyncVariant)
      : newVariant(variant as unknown as QuickJSSyncVariant, {
          wasmMemory: new WebAssembly.Memory({ initial: 256, maximum: Math.max(512, Math.ceil(maxBytes / PAGE)) }),
        }),
  ));

export interface RealmOptions {
  source: string;
  engine: ScriptEngineKind;
  /** File name shown in syntax errors and stacks, e.g. `scripts/Check-Username.js`. */
  filename: string;
  memoryBytes: number;
  stackBytes?: number;
}

/** The host's answer to one binding call: JSON text, or throws an Error whose message the script sees. */
export type HostCall = (op: string, argsJson: string) => string | null;

export type FailureKind = 'compile' | 'cpu' | 'memory' | 'output' | 'script';

export class ScriptFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'ScriptFailure';
  }
}

export interface RunBudget {
  cpuMs: number;
  outputBytes: number;
  host: HostCall;
}

export interface Realm {
  run(inputJson: string, budget: RunBudget): string;
  /** True when a failed run may have left the runtime short of memory: make a fresh realm. */
  readonly spoiled: boolean;
  dispose(): void;
}

const STACK_BYTES = 512 * 1024;

function errorText(ctx: QuickJSContext, handle: QuickJSHandle): { message: string; stack?: string } {
  const e = ctx.dump(handle) as unknown;
  if (e && typeof e === 'object') {
    const o = e as { name?: unknown; message?: unknown; stack?: unknown };
    const message = `${typeof o.name === 'string' ? o.name + ': ' : ''}${typeof o.message === 'string' ? o.message : JSON.stringify(e)}`;
    return { message, ...(typeof o.stack === 'string' ? { stack: o.stack } : {}) };
  }
  return { message: String(e) };
}

/** `at <anonymous> (scripts/x.js:12)` → line numbers of the script file itself. */
function scriptLines(text: string, filename: string): string {
  const escaped = filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(`${escaped}:(\\d+)`, 'g'), (_, n: string) => `${filename}:${Math.max(1, Number(n) - LINE_OFFSET)}`);
}

function classify(message: string): FailureKind {
  if (/out of memory/i.test(message) || /stack overflow/i.test(message)) return 'memory';
  return 'script';
}

/** Creates the realm and compiles the script; a syntax error is a ScriptFailure of kind `compile`. */
export async function createRealm(options: RealmOptions): Promise<Realm> {
  const module = await quickjs();
  return createRealmSync(module, options);
}

export function createRealmSync(module: QuickJSWASMModule, options: RealmOptions): Realm {
  const runtime: QuickJSRuntime = module.newRuntime();
  runtime.setMaxStackSize(options.stackBytes ?? STACK_BYTES);
  const ctx = runtime.newContext();
  let current: { deadline: number; host: HostCall; interrupted: boolean; overflowed: boolean } | undefined;
  let spoiled = false;
  const handles: QuickJSHandle[] = [];
  const own = <T extends QuickJSHandle>(h: T): T => {
    handles.push(h);
    return h;
  };
  const dispose = (): void => {
    for (const h of handles.reverse()) if (h.alive) h.dispose();
    ctx.dispose();
    runtime.dispose();
  };
  try {
    const hostFn = own(
      ctx.newFunction('host', (opH, argsH) => {
        const exec = current;
        if (!exec) throw new Error('No execution is running.');
        const op = ctx.getString(opH);
        if (op === 'overflow') {
          // Past its output budget: stop the script at the next interrupt check, whatever it catches.
          exec.overflowed = true;
          exec.deadline = -Infinity;
          return ctx.null;
        }
        const started = performance.now();
        try {
          const answer = exec.host(op, ctx.getString(argsH));
          return answer === null ? ctx.null : ctx.newString(answer);
        } finally {
          exec.deadline += performance.now() - started; // waiting for the host is not the script's CPU time
        }
      }),
    );
    const preludeFn = own(unwrap(ctx, ctx.evalCode(PRELUDE, 'cairn-prelude.js'), 'the prelude'));
    const api = own(unwrap(ctx, ctx.callFunction(preludeFn, ctx.undefined, hostFn, own(ctx.newString(options.engine))), 'the prelude'));
    const params = dumpStrings(ctx, api, 'params');
    const classes = dumpStrings(ctx, api, 'simpleClasses');
    const globalsH = unwrap(ctx, ctx.evalCode('Reflect.ownKeys(globalThis).filter(function (k) { return typeof k === "string"; })'), 'globals');
    const globals = new Set(ctx.dump(globalsH) as string[]);
    globalsH.dispose();
    const wrapped = wrapScript(options.source, { engine: options.engine, params, globals, classes });
    const compiled = ctx.evalCode(wrapped, options.filename);
    if (compiled.error) {
      const e = errorText(ctx, compiled.error);
      compiled.error.dispose();
      throw new ScriptFailure('compile', scriptLines(e.stack ? `${e.message} ${firstFrame(e.stack)}` : e.message, options.filename));
    }
    const fn = own(compiled.value);
    const bindFn = own(ctx.getProp(api, 'bind'));
    const runFn = own(unwrap(ctx, ctx.callFunction(bindFn, api, fn), 'bind'));
    const lockdown = own(ctx.getProp(api, 'lockdown'));
    unwrap(ctx, ctx.callFunction(lockdown, api), 'lockdown').dispose();
    const baseline = mallocSize(ctx, runtime);
    runtime.setMemoryLimit(baseline + options.memoryBytes);
    runtime.setInterruptHandler(() => {
      const exec = current;
      if (exec && performance.now() > exec.deadline) {
        exec.interrupted = true;
        return true;
      }
      return false;
    });

    return {
      get spoiled() {
        return spoiled;
      },
      run(inputJson, budget) {
        const exec = { deadline: performance.now() + budget.cpuMs, host: budget.host, interrupted: false, overflowed: false };
        current = exec;
        try {
          const input = ctx.newString(inputJson);
          const result = ctx.callFunction(runFn, ctx.undefined, input);
          input.dispose();
          if (result.error) {
            const e = errorText(ctx, result.error);
            result.error.dispose();
            if (exec.overflowed) throw new ScriptFailure('output', 'The script logged more than its output budget allows.');
            if (exec.interrupted) throw new ScriptFailure('cpu', `The script ran longer than its CPU budget of ${budget.cpuMs} ms.`);
            const kind = classify(e.message);
            if (kind === 'memory') {
              spoiled = true;
              throw new ScriptFailure('memory', `The script exceeded its memory budget (${e.message}).`);
            }
            if (/log output exceeded/.test(e.message)) throw new ScriptFailure('output', 'The script logged more than its output budget allows.');
            throw new ScriptFailure('script', scriptLines(e.stack ? `${e.message} ${firstFrame(e.stack)}` : e.message, options.filename));
          }
          const out = ctx.getString(result.value);
          result.value.dispose();
          if (out.length > budget.outputBytes)
            throw new ScriptFailure(
              'output',
              `The script produced ${out.length} bytes of state and callbacks, more than its budget of ${budget.outputBytes}.`,
            );
          return out;
        } finally {
          current = undefined;
        }
      },
      dispose,
    };
  } catch (e) {
    dispose();
    throw e;
  }
}

function unwrap(ctx: QuickJSContext, r: ReturnType<QuickJSContext['evalCode']>, what: string): QuickJSHandle {
  if (r.error) {
    const e = errorText(ctx, r.error);
    r.error.dispose();
    throw new Error(`The script sandbox could not set up ${what}: ${e.message}`);
  }
  return r.value;
}

function dumpStrings(ctx: QuickJSContext, obj: QuickJSHandle, prop: string): string[] {
  const h = ctx.getProp(obj, prop);
  const v = ctx.dump(h) as string[];
  h.dispose();
  return v;
}

function firstFrame(stack: string): string {
  const line = stack.split('\n').find((l) => /:\d+/.test(l));
  return line ? `(${line.trim().replace(/^at\s+/, '')})` : '';
}

function mallocSize(ctx: QuickJSContext, runtime: QuickJSRuntime): number {
  const h = runtime.computeMemoryUsage();
  const usage = ctx.dump(h) as { malloc_size?: number; memory_used_size?: number };
  h.dispose();
  return usage.malloc_size ?? usage.memory_used_size ?? 0;
}
