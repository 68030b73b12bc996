/**
 * Groovy profile transformation scripts, translated to JavaScript for the sandbox. AM ships its social
 * identity provider scripts (each provider's profile normalisation, "Normalized Profile to Managed
 * User") in Groovy, and PingOne AIC exports carry them, often copied and edited. Cairn has no Groovy
 * runtime; it translates the small language these scripts are written in — imports of JsonValue's
 * builders, typed or untyped declarations, assignments, `if`/`else`, `return`, property paths, method
 * calls, indexes, safe navigation (`?.`), the Elvis and ternary operators, `!`, `&&`, `||`, `==`,
 * string concatenation and interpolation, list and map literals — into JavaScript that calls Groovy's
 * semantics in the realm (`__cairnGroovy` in prelude.ts: Groovy truth, null-safe equality, JsonValue
 * member access). Anything outside that language (closures, `new`, classes, other imports) is refused
 * with its line, so a script either runs as AM runs it or is named at start as needing a port.
 *
 * The output is one expression, `(function () { … }())`, whose value is the script's result.
 * Identifiers are emitted only from this translator's own vocabulary: bindings by their name, the
 * script's variables as `l_<name>`, strings through JSON.stringify; no text of the script reaches
 * the output unparsed.
 */

/** The bindings a profile transformation script sees (prelude.ts, engine `social`). */
const BINDINGS = new Set([
  'rawProfile',
  'normalizedProfile',
  'selectedIdp',
  'sharedState',
  'transientState',
  'nodeState',
  'callbacks',
  'logger',
  'httpClient',
  'realm',
  'scriptName',
  'requestHeaders',
  'requestParameters',
  'existingSession',
  'systemEnv',
]);
/** JsonValue's static builders (`import static org.forgerock.json.JsonValue.*`). */
const BUILDERS = new Set(['json', 'object', 'field', 'fieldIfNotNull', 'array']);
const ALLOWED_IMPORTS = /^(static\s+)?org\.forgerock\.json\.JsonValue(\.(\*|json|object|field|fieldIfNotNull|array))?$/;
const DECLARATION_WORDS = new Set(['def', 'var', 'final']);
const CASTS = new Set(['String', 'boolean', 'Boolean', 'int', 'Integer', 'long', 'Long', 'double', 'Double']);
const KEYWORDS = new Set([
  'if',
  'else',
  'return',
  'import',
  'true',
  'false',
  'null',
  'new',
  'class',
  'def',
  'var',
  'final',
  'for',
  'while',
  'switch',
  'try',
  'catch',
  'throw',
  'in',
  'as',
]);

export class GroovyTranslationError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'GroovyTranslationError';
  }
}

type TokenKind = 'ident' | 'number' | 'string' | 'gstring' | 'punct' | 'newline' | 'eof';
interface Token {
  kind: TokenKind;
  value: string;
  line: number;
  /** GString parts: literal text and `${…}` / `$name` expressions (source text, parsed later). */
  parts?: ({ text: string } | { expr: string; line: number })[];
}

const PUNCTUATION = [
  '?.',
  '?:',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '+=',
  '-=',
  '++',
  '--',
  '->',
  '!',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  '.',
  ';',
  '=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '<',
  '>',
  '?',
  ':',
];

