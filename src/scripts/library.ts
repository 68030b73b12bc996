/**
 * The scripts a server runs: read from `<journeysDir>/scripts/`, checked at start (every JavaScript
 * decision script must compile), looked up by AM's script id. `problemFor` is what journey validation
 * asks about each script a node names: unknown, Groovy, another context, or broken. Social profile
 * transformation scripts in Groovy (AM's own, as AIC exports carry them) are translated to
 * JavaScript at load (groovy.ts); one outside the language the translation covers is a problem.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { GroovyTranslationError, translateGroovy } from './groovy.js';
import { PRELUDE } from './prelude.js';
import { quickjs } from './realm.js';
import { fileNames, readScriptDir, sourceExtension, type FileProblem, SCRIPTS_DIR } from './files.js';
import {
  DECISION_CONTEXTS,
  describeScript,
  engineOf,
  isGroovy,
  isJavaScript,
  SOCIAL_CONTEXT,
  type ScriptEngineKind,
  type ScriptMeta,
  type ScriptRecord,
} from './model.js';
import { needsOf, wrapScript, type ScriptNeeds, LINE_OFFSET } from './wrap.js';

export interface LoadedScript {
  meta: ScriptMeta;
  /** What runs: the script, or its JavaScript translation (a Groovy profile transformation). */
  source: string;
  /** The language the source was translated from. */
  translatedFrom?: 'groovy';
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
  /** Why a node cannot use script `id` in `context` (default: a Scripted Decision), or undefined when it can. */
  problemFor(id: string, context?: 'decision' | typeof SOCIAL_CONTEXT): string | undefined;
}

export const scriptsDirOf = (journeysDir: string): string => join(journeysDir, SCRIPTS_DIR);

export function libraryOf(dir: string, scripts: readonly LoadedScript[], problems: FileProblem[] = []): ScriptLibrary {
  const byId = new Map(scripts.map((s) => [s.meta._id, s]));
  return {
    dir,
    problems,
    get: (id) => byId.get(id),
    all: () => [...byId.values()],
    problemFor(id, context = 'decision') {
      const s = byId.get(id);
      if (!s) return `There is no script with id "${id}" in ${dir}.`;
      const name = describeScript(s.meta);
      if (context === SOCIAL_CONTEXT) {
        if (s.meta.context !== SOCIAL_CONTEXT)
          return `Script ${name} is a ${s.meta.context} script; a profile transformation needs a ${SOCIAL_CONTEXT} script.`;
        if (!isJavaScript(s.meta) && !isGroovy(s.meta))
          return `Script ${name} is in ${String(s.meta.language)}; Cairn runs JavaScript and AM's Groovy profile scripts.`;
        if (s.compileError) return `Script ${name} cannot run: ${s.compileError}`;
        return undefined;
      }
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
  const scripts: LoadedScript[] = records.map((r) => loaded(r.meta, r.source, `${SCRIPTS_DIR}/${names.get(r.meta._id)}${sourceExtension(r.meta)}`));
  const errors = await syntaxErrors(scripts.filter(isChecked));
  for (const s of scripts) {
    const e = errors.get(s.meta._id);
    if (e) s.compileError = e;
  }
  return libraryOf(dir, scripts);
}

/** Loads and checks a scripts directory (missing: an empty library). */
export async function loadScriptLibrary(dir: string): Promise<ScriptLibrary> {
  const { files, problems } = await readScriptDir(dir);
  const scripts: LoadedScript[] = files.map((f) => loaded(f.meta, f.source, `${SCRIPTS_DIR}/${f.sourceFile.split(/[\\/]/).pop()}`));
  const checked = scripts.filter(isChecked);
  const errors = await syntaxErrors(checked);
  for (const s of checked) {
    const error = errors.get(s.meta._id);
    if (error) {
      s.compileError = error;
      const file = files.find((f) => f.meta._id === s.meta._id)!.sourceFile;
      problems.push({ file, pointer: '', message: `Script ${describeScript(s.meta)} does not compile: ${error}`, severity: 'error' });
    }
  }
  return libraryOf(dir, scripts, problems);
}

/** Scripts whose syntax is checked at load: JavaScript decision scripts and every profile transformation that runs. */
const isChecked = (s: LoadedScript): boolean =>
  (isJavaScript(s.meta) && DECISION_CONTEXTS.includes(s.meta.context)) ||
  (s.engine === 'social' && !s.compileError && (isJavaScript(s.meta) || !!s.translatedFrom));

/** A script as the sandbox runs it; a Groovy profile transformation is translated (or carries why it cannot be). */
function loaded(meta: ScriptMeta, source: string, filename: string): LoadedScript {
  const engine = engineOf(meta);
  let runs = source;
  let translatedFrom: 'groovy' | undefined;
  let compileError: string | undefined;
  if (engine === 'social' && isGroovy(meta)) {
    try {
      runs = translateGroovy(source);
      translatedFrom = 'groovy';
    } catch (e) {
      if (!(e instanceof GroovyTranslationError)) throw e;
      compileError = `its Groovy is outside what Cairn translates (${e.message}); port it to JavaScript.`;
    }
  }
  return {
    meta,
    source: runs,
    engine,
    key: scriptKey(engine, runs),
    filename,
    needs: needsOf(runs),
    ...(translatedFrom ? { translatedFrom } : {}),
    ...(compileError ? { compileError } : {}),
  };
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
      // A profile transformation is evaluated as a script of its own (wrap.ts): compile it as one.
      const r =
        s.engine === 'social'
          ? ctx.evalCode(s.source, s.filename, { compileOnly: true })
          : ctx.evalCode(wrapScript(s.source, { engine: s.engine, ...shapeOf(s.engine) }), s.filename, { compileOnly: true });
      if (r.error) {
        const e = ctx.dump(r.error) as { name?: string; message?: string; stack?: string };
        r.error.dispose();
        const at = /:(\d+)/.exec(e.stack ?? '');
        out.set(
          s.meta._id,
          `${e.name ?? 'SyntaxError'}: ${e.message ?? 'invalid script'}${at ? ` (line ${Math.max(1, Number(at[1]) - (s.engine === 'social' ? 0 : LINE_OFFSET))})` : ''}.`,
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
