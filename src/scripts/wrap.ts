/**
 * Turns a script's source into the one function its realm compiles once: the bindings arrive as
 * parameters, every identifier the script assigns without declaring becomes a local of this
 * execution (so an implicit global cannot carry data from one journey to the next), and a `finally`
 * hands `outcome` and `action` back however the script ends. The source starts on line 2. A social
 * profile transformation script is evaluated instead, for the value of its last statement.
 */
import type { ScriptEngineKind } from './model.js';

/** Words that cannot be declared as variables (reserved, strict-reserved and contextual keywords). */
const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if import ' +
    'in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface ' +
    'package private protected public await async of get set arguments eval undefined NaN Infinity'
  ).split(' '),
);
const IDENTIFIER = /[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*/gu;
/** At most this many implicit locals (a larger script keeps the rest global, where the frozen realm ignores writes). */
const MAX_IMPLICIT = 20_000;

export const LINE_OFFSET = 1;

export interface WrapContext {
  engine: ScriptEngineKind;
  /** The binding names, in the order the prelude passes them. */
  params: readonly string[];
  /** Names defined on the realm's global object (intrinsics, Packages, JavaImporter…): left global. */
  globals: ReadonlySet<string>;
  /** Simple names of shimmed Java classes, pre-bound when the script uses importClass/importPackage. */
  classes: readonly string[];
}

/** Identifiers that occur in `source` (words inside strings and comments included: declaring them is harmless). */
export function identifiersOf(source: string): Set<string> {
  const found = new Set<string>();
  for (const m of source.matchAll(IDENTIFIER)) found.add(m[0]);
  return found;
}

export function wrapScript(source: string, ctx: WrapContext): string {
  const params = new Set(ctx.params);
  const words = identifiersOf(source);
  const imports = words.has('importClass') || words.has('importPackage');
  const classes = new Set(ctx.classes);
  const locals: string[] = [];
  const bound: string[] = [];
  for (const w of words) {
    if (RESERVED.has(w) || params.has(w) || ctx.globals.has(w) || w.startsWith('__cairn')) continue;
    if (imports && classes.has(w)) bound.push(`${w} = __cairnClass(${JSON.stringify(w)})`);
    else if (locals.length < MAX_IMPLICIT) locals.push(w);
  }
  const bindings = ctx.params.map((p, i) => `${p} = __cairnArgs[${i}]`).join(', ');
  const decl = [...locals, ...bound].length ? `var ${[...locals, ...bound].join(', ')};` : '';
  if (ctx.engine === 'social') {
    // AM's rule for these scripts: the value of the last statement is the result (a trailing IIFE,
    // or a bare variable). A direct eval gives exactly that, in this function's scope (the bindings
    // and the declared locals), compiled per execution: profile transformations run once a sign-in.
    return `(function (__cairnArgs, __cairnCapture, __cairnClass) { var ${bindings}; ${decl}\nreturn eval(${JSON.stringify(source)}); })`;
  }
  return (
    `(function (__cairnArgs, __cairnCapture, __cairnClass) { var ${bindings}; ${decl} try {\n` +
    source +
    `\n} finally { __cairnCapture(outcome, ${ctx.engine === 'legacy' ? 'action' : 'null'}, auditEntryDetail); } })`
  );
}

/** Which optional inputs a script needs, so the host only gathers those (a session lookup, the environment). */
export interface ScriptNeeds {
  existingSession: boolean;
  systemEnv: boolean;
  requestCookies: boolean;
}

export function needsOf(source: string): ScriptNeeds {
  const words = identifiersOf(source);
  return { existingSession: words.has('existingSession'), systemEnv: words.has('systemEnv'), requestCookies: words.has('requestCookies') };
}