function tokenize(source: string, firstLine = 1): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = firstLine;
  const at = (k = 0): string => source[i + k] ?? '';
  const push = (kind: TokenKind, value: string, extra: Partial<Token> = {}): void => void tokens.push({ kind, value, line, ...extra });
  while (i < source.length) {
    const c = at();
    if (c === '\n') {
      push('newline', '\n');
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
    } else if (c === '/' && at(1) === '/') {
      while (i < source.length && at() !== '\n') i++;
    } else if (c === '/' && at(1) === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new GroovyTranslationError('a comment is not closed', line);
      for (const ch of source.slice(i, end)) if (ch === '\n') line++;
      i = end + 2;
    } else if (c === '\\' && at(1) === '\n') {
      i += 2; // line continuation
      line++;
    } else if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < source.length && /[\w$]/.test(source[j]!)) j++;
      push('ident', source.slice(i, j));
      i = j;
    } else if (/[0-9]/.test(c)) {
      const m = /^(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)[LlGgDdFfIi]?/.exec(source.slice(i))!;
      push('number', m[1]!);
      i += m[0].length;
    } else if (c === '"' || c === "'") {
      const triple = at(1) === c && at(2) === c;
      const quote = triple ? c.repeat(3) : c;
      const startLine = line;
      i += quote.length;
      let text = '';
      const parts: NonNullable<Token['parts']> = [];
      let interpolated = false;
      for (;;) {
        if (i >= source.length) throw new GroovyTranslationError('a string is not closed', startLine);
        if (source.startsWith(quote, i)) {
          i += quote.length;
          break;
        }
        const ch = at();
        if (ch === '\n') {
          if (!triple) throw new GroovyTranslationError('a string is not closed on its line', startLine);
          line++;
        }
        if (ch === '\\') {
          const e = at(1);
          const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '\\': '\\', "'": "'", '"': '"', $: '$' };
          if (e in simple) {
            text += simple[e];
            i += 2;
          } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
            text += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
            i += 6;
          } else {
            throw new GroovyTranslationError(`the escape \\${e} is not supported`, line);
          }
          continue;
        }
        if (c === '"' && ch === '$' && (at(1) === '{' || /[A-Za-z_]/.test(at(1)))) {
          interpolated = true;
          if (text) parts.push({ text });
          text = '';
          if (at(1) === '{') {
            let depth = 1;
            let j = i + 2;
            while (j < source.length && depth > 0) {
              if (source[j] === '{') depth++;
              else if (source[j] === '}') depth--;
              j++;
            }
            if (depth > 0) throw new GroovyTranslationError('a ${…} in a string is not closed', line);
            parts.push({ expr: source.slice(i + 2, j - 1), line });
            i = j;
          } else {
            const m = /^[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*/.exec(source.slice(i + 1))!;
            parts.push({ expr: m[0], line });
            i += 1 + m[0].length;
          }
          continue;
        }
        text += ch;
        i++;
      }
      if (interpolated) {
        if (text) parts.push({ text });
        tokens.push({ kind: 'gstring', value: '', line: startLine, parts });
      } else {
        tokens.push({ kind: 'string', value: text, line: startLine });
      }
    } else {
      const p = PUNCTUATION.find((x) => source.startsWith(x, i));
      if (!p) throw new GroovyTranslationError(`the character ${JSON.stringify(c)} is not supported`, line);
      push('punct', p);
      i += p.length;
    }
  }
  push('eof', '');
  return tokens;
}

/** A translated expression: its JavaScript text. */
type Js = string;

class Translator {
  private pos = 0;
  /** The script's variables, with the type they were declared with (for casts on assignment). */
  private readonly locals = new Map<string, string>();

  constructor(private readonly tokens: Token[]) {}

