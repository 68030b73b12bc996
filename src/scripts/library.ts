/**
 * The scripts a server runs: read from `<journeysDir>/scripts/`, checked at start (every JavaScript
 * decision script must compile), looked up by AM's script id. `problemFor` is what journey validation
 * asks about each Scripted Decision node's script: unknown, Groovy, another context, or broken.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { PRELUDE } from './prelude.js';
import { quickjs } from './realm.js';
import { fileNames, readScriptDir, sourceExtension, type FileProblem, SCRIPTS_DIR } from './files.js';
import {
  DECISION_CONTEXTS,
  describeScript,
  engineOf,
  isGroovy,
  isJavaScript,
  type ScriptEngineKind,
  type ScriptMeta,
  type ScriptRecord,
} from './model.js';
import { needsOf, wrapScript, type ScriptNeeds, LINE_OFFSET } from './wrap.js';

export interface LoadedScript {
  meta: ScriptMeta;
  source: string;
  engine: ScriptEngineKind;
  /** Content hash of engine and source: the version a realm is compiled for. */
  key: string;
  /** Name shown in errors and stacks, e.g. `scripts/Check-Username.js`. */
  filename: string;
  needs: ScriptNeeds;
  /** Why the script cannot run (syntax error), when it cannot. */
  compileError?: string;
}

export interface ScriptLibrary {
  readonly dir: string;
  get(id: string): LoadedScript | undefined;
  all(): LoadedScript[];
  /** Problems of the script files themselves. */
  readonly problems: FileProblem[];
  /** Why a Scripted Decision node cannot use script `id`, or undefined when it can. */
  problemFor(id: string): string | undefined;
}

export const scriptsDirOf = (journeysDir: string): string => join(journeysDir, SCRIPTS_DIR);

export function libraryOf(dir: string, scripts: readonly LoadedScript[], problems: FileProblem[] = []): ScriptLibrary {
  const byId = new Map(scripts.map((s) => [s.meta._id, s]));
  return {
    dir,
    problems,
    get: (id) => byId.get(id),
    all: () => [...byId.values()],
    problemFor(id) {
      const s = byId.get(id);
      if (!s) return `There is no script with id "${id}" in ${dir}.`;
      const name = describeScript(s.meta);
      if (isGroovy(s.meta)) return `Script ${name} is written in Groovy, which Cairn does not run: this node needs a JavaScript port of it.`;
      if (!isJavaScript(s.meta)) return `Script ${name} is in ${String(s.meta.language)}; Cairn runs JavaScript scripts only.`;
      if (!DECISION_CONTEXTS.includes(s.meta.context)) {
        return `Script ${name} is a ${s.meta.context} script; a Scripted Decision node runs ${DECISION_CONTEXTS.join(' or ')} scripts.`;
      }
      if (s.compileError) return `Script ${name} does not compile: ${s.compileError}`;
      return undefined;
    },
  };
}

export const scriptKey = (engine: ScriptEngineKind, source: string): string =>
  createHash('sha256').update(engine).update('\0').update(source).digest('hex').slice(0, 24);

/** A library of records not yet on disk (an import being checked before it is written). */
export async function libraryFromRecords(dir: string, records: readonly ScriptRecord[]): Promise<ScriptLibrary> {
  const names = fileNames(records.map((r) => r.meta));
  const scripts: LoadedScript[] = records.map((r) => {
    const engine = engineOf(r.meta);
    return {
      meta: r.meta,
      source: r.source,
      engine,
      key: scriptKey(engine, r.source),
      filename: `${SCRIPTS_DIR}/${names.get(r.meta._id)}${sourceExtension(r.meta)}`,
      needs: needsOf(r.source),
    };
  });
  const errors = await syntaxErrors(scripts.filter((s) => isJavaScript(s.meta) && DECISION_CONTEXTS.includes(s.meta.context)));
  for (const s of scripts) {
    const e = errors.get(s.meta._id);
    if (e) s.compileError = e;
  }
  return libraryOf(dir, scripts);
}

/** Loads and checks a scripts directory (missing: an empty library). */
export async function loadScriptLibrary(dir: string): Promise<ScriptLibrary> {
  const { files, problems } = await readScriptDir(dir);
  const scripts: LoadedScript[] = files.map((f) => {
    const engine = engineOf(f.meta);
    return {
      meta: f.meta,
      source: f.source,
      engine,
      key: scriptKey(engine, f.source),
      filename: `${SCRIPTS_DIR}/${f.sourceFile.split(/[\\/]/).pop()}`,
      needs: needsOf(f.source),
    };
  });
  const decision = scripts.filter((s) => isJavaScript(s.meta) && DECISION_CONTEXTS.includes(s.meta.context));
  const errors = await syntaxErrors(decision);
  for (const s of decision) {
    const error = errors.get(s.meta._id);
    if (error) {
      s.compileError = error;
      const file = files.find((f) => f.meta._id === s.meta._id)!.sourceFile;
      problems.push({ file, pointer: '', message: `Script ${describeScript(s.meta)} does not compile: ${error}`, severity: 'error' });
    }
  }
  return libraryOf(dir, scripts, problems);
}

/** Compiles each script as its realm will (the same wrapper), without running anything. */
export async function syntaxErrors(scripts: readonly Pick<LoadedScript, 'meta' | 'source' | 'engine' | 'filename'>[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (scripts.length === 0) return out;
  const module = await quickjs();
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(256 * 1024 * 1024);
  const ctx = runtime.newContext();
  const handles: { dispose(): void; alive: boolean }[] = [];
  const own = <T extends { dispose(): void; alive: boolean }>(h: T): T => (handles.push(h), h);
  try {
    const shapes = new Map<ScriptEngineKind, { params: string[]; classes: string[]; globals: Set<string> }>();
    const shapeOf = (engine: ScriptEngineKind) => {
      let shape = shapes.get(engine);
      if (!shape) {
        const pre = own(ctx.unwrapResult(ctx.evalCode(PRELUDE, 'cairn-prelude.js')));
        const host = own(ctx.newFunction('host', () => ctx.null));
        const api = own(ctx.unwrapResult(ctx.callFunction(pre, ctx.undefined, host, own(ctx.newString(engine)))));
        const params = ctx.dump(own(ctx.getProp(api, 'params'))) as string[];
        const classes = ctx.dump(own(ctx.getProp(api, 'simpleClasses'))) as string[];
        const globals = new Set(
          ctx.dump(
            own(ctx.unwrapResult(ctx.evalCode('Reflect.ownKeys(globalThis).filter(function (k) { return typeof k === "string"; })'))),
          ) as string[],
        );
        shape = { params, classes, globals };
        shapes.set(engine, shape);
      }
      return shape;
    };
    for (const s of scripts) {
      const shape = shapeOf(s.engine);
      const r = ctx.evalCode(wrapScript(s.source, { engine: s.engine, ...shape }), s.filename, { compileOnly: true });
      if (r.error) {
        const e = ctx.dump(r.error) as { name?: string; message?: string; stack?: string };
        r.error.dispose();
        const at = /:(\d+)/.exec(e.stack ?? '');
        out.set(
          s.meta._id,
          `${e.name ?? 'SyntaxError'}: ${e.message ?? 'invalid script'}${at ? ` (line ${Math.max(1, Number(at[1]) - LINE_OFFSET)})` : ''}.`,
        );
      } else {
        r.value.dispose();
      }
    }
  } finally {
    for (const h of handles.reverse()) if (h.alive) h.dispose();
    ctx.dispose();
    runtime.dispose();
  }
  return out;
}