  private get tok(): Token {
    return this.tokens[this.pos]!;
  }
  private peek(k = 1): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)]!;
  }
  private fail(message: string, token: Token = this.tok): never {
    throw new GroovyTranslationError(message, token.line);
  }
  private isPunct(value: string, token: Token = this.tok): boolean {
    return token.kind === 'punct' && token.value === value;
  }
  private isWord(value: string, token: Token = this.tok): boolean {
    return token.kind === 'ident' && token.value === value;
  }
  private expect(value: string): void {
    if (!this.isPunct(value)) this.fail(`expected "${value}" but found ${describe(this.tok)}`);
    this.pos++;
  }
  private skipNewlines(): void {
    while (this.tok.kind === 'newline' || this.isPunct(';')) this.pos++;
  }
  /** Newlines inside brackets and after an operator do not end anything. */
  private skipLineBreaks(): void {
    while (this.tok.kind === 'newline') this.pos++;
  }

  program(): Js {
    const body: Js[] = [];
    this.skipNewlines();
    while (this.tok.kind !== 'eof') {
      const s = this.statement();
      if (s) body.push(s);
      this.endOfStatement();
    }
    return `(function () { var __g = __cairnGroovy;\n${body.join('\n')}\n}())`;
  }

  private endOfStatement(): void {
    if (this.tok.kind === 'eof' || this.isPunct('}')) return;
    if (this.tok.kind !== 'newline' && !this.isPunct(';')) this.fail(`expected the end of the statement but found ${describe(this.tok)}`);
    this.skipNewlines();
  }

  private block(): Js {
    if (!this.isPunct('{')) {
      const s = this.statement();
      return `{ ${s} }`;
    }
    this.pos++;
    const body: Js[] = [];
    this.skipNewlines();
    while (!this.isPunct('}')) {
      if (this.tok.kind === 'eof') this.fail('a block is not closed with "}"');
      const s = this.statement();
      if (s) body.push(s);
      this.endOfStatement();
    }
    this.pos++;
    return `{ ${body.join('\n')} }`;
  }

  private statement(): Js {
    const t = this.tok;
    if (this.isWord('import')) return this.importStatement();
    if (this.isWord('if')) {
      this.pos++;
      this.expect('(');
      this.skipLineBreaks();
      const cond = this.expression();
      this.skipLineBreaks();
      this.expect(')');
      this.skipLineBreaks();
      const then = this.block();
      // `else` may follow on the next line.
      const save = this.pos;
      this.skipNewlines();
      if (this.isWord('else')) {
        this.pos++;
        this.skipLineBreaks();
        const otherwise = this.isWord('if') ? `{ ${this.statement()} }` : this.block();
        return `if (__g.truthy(${cond})) ${then} else ${otherwise}`;
      }
      this.pos = save;
      return `if (__g.truthy(${cond})) ${then}`;
    }
    if (this.isWord('return')) {
      this.pos++;
      if (this.tok.kind === 'newline' || this.tok.kind === 'eof' || this.isPunct(';') || this.isPunct('}')) return 'return null;';
      return `return ${this.expression()};`;
    }
    if (this.isPunct('{')) return this.block();
    const declared = this.declaration();
    if (declared !== undefined) return declared;
    if (t.kind === 'ident' && KEYWORDS.has(t.value) && !['true', 'false', 'null'].includes(t.value)) {
      this.fail(`"${t.value}" is not supported by Cairn's Groovy translation`);
    }
    // Assignment to a variable of the script.
    if (t.kind === 'ident' && (this.isPunct('=', this.peek()) || this.isPunct('+=', this.peek()))) {
      const type = this.locals.get(t.value);
      if (type === undefined) {
        this.fail(BINDINGS.has(t.value) ? `the binding ${t.value} cannot be assigned` : `${t.value} is assigned before it is declared`);
      }
      const op = this.peek().value;
      this.pos += 2;
      this.skipLineBreaks();
      const value = this.expression();
      const next = op === '+=' ? `__g.plus(l_${t.value}, ${value})` : value;
      return `l_${t.value} = ${this.cast(type, next)};`;
    }
    return `${this.expression()};`;
  }

  private importStatement(): Js {
    const line = this.tok;
    this.pos++;
    const words: string[] = [];
    while (this.tok.kind !== 'newline' && this.tok.kind !== 'eof' && !this.isPunct(';')) {
      words.push(this.tok.value);
      this.pos++;
    }
    const name = words.join(' ').replace(/\s*\.\s*/g, '.');
    if (!ALLOWED_IMPORTS.test(name))
      this.fail(`the import ${name} is not available (Cairn's Groovy translation provides org.forgerock.json.JsonValue)`, line);
    return '';
  }

  /** `String x = …`, `JsonValue x = …`, `def x = …`, `var x`, `final String x = …`. */
  private declaration(): Js | undefined {
    let k = 0;
    if (this.isWord('final', this.peek(k))) k++;
    const first = this.peek(k);
    if (first.kind !== 'ident') return undefined;
    let type: string;
    let nameAt: number;
    if (DECLARATION_WORDS.has(first.value)) {
      type = 'def';
      nameAt = k + 1;
    } else if (this.peek(k + 1).kind === 'ident' && /^[A-Z]|^(boolean|int|long|double)$/.test(first.value) && !KEYWORDS.has(first.value)) {
      type = first.value;
      nameAt = k + 1;
    } else if (/^[A-Z]/.test(first.value) && this.isPunct('<', this.peek(k + 1))) {
      // Map<String, Object> x = …
      let j = k + 2;
      let depth = 1;
      while (depth > 0) {
        const tk = this.peek(j);
        if (tk.kind === 'eof' || tk.kind === 'newline') return undefined;
        if (this.isPunct('<', tk)) depth++;
        if (this.isPunct('>', tk)) depth--;
        j++;
      }
      if (this.peek(j).kind !== 'ident') return undefined;
      type = first.value;
      nameAt = j;
    } else {
      return undefined;
    }
    const name = this.peek(nameAt);
    if (name.kind !== 'ident' || KEYWORDS.has(name.value)) return undefined;
    if (BINDINGS.has(name.value)) this.fail(`a variable cannot be named ${name.value}: it is a binding`, name);
    if (!/^[A-Za-z_][\w]*$/.test(name.value)) this.fail(`the variable name ${name.value} is not supported`, name);
    this.pos += nameAt + 1;
    this.locals.set(name.value, type);
    if (!this.isPunct('=')) return `var l_${name.value} = null;`;
    this.pos++;
    this.skipLineBreaks();
    return `var l_${name.value} = ${this.cast(type, this.expression())};`;
  }

  private cast(type: string, value: Js): Js {
    return CASTS.has(type) ? `__g.cast(${JSON.stringify(type)}, ${value})` : value;
  }

  expression(): Js {
    const cond = this.or();
    if (this.isPunct('?:')) {
      this.pos++;
      this.skipLineBreaks();
      const otherwise = this.expression();
      return `(function (t) { return __g.truthy(t) ? t : ${otherwise}; })(${cond})`;
    }
    if (this.isPunct('?')) {
      this.pos++;
      this.skipLineBreaks();
      const a = this.expression();
      this.skipLineBreaks();
      this.expect(':');
      this.skipLineBreaks();
      const b = this.expression();
      return `(__g.truthy(${cond}) ? ${a} : ${b})`;
    }
    return cond;
  }

  private binary(next: () => Js, ops: Record<string, (a: Js, b: Js) => Js>): Js {
    let left = next();
    for (;;) {
      const op = this.tok.kind === 'punct' ? ops[this.tok.value] : undefined;
      if (!op) return left;
      this.pos++;
      this.skipLineBreaks();
      left = op(left, next());
    }
  }

  private or(): Js {
    return this.binary(() => this.and(), { '||': (a, b) => `(__g.truthy(${a}) || __g.truthy(${b}))` });
  }
  private and(): Js {
    return this.binary(() => this.equality(), { '&&': (a, b) => `(__g.truthy(${a}) && __g.truthy(${b}))` });
  }
  private equality(): Js {
    return this.binary(() => this.relational(), { '==': (a, b) => `__g.eq(${a}, ${b})`, '!=': (a, b) => `!__g.eq(${a}, ${b})` });
  }
  private relational(): Js {
    const num = (op: string) => (a: Js, b: Js) => `(__g.cast("double", ${a}) ${op} __g.cast("double", ${b}))`;
    return this.binary(() => this.additive(), { '<': num('<'), '>': num('>'), '<=': num('<='), '>=': num('>=') });
  }
  private additive(): Js {
    return this.binary(() => this.multiplicative(), {
      '+': (a, b) => `__g.plus(${a}, ${b})`,
      '-': (a, b) => `(__g.cast("double", ${a}) - __g.cast("double", ${b}))`,
    });
  }
  private multiplicative(): Js {
    const num = (op: string) => (a: Js, b: Js) => `(__g.cast("double", ${a}) ${op} __g.cast("double", ${b}))`;
    return this.binary(() => this.unary(), { '*': num('*'), '/': num('/'), '%': num('%') });
  }
  private unary(): Js {
    if (this.isPunct('!')) {
      this.pos++;
      return `!__g.truthy(${this.unary()})`;
    }
    if (this.isPunct('-')) {
      this.pos++;
      return `(-__g.cast("double", ${this.unary()}))`;
    }
    return this.postfix();
  }

  private postfix(): Js {
    let value = this.primary();
    for (;;) {
      // A call chain may continue on the next line (`.put(…)` starting a line).
      if (this.tok.kind === 'newline') {
        let k = 0;
        while (this.peek(k).kind === 'newline') k++;
        if (this.isPunct('.', this.peek(k)) || this.isPunct('?.', this.peek(k))) this.pos += k;
        else return value;
      }
      if (this.isPunct('.') || this.isPunct('?.')) {
        const safe = this.tok.value === '?.';
        this.pos++;
        const name = this.tok;
        if (name.kind !== 'ident' && name.kind !== 'string') this.fail(`expected a property or method name but found ${describe(name)}`);
        this.pos++;
        if (this.isPunct('(')) {
          const args = this.args(')');
          value = `__g.call(${value}, ${JSON.stringify(name.value)}, [${args.join(', ')}]${safe ? ', true' : ''})`;
        } else if (this.isPunct('{')) {
          this.fail("closures are not supported by Cairn's Groovy translation");
        } else {
          value = `__g.prop(${value}, ${JSON.stringify(name.value)}${safe ? ', true' : ''})`;
        }
        continue;
      }
      if (this.isPunct('[')) {
        this.pos++;
        this.skipLineBreaks();
        const index = this.expression();
        this.skipLineBreaks();
        this.expect(']');
        value = `__g.index(${value}, ${index})`;
        continue;
      }
      return value;
    }
  }

  private args(close: string): Js[] {
    this.pos++; // the opening bracket
    const out: Js[] = [];
    this.skipLineBreaks();
    while (!this.isPunct(close)) {
      out.push(this.expression());
      this.skipLineBreaks();
      if (this.isPunct(',')) {
        this.pos++;
        this.skipLineBreaks();
      } else if (!this.isPunct(close)) {
        this.fail(`expected "," or "${close}" but found ${describe(this.tok)}`);
      }
    }
    this.pos++;
    return out;
  }

  private primary(): Js {
    const t = this.tok;
    switch (t.kind) {
      case 'number':
        this.pos++;
        return String(Number(t.value));
      case 'string':
        this.pos++;
        return JSON.stringify(t.value);
      case 'gstring': {
        this.pos++;
        const parts = (t.parts ?? []).map((p) => ('text' in p ? JSON.stringify(p.text) : subExpression(p.expr, p.line, this.locals)));
        return parts.reduce((a, b) => `__g.plus(${a}, ${b})`, '""');
      }
      case 'ident': {
        if (t.value === 'true' || t.value === 'false' || t.value === 'null') {
          this.pos++;
          return t.value;
        }
        if (t.value === 'new') this.fail('"new" is not supported by Cairn\'s Groovy translation');
        if (KEYWORDS.has(t.value)) this.fail(`unexpected "${t.value}"`);
        this.pos++;
        if (this.isPunct('(')) {
          if (!BUILDERS.has(t.value)) this.fail(`the function ${t.value}() is not available (JsonValue's json, object, field are)`, t);
          return `__g.${t.value}(${this.args(')').join(', ')})`;
        }
        if (this.locals.has(t.value)) return `l_${t.value}`;
        if (BINDINGS.has(t.value)) return t.value;
        return this.fail(`${t.value} is neither a binding nor a variable declared before`, t);
      }
      case 'punct':
        if (t.value === '(') {
          this.pos++;
          this.skipLineBreaks();
          const inner = this.expression();
          this.skipLineBreaks();
          this.expect(')');
          return `(${inner})`;
        }
        if (t.value === '[') return this.listOrMap();
        break;
    }
    return this.fail(`unexpected ${describe(t)}`);
  }

  /** `[a, b]`, `[key: value, "k": v]`, `[:]`. */
  private listOrMap(): Js {
    const open = this.tok;
    this.pos++;
    this.skipLineBreaks();
    if (this.isPunct(':') && this.isPunct(']', this.peek())) {
      this.pos += 2;
      return '__g.map({})';
    }
    const isMap = (this.tok.kind === 'ident' || this.tok.kind === 'string') && this.isPunct(':', this.peek());
    const items: Js[] = [];
    while (!this.isPunct(']')) {
      if (this.tok.kind === 'eof') this.fail('a list is not closed with "]"', open);
      if (isMap) {
        const key = this.tok;
        if (key.kind !== 'ident' && key.kind !== 'string') this.fail(`expected a map key but found ${describe(key)}`);
        this.pos++;
        this.expect(':');
        this.skipLineBreaks();
        items.push(`${JSON.stringify(key.value)}: ${this.expression()}`);
      } else {
        items.push(this.expression());
      }
      this.skipLineBreaks();
      if (this.isPunct(',')) {
        this.pos++;
        this.skipLineBreaks();
      } else if (!this.isPunct(']')) {
        this.fail(`expected "," or "]" but found ${describe(this.tok)}`);
      }
    }
    this.pos++;
    return isMap ? `__g.map({ ${items.join(', ')} })` : `__g.list(${items.join(', ')})`;
  }
}

function subExpression(source: string, line: number, locals: Map<string, string>): Js {
  const t = new Translator(tokenize(source, line));
  // The interpolated expression sees the script's variables declared so far.
  for (const [k, v] of locals) (t as unknown as { locals: Map<string, string> }).locals.set(k, v);
  return t.expression();
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'the end of the script';
    case 'newline':
      return 'the end of the line';
    case 'string':
    case 'gstring':
      return 'a string';
    default:
      return `"${t.value}"`;
  }
}

/** Translates a Groovy profile transformation script into one JavaScript expression; throws GroovyTranslationError. */
export function translateGroovy(source: string): string {
  return new Translator(tokenize(source)).program();
}
