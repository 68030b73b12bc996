/**
 * The code that runs inside each QuickJS realm before any script: AM's bindings of both engines, the
 * shims of the Java classes legacy scripts reach, and the lockdown that freezes every shared object
 * so that one execution cannot leave anything behind for the next. It is plain JavaScript (QuickJS
 * evaluates it; no TypeScript, no backticks, no template placeholders), kept as a string.
 *
 * Contract: evaluating PRELUDE gives `function (host, engine)`; calling it returns
 * `{ bind(scriptFn), lockdown() }`. `bind` gives `run(inputJson) -> outputJson`. `host(op, json)`
 * is the one door to the outside (identity, HTTP, random bytes, digests); it answers JSON or throws.
 * Callbacks leave the realm as descriptors `{type, ...builder options}`; the host builds AM's JSON.
 */
export const PRELUDE = String.raw`(function (host, engine) {
'use strict';
var G = globalThis;
/** Social profile transformation scripts (engine "social") are legacy scripts: Java-style state and logger. */
var legacyStyle = engine !== 'next';
var O = Object, J = JSON, S = String, N = Number, A = Array, E = Error, TE = TypeError, M = Math;
var defineProperty = O.defineProperty, create = O.create, keys = O.keys, getProto = O.getPrototypeOf, setProto = O.setPrototypeOf;
var freeze = O.freeze, isFrozen = O.isFrozen, getOwnNames = O.getOwnPropertyNames, getOwnDesc = O.getOwnPropertyDescriptor;
var isArray = A.isArray, stringify = J.stringify, parse = J.parse;
var hasOwnFn = O.prototype.hasOwnProperty;
function hasOwn(o, k) { return hasOwnFn.call(o, k); }
var apply = Function.prototype.call.bind(Function.prototype.apply);
var push = Function.prototype.call.bind(A.prototype.push);
var join = Function.prototype.call.bind(A.prototype.join);
var slice = Function.prototype.call.bind(A.prototype.slice);
var strReplace = Function.prototype.call.bind(S.prototype.replace);
var strSplit = Function.prototype.call.bind(S.prototype.split);
var strToLower = Function.prototype.call.bind(S.prototype.toLowerCase);
var ProxyC = G.Proxy, MapC = G.Map;
var shared = [];
function keep(o) { push(shared, o); return o; }
function hidden(o, name, value) { defineProperty(o, name, { value: value, writable: true, enumerable: false, configurable: true }); }
function methods(o, table) { var ks = keys(table); for (var i = 0; i < ks.length; i++) hidden(o, ks[i], table[ks[i]]); return o; }

function call(op, args) {
  var r = host(op, stringify(args === undefined ? null : args));
  return r === undefined || r === null || r === '' ? null : parse(r);
}
function fail(message) { throw new E(message); }
function str(v) { return v === null || v === undefined ? v : S(v); }
function isPlain(v) { return v !== null && typeof v === 'object' && !isArray(v); }

// ---- Java-flavoured views of plain data: maps with get/put, lists with get/size -----------------
function javaMapString(o) {
  var parts = [], ks = keys(o);
  for (var i = 0; i < ks.length; i++) push(parts, ks[i] + '=' + javaString(o[ks[i]]));
  return '{' + join(parts, ', ') + '}';
}
function javaListString(a) {
  var parts = [];
  for (var i = 0; i < a.length; i++) push(parts, javaString(a[i]));
  return '[' + join(parts, ', ') + ']';
}
function javaString(v) {
  if (v === null || v === undefined) return 'null';
  if (isArray(v)) return javaListString(v);
  if (v instanceof JsonValue || v instanceof JavaCallback) return S(v);
  if (typeof v === 'object') return javaMapString(v);
  return S(v);
}
var MapProto = keep(methods(create(O.prototype), {
  get: function (k) { k = S(k); return hasOwn(this, k) ? view(this[k], this.__style) : null; },
  put: function (k, v) { k = S(k); var old = hasOwn(this, k) ? this[k] : null; this[k] = plain(v); return old; },
  putAll: function (m) { var ks = keys(m); for (var i = 0; i < ks.length; i++) this[ks[i]] = plain(m[ks[i]]); },
  containsKey: function (k) { return hasOwn(this, S(k)); },
  remove: function (k) { k = S(k); var old = hasOwn(this, k) ? this[k] : null; delete this[k]; return old; },
  isEmpty: function () { return keys(this).length === 0; },
  size: function () { return keys(this).length; },
  keySet: function () { return javaList(keys(this)); },
  values: function () { var out = [], ks = keys(this); for (var i = 0; i < ks.length; i++) push(out, this[ks[i]]); return javaList(out); },
  entrySet: function () { var out = [], ks = keys(this); for (var i = 0; i < ks.length; i++) push(out, { key: ks[i], value: this[ks[i]], getKey: entryKey, getValue: entryValue }); return javaList(out); },
}));
function entryKey() { return this.key; }
function entryValue() { return this.value; }
var JavaMapProto = keep(methods(create(MapProto), { toString: function () { return javaMapString(this); } }));
var ListProto = keep(methods(create(A.prototype), {
  get: function (i) { var v = this[i]; return v === undefined ? null : view(v, this.__style); },
  size: function () { return this.length; },
  isEmpty: function () { return this.length === 0; },
  contains: function (x) { for (var i = 0; i < this.length; i++) if (this[i] == x) return true; return false; },
  add: function (x) { push(this, plain(x)); return true; },
  toArray: function () { return slice(this); },
  iterator: function () { var a = this, i = 0; return { hasNext: function () { return i < a.length; }, next: function () { if (i >= a.length) fail('NoSuchElementException'); return a[i++]; } }; },
  stream: function () { return slice(this); },
}));
var JavaListProto = keep(methods(create(ListProto), { toString: function () { return javaListString(this); } }));
function styleOf(o) { return o && o.__style; }
/** Gives objects and arrays (in place, so writes stay live) the map/list methods; "java" style adds Java's toString. */
function view(v, style) {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof JsonValue) return v;
  var p = getProto(v);
  if (isArray(v)) { if (p === A.prototype) { setProto(v, style === 'java' ? JavaListProto : ListProto); hidden(v, '__style', style); } }
  else if (p === O.prototype || p === null) { setProto(v, style === 'java' ? JavaMapProto : MapProto); hidden(v, '__style', style); }
  return v;
}
function javaList(a) { return view(a, 'java'); }
function javaMap(o) { return view(o, 'java'); }
/** Back to plain JSON data (JsonValue unwrapped, Java-ish strings to strings). */
function plain(v) {
  if (v === undefined || v === null) return null;
  if (v instanceof JsonValue) return plain(v.__v);
  if (v instanceof S) return S(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return N(v);
  if (typeof v === 'function') fail('A function cannot be stored in journey state.');
  return v;
}
function clone(v) { return v === undefined ? undefined : parse(stringify(plain(v))); }

// ---- org.forgerock.json.JsonValue ---------------------------------------------------------------
function JsonValue(v) {
  if (!(this instanceof JsonValue)) return new JsonValue(v);
  hidden(this, '__v', v instanceof JsonValue ? v.__v : v === undefined ? null : v);
}
function jv(v) { return new JsonValue(v); }
function expectType(v, type, what) { if (v !== null && typeof v !== type) throw new E('JsonValueException: Expecting a ' + what); return v; }
methods(JsonValue.prototype, {
  asString: function () { var v = this.__v; if (v === null) return null; if (typeof v === 'object') throw new E('JsonValueException: Expecting a java.lang.String'); return S(v); },
  asInteger: function () { var v = this.__v; if (v === null) return null; if (typeof v === 'string' && v !== '' && !isNaN(v)) v = N(v); expectType(v, 'number', 'java.lang.Number'); return v < 0 ? M.ceil(v) : M.floor(v); },
  asLong: function () { return this.asInteger(); },
  asDouble: function () { var v = this.__v; if (v === null) return null; return expectType(v, 'number', 'java.lang.Number'); },
  asNumber: function () { return this.asDouble(); },
  asBoolean: function () { var v = this.__v; if (v === null) return null; if (v === 'true' || v === 'false') return v === 'true'; return expectType(v, 'boolean', 'java.lang.Boolean'); },
  asList: function () { var v = this.__v; if (v === null) return null; if (!isArray(v)) throw new E('JsonValueException: Expecting a java.util.List'); return javaList(v); },
  asMap: function () { var v = this.__v; if (v === null) return null; if (!isPlain(v)) throw new E('JsonValueException: Expecting a java.util.Map'); return javaMap(v); },
  getObject: function () { return view(this.__v, 'java'); },
  isNull: function () { return this.__v === null; },
  isNotNull: function () { return this.__v !== null; },
  isString: function () { return typeof this.__v === 'string'; },
  isNumber: function () { return typeof this.__v === 'number'; },
  isBoolean: function () { return typeof this.__v === 'boolean'; },
  isList: function () { return isArray(this.__v); },
  isMap: function () { return isPlain(this.__v); },
  isDefined: function (k) { var v = this.__v; return v !== null && typeof v === 'object' && hasOwn(v, isArray(v) ? N(k) : S(k)); },
  get: function (k) { var v = this.__v; if (v === null || typeof v !== 'object') return jv(null); var c = isArray(v) ? v[N(k)] : hasOwn(v, S(k)) ? v[S(k)] : null; return jv(c === undefined ? null : c); },
  put: function (k, x) { if (!isPlain(this.__v)) throw new E('JsonValueException: Expecting a java.util.Map'); this.__v[S(k)] = plain(x); return this; },
  add: function (k, x) { if (isArray(this.__v) && arguments.length === 1) { push(this.__v, plain(k)); return this; } return this.put(k, x); },
  remove: function (k) { var v = this.__v; if (isPlain(v)) delete v[S(k)]; return this; },
  keys: function () { var v = this.__v; return javaList(isPlain(v) ? keys(v) : []); },
  size: function () { var v = this.__v; return isArray(v) ? v.length : isPlain(v) ? keys(v).length : 0; },
  contains: function (x) { var v = this.__v; return isArray(v) ? v.indexOf(plain(x)) >= 0 : isPlain(v) ? hasOwn(v, S(x)) : false; },
  copy: function () { return jv(clone(this.__v)); },
  defaultTo: function (d) { return this.__v === null ? jv(plain(d)) : this; },
  required: function () { if (this.__v === null) throw new E('JsonValueException: Expecting a value'); return this; },
  toString: function () { return stringify(this.__v); },
  toJSON: function () { return this.__v; },
});
JsonValue.json = function (v) { return jv(plain(v)); };
JsonValue.object = function () { var o = {}; for (var i = 0; i < arguments.length; i++) { var f = arguments[i]; if (f && isArray(f.__field)) o[f.__field[0]] = f.__field[1]; } return o; };
JsonValue.field = function (k, v) { var f = {}; hidden(f, '__field', [S(k), plain(v)]); return f; };
JsonValue.fieldIfNotNull = function (k, v) { return v === null || v === undefined ? {} : JsonValue.field(k, v); };
JsonValue.array = function () { var a = []; for (var i = 0; i < arguments.length; i++) push(a, plain(arguments[i])); return a; };
keep(JsonValue); keep(JsonValue.prototype);

// ---- callbacks as they leave the realm: descriptors the host turns into AM's JSON ------------------
var MESSAGE_TYPES = ['0', '1', '2', '3', '4'];
function messageType(t) { var s = S(t === undefined || t === null ? 0 : t); if (MESSAGE_TYPES.indexOf(s) < 0) fail('Unknown message type ' + s + ' (0 information, 1 warning, 2 error, 4 script).'); return s; }
var OPTION_SETS = keep({ '0': keep(['Yes', 'No']), '1': keep(['Yes', 'No', 'Cancel']), '2': keep(['OK', 'Cancel']) });
function strings(list, what) { if (list === null || list === undefined) return []; if (typeof list === 'string' || typeof list.length !== 'number') fail(what + ' must be a list.'); var out = []; for (var i = 0; i < list.length; i++) push(out, S(list[i])); return out; }
function confirmation(args) {
  // (messageType, options[], default) (messageType, optionType, default) (prompt, messageType, options[]|optionType, default)
  var a = slice(args), prompt = '';
  if (typeof a[0] === 'string' || a[0] instanceof S) prompt = S(a.shift());
  var mt = N(a[0]), third = a[1], def = N(a[2]);
  if (typeof third === 'number') {
    var set = OPTION_SETS[S(third)];
    if (!set) fail('Unsupported ConfirmationCallback option type ' + third + '.');
    return { type: 'ConfirmationCallback', prompt: prompt, messageType: mt, options: set, optionType: third, defaultOption: def };
  }
  return { type: 'ConfirmationCallback', prompt: prompt, messageType: mt, options: strings(third, 'options'), optionType: -1, defaultOption: def };
}
function policyArgs(d, rest) {
  // (..., failedPolicies) or (..., policies, validateOnly[, failedPolicies])
  if (rest.length === 1) d.failedPolicies = strings(rest[0], 'failedPolicies');
  else if (rest.length >= 2) { d.policies = plain(rest[0]) || {}; d.validateOnly = !!rest[1]; if (rest.length >= 3) d.failedPolicies = strings(rest[2], 'failedPolicies'); }
  return d;
}
function attributeInput(type, args, coerce) {
  var a = slice(args);
  return policyArgs({ type: type, name: S(a[0]), prompt: S(a[1]), value: coerce(a[2]), required: !!a[3] }, slice(a, 4));
}
var unsupported = function (name) { return function () { fail('callbacksBuilder.' + name + ' is not supported by Cairn.'); }; };
function makeCallbacksBuilder(out) {
  function add(d) { push(out, d); }
  var b = {
    nameCallback: function (prompt, value) { add({ type: 'NameCallback', prompt: S(prompt), value: value === undefined || value === null ? '' : S(value) }); },
    passwordCallback: function (prompt) { add({ type: 'PasswordCallback', prompt: S(prompt) }); },
    textInputCallback: function (prompt, value) { add({ type: 'TextInputCallback', prompt: S(prompt), value: value === undefined || value === null ? '' : S(value) }); },
    textOutputCallback: function (type, message) { add({ type: 'TextOutputCallback', messageType: messageType(type), message: S(message) }); },
    scriptTextOutputCallback: function (script) { add({ type: 'TextOutputCallback', messageType: '4', message: S(script) }); },
    suspendedTextOutputCallback: function (type, message) { add({ type: 'SuspendedTextOutputCallback', messageType: messageType(type), message: S(message) }); },
    hiddenValueCallback: function (id, value) { add({ type: 'HiddenValueCallback', id: S(id), value: value === undefined || value === null ? '' : S(value) }); },
    confirmationCallback: function () { add(confirmation(arguments)); },
    choiceCallback: function (prompt, choices, defaultChoice) { add({ type: 'ChoiceCallback', prompt: S(prompt), choices: strings(choices, 'choices'), defaultChoice: N(defaultChoice || 0) }); },
    pollingWaitCallback: function (waitTime, message) { add({ type: 'PollingWaitCallback', waitTime: N(waitTime), message: S(message) }); },
    redirectCallback: function (url, data, method) {
      var a = slice(arguments), d = { type: 'RedirectCallback', redirectUrl: S(url), redirectMethod: method ? S(method) : 'GET' };
      if (data !== null && data !== undefined) d.redirectData = plain(data);
      var last = a[a.length - 1]; if (a.length === 4 || a.length === 6) d.trackingCookie = !!last;
      add(d);
    },
    metadataCallback: function (data) { add({ type: 'MetadataCallback', data: plain(data) }); },
    termsAndConditionsCallback: function (version, terms, createDate) { add({ type: 'TermsAndConditionsCallback', version: S(version), terms: S(terms), createDate: S(createDate) }); },
    kbaCreateCallback: function (prompt, questions, allowUser) { add({ type: 'KbaCreateCallback', prompt: S(prompt), predefinedQuestions: strings(questions, 'predefinedQuestions'), allowUserDefinedQuestions: allowUser === undefined ? true : !!allowUser }); },
    stringAttributeInputCallback: function () { add(attributeInput('StringAttributeInputCallback', arguments, function (v) { return v === null || v === undefined ? '' : S(v); })); },
    numberAttributeInputCallback: function () { add(attributeInput('NumberAttributeInputCallback', arguments, function (v) { return v === null || v === undefined || v === '' ? null : N(v); })); },
    booleanAttributeInputCallback: function () { add(attributeInput('BooleanAttributeInputCallback', arguments, function (v) { return !!v; })); },
    validatedUsernameCallback: function (prompt, policies, validateOnly, failed) { add({ type: 'ValidatedCreateUsernameCallback', prompt: S(prompt), policies: plain(policies) || {}, validateOnly: !!validateOnly, failedPolicies: strings(failed, 'failedPolicies') }); },
    validatedPasswordCallback: function (prompt, echoOn, policies, validateOnly, failed) { add({ type: 'ValidatedCreatePasswordCallback', prompt: S(prompt), echoOn: !!echoOn, policies: plain(policies) || {}, validateOnly: !!validateOnly, failedPolicies: strings(failed, 'failedPolicies') }); },
  };
  var names = ['deviceProfileCallback', 'selectIdPCallback', 'idPCallback', 'consentMappingCallback', 'httpCallback', 'x509CertificateCallback', 'languageCallback'];
  for (var i = 0; i < names.length; i++) b[names[i]] = unsupported(names[i]);
  return b;
}

// ---- the callbacks the client returned ---------------------------------------------------------
function pick(list, type, f) { var out = []; for (var i = 0; i < list.length; i++) if (list[i].type === type) push(out, f(list[i])); return javaList(out); }
function nextCallbacks(list) {
  return {
    isEmpty: function () { return list.length === 0; },
    getNameCallbacks: function () { return pick(list, 'NameCallback', function (c) { return c.name; }); },
    getPasswordCallbacks: function () { return pick(list, 'PasswordCallback', function (c) { return c.password; }); },
    getTextInputCallbacks: function () { return pick(list, 'TextInputCallback', function (c) { return c.text; }); },
    getChoiceCallbacks: function () { return pick(list, 'ChoiceCallback', function (c) { return slice(c.selectedIndexes); }); },
    getConfirmationCallbacks: function () { return pick(list, 'ConfirmationCallback', function (c) { return c.selectedIndex; }); },
    getHiddenValueCallbacks: function () { var m = {}; for (var i = 0; i < list.length; i++) if (list[i].type === 'HiddenValueCallback') m[list[i].id] = list[i].value; return javaMap(m); },
    getStringAttributeInputCallbacks: function () { return pick(list, 'StringAttributeInputCallback', function (c) { return c.value; }); },
    getNumberAttributeInputCallbacks: function () { return pick(list, 'NumberAttributeInputCallback', function (c) { return c.value; }); },
    getBooleanAttributeInputCallbacks: function () { return pick(list, 'BooleanAttributeInputCallback', function (c) { return c.value; }); },
    getValidatedUsernameCallbacks: function () { return pick(list, 'ValidatedCreateUsernameCallback', function (c) { return javaMap({ value: c.username, validateOnly: c.validateOnly }); }); },
    getValidatedPasswordCallbacks: function () { return pick(list, 'ValidatedCreatePasswordCallback', function (c) { return javaMap({ value: c.password, validateOnly: c.validateOnly }); }); },
    getKbaCreateCallbacks: function () { return pick(list, 'KbaCreateCallback', function (c) { return javaMap({ selectedQuestion: c.selectedQuestion, selectedAnswer: c.selectedAnswer }); }); },
    getTermsAndConditionsCallbacks: function () { return pick(list, 'TermsAndConditionsCallback', function (c) { return c.accept; }); },
    getDeviceProfileCallbacks: function () { return javaList([]); },
    getSelectIdPCallbacks: function () { return javaList([]); },
    getIdpCallbacks: function () { return javaList([]); },
    getLanguageCallbacks: function () { return javaList([]); },
    getHttpCallbacks: function () { return javaList([]); },
    getX509CertificateCallbacks: function () { return javaList([]); },
    getConsentMappingCallbacks: function () { return javaList([]); },
  };
}
function chars(s) { var a = javaList(strSplit(S(s), '')); hidden(a, 'toString', function () { return join(this, ''); }); return a; }
var GETTERS = {
  NameCallback: { getName: 'name', getPrompt: 'prompt', getDefaultName: 'defaultName' },
  PasswordCallback: { getPrompt: 'prompt', isEchoOn: 'echoOn' },
  TextInputCallback: { getText: 'text', getPrompt: 'prompt', getDefaultText: 'defaultText' },
  TextOutputCallback: { getMessage: 'message', getMessageType: 'messageType' },
  ConfirmationCallback: { getSelectedIndex: 'selectedIndex', getPrompt: 'prompt', getOptions: 'options', getDefaultOption: 'defaultOption', getOptionType: 'optionType', getMessageType: 'messageType' },
  ChoiceCallback: { getPrompt: 'prompt', getChoices: 'choices', getDefaultChoice: 'defaultChoice', allowMultipleSelections: 'multiple' },
  HiddenValueCallback: { getId: 'id', getValue: 'value' },
  StringAttributeInputCallback: { getName: 'name', getPrompt: 'prompt', getValue: 'value', isRequired: 'required', validateOnly: 'validateOnly' },
  NumberAttributeInputCallback: { getName: 'name', getPrompt: 'prompt', getValue: 'value', isRequired: 'required', validateOnly: 'validateOnly' },
  BooleanAttributeInputCallback: { getName: 'name', getPrompt: 'prompt', getValue: 'value', isRequired: 'required', validateOnly: 'validateOnly' },
  ValidatedCreateUsernameCallback: { getUsername: 'username', getPrompt: 'prompt', validateOnly: 'validateOnly' },
  KbaCreateCallback: { getSelectedQuestion: 'selectedQuestion', getSelectedAnswer: 'selectedAnswer', getPrompt: 'prompt' },
  TermsAndConditionsCallback: { getAccept: 'accept', getVersion: 'version', getTerms: 'terms' },
};
function getter(field) { return function () { var v = this.__c[field]; return v === undefined ? null : v; }; }
var CALLBACK_PROTOS = {};
(function () {
  var base = keep(methods(create(O.prototype), { getType: function () { return this.__c.type; }, toString: function () { return this.__c.type; } }));
  var types = keys(GETTERS);
  for (var i = 0; i < types.length; i++) {
    var p = create(base), g = GETTERS[types[i]], gs = keys(g);
    for (var j = 0; j < gs.length; j++) hidden(p, gs[j], getter(g[gs[j]]));
    CALLBACK_PROTOS[types[i]] = keep(p);
  }
  var pw = CALLBACK_PROTOS.PasswordCallback; hidden(pw, 'getPassword', function () { return chars(this.__c.password); });
  var vpw = keep(create(base)); hidden(vpw, 'getPassword', function () { return chars(this.__c.password); }); hidden(vpw, 'validateOnly', getter('validateOnly'));
  CALLBACK_PROTOS.ValidatedCreatePasswordCallback = vpw;
  var ch = CALLBACK_PROTOS.ChoiceCallback; hidden(ch, 'getSelectedIndexes', function () { return javaList(slice(this.__c.selectedIndexes)); });
  CALLBACK_PROTOS.__base = base;
})();
function legacyCallbacks(list) {
  var out = [];
  for (var i = 0; i < list.length; i++) { var c = create(CALLBACK_PROTOS[list[i].type] || CALLBACK_PROTOS.__base); hidden(c, '__c', list[i]); push(out, c); }
  return javaList(out);
}

// ---- Java class shims (legacy scripts reach them through JavaImporter / Packages) ---------------
function JavaCallback(d) { hidden(this, '__cb', d); }
keep(JavaCallback.prototype);
function cbClass(name, build, statics) {
  var C = function () { if (!(this instanceof C)) fail(name + ' is a class: use new.'); var d = build.apply(null, arguments); var o = create(C.prototype); hidden(o, '__cb', d); return o; };
  C.prototype = create(JavaCallback.prototype);
  if (statics) { var ks = keys(statics); for (var i = 0; i < ks.length; i++) C[ks[i]] = statics[ks[i]]; }
  keep(C); keep(C.prototype);
  return C;
}
var TEXT_CONSTANTS = { INFORMATION: 0, WARNING: 1, ERROR: 2 };
var CONFIRM_CONSTANTS = { INFORMATION: 0, WARNING: 1, ERROR: 2, UNSPECIFIED_OPTION: -1, YES_NO_OPTION: 0, YES_NO_CANCEL_OPTION: 1, OK_CANCEL_OPTION: 2, YES: 0, NO: 1, CANCEL: 2, OK: 3 };
var builderOf = makeCallbacksBuilder;
function one(method) { return function () { var out = []; apply(builderOf(out)[method], null, arguments); return out[0]; }; }
var NameCallback = cbClass('NameCallback', one('nameCallback'));
var PasswordCallback = cbClass('PasswordCallback', one('passwordCallback'));
var TextInputCallback = cbClass('TextInputCallback', one('textInputCallback'));
var TextOutputCallback = cbClass('TextOutputCallback', function (type, message) { return one('textOutputCallback')(type, message); }, TEXT_CONSTANTS);
var ConfirmationCallback = cbClass('ConfirmationCallback', one('confirmationCallback'), CONFIRM_CONSTANTS);
var ChoiceCallback = cbClass('ChoiceCallback', one('choiceCallback'));
var HiddenValueCallback = cbClass('HiddenValueCallback', one('hiddenValueCallback'));
var ScriptTextOutputCallback = cbClass('ScriptTextOutputCallback', one('scriptTextOutputCallback'));
var RedirectCallback = cbClass('RedirectCallback', function (url, data, method) { return one('redirectCallback')(url, data, method); });
var StringAttributeInputCallback = cbClass('StringAttributeInputCallback', one('stringAttributeInputCallback'));
var NumberAttributeInputCallback = cbClass('NumberAttributeInputCallback', one('numberAttributeInputCallback'));
var BooleanAttributeInputCallback = cbClass('BooleanAttributeInputCallback', one('booleanAttributeInputCallback'));
var TermsAndConditionsCallback = cbClass('TermsAndConditionsCallback', one('termsAndConditionsCallback'));
var MetadataCallback = cbClass('MetadataCallback', function (data) { return one('metadataCallback')(data); });
var PollingWaitCallback = cbClass('PollingWaitCallback', function (waitTime, message) { return one('pollingWaitCallback')(waitTime, message); });
PollingWaitCallback.makeCallback = function () {
  var d = { waitTime: 8000, message: '' }, b = {
    withWaitTime: function (t) { d.waitTime = N(t); return b; },
    withMessage: function (m) { d.message = S(m); return b; },
    withExitMessage: function () { return b; },
    build: function () { return new PollingWaitCallback(d.waitTime, d.message); },
  };
  return b;
};
function descriptorsOf(list) {
  var out = [];
  for (var i = 0; i < list.length; i++) {
    var c = list[i];
    if (c && isArray(c) || (c && typeof c.size === 'function' && typeof c.get === 'function' && !(c instanceof JavaCallback))) { var inner = descriptorsOf(c.toArray ? c.toArray() : c); for (var j = 0; j < inner.length; j++) push(out, inner[j]); continue; }
    if (!(c instanceof JavaCallback)) fail('Action.send: expected callbacks, got ' + S(c) + '.');
    push(out, c.__cb);
  }
  return out;
}
function ActionResult(a) { hidden(this, '__action', a); }
keep(ActionResult.prototype);
function actionBuilder(a) {
  var b = {
    putSessionProperty: function (k, v) { a.sessionProperties[S(k)] = S(v); return b; },
    removeSessionProperty: function (k) { delete a.sessionProperties[S(k)]; return b; },
    withErrorMessage: function (m) { a.errorMessage = S(m); return b; },
    withLockoutMessage: function (m) { a.lockoutMessage = S(m); return b; },
    withHeader: function (m) { a.header = S(m); return b; },
    withDescription: function (m) { a.description = S(m); return b; },
    withStage: function (m) { a.stage = S(m); return b; },
    withIdentifiedUser: function (u) { a.identifiedUser = S(u); return b; },
    withIdentifiedAgent: function (u) { a.identifiedAgent = S(u); return b; },
    withUniversalId: function (u) { a.universalId = S(u); return b; },
    withMaxSessionTime: function (t) { a.maxSessionTime = N(t); return b; },
    withMaxIdleTime: function (t) { a.maxIdleTime = N(t); return b; },
    replaceSharedState: function (s) { a.replaceShared = clone(s); return b; },
    replaceTransientState: function (s) { a.replaceTransient = clone(s); return b; },
    addNodeType: function () { return b; },
    build: function () { return new ActionResult(a); },
  };
  return b;
}
function newAction() { return { sessionProperties: {} }; }
var Action = keep({
  goTo: function (outcome) { var a = newAction(); a.outcome = S(outcome); return actionBuilder(a); },
  send: function () { var a = newAction(); a.callbacks = descriptorsOf(slice(arguments)); return actionBuilder(a); },
  suspend: function () { fail('Action.suspend is not supported by Cairn.'); },
});
function JavaStringC(v) { if (v && typeof v === 'object' && typeof v.length === 'number' && !(v instanceof S)) return new S(join(slice(v), '')); return new S(v === undefined ? '' : v); }
JavaStringC.valueOf = function (v) { return S(v); };
JavaStringC.format = function (f) { var a = slice(arguments, 1), i = 0; return strReplace(S(f), /%[sd]/g, function () { return S(a[i++]); }); };
var Integer = { parseInt: function (s, r) { var n = parseInt(S(s), r || 10); if (isNaN(n)) fail('NumberFormatException: For input string: "' + S(s) + '"'); return n; }, valueOf: function (s) { return typeof s === 'number' ? s : Integer.parseInt(s); }, MAX_VALUE: 2147483647, MIN_VALUE: -2147483648, toString: function (n) { return S(n); } };
var Long = { parseLong: Integer.parseInt, valueOf: Integer.valueOf, toString: Integer.toString };
var BooleanC = { parseBoolean: function (s) { return strToLower(S(s)) === 'true'; }, valueOf: function (s) { return typeof s === 'boolean' ? s : strToLower(S(s)) === 'true'; }, TRUE: true, FALSE: false };
var SystemC = { currentTimeMillis: function () { return Date.now(); }, nanoTime: function () { return Date.now() * 1e6; } };
function ArrayList(c) { var a = javaList([]); if (c && typeof c.length === 'number') for (var i = 0; i < c.length; i++) push(a, c[i]); return a; }
function HashMap() { return javaMap({}); }
function HashSet(c) { var a = ArrayList(c); hidden(a, 'add', function (x) { if (this.contains(x)) return false; push(this, plain(x)); return true; }); return a; }
var Collections = { emptyMap: function () { return javaMap({}); }, emptyList: function () { return javaList([]); }, singletonList: function (x) { return javaList([x]); }, singletonMap: function (k, v) { var m = {}; m[S(k)] = v; return javaMap(m); } };
var UUID = { randomUUID: function () { var s = utils_().crypto.randomUUID(); return { toString: function () { return s; } }; }, fromString: function (s) { return { toString: function () { return S(s); } }; } };
var Base64C = { getEncoder: function () { return { encodeToString: function (b) { return b64encode(bytesOf(b), false); }, encode: function (b) { return b64encode(bytesOf(b), false); } }; },
  getUrlEncoder: function () { return { encodeToString: function (b) { return b64encode(bytesOf(b), true); }, withoutPadding: function () { return { encodeToString: function (b) { return strReplace(b64encode(bytesOf(b), true), /=+$/, ''); } }; } }; },
  getDecoder: function () { return { decode: function (s) { return javaList(b64decode(S(s))); } }; },
  getUrlDecoder: function () { return { decode: function (s) { return javaList(b64decode(S(s))); } }; } };
var FrBase64 = { encode: function (b) { return b64encode(bytesOf(b), false); }, decode: function (s) { return javaList(b64decode(S(s))); }, encodeUrlSafe: function (b) { return b64encode(bytesOf(b), true); }, decodeUrlSafe: function (s) { return javaList(b64decode(S(s))); } };
var URLEncoder = { encode: function (s) { return strReplace(encodeURIComponent(S(s)), /%20/g, '+'); } };
var URLDecoder = { decode: function (s) { return decodeURIComponent(strReplace(S(s), /\+/g, ' ')); } };

// org.forgerock.http.protocol.Request / Response / Entity for legacy httpClient.send(request)
function Headers(init) { var h = {}; hidden(this, '__h', h); if (init) { var ks = keys(init); for (var i = 0; i < ks.length; i++) h[strToLower(ks[i])] = { name: ks[i], values: strings(isArray(init[ks[i]]) ? init[ks[i]] : [init[ks[i]]], 'header') }; } }
methods(Headers.prototype, {
  add: function (n, v) { var k = strToLower(S(n)), e = this.__h[k] || (this.__h[k] = { name: S(n), values: [] }); var vs = isArray(v) ? v : [v]; for (var i = 0; i < vs.length; i++) push(e.values, S(vs[i])); return this; },
  put: function (n, v) { this.__h[strToLower(S(n))] = { name: S(n), values: strings(isArray(v) ? v : [v], 'header') }; return this; },
  remove: function (n) { delete this.__h[strToLower(S(n))]; return this; },
  get: function (n) { var e = this.__h[strToLower(S(n))]; return e ? { getValues: function () { return javaList(slice(e.values)); }, getFirstValue: function () { return e.values[0]; }, toString: function () { return join(e.values, ', '); } } : null; },
  getFirst: function (n) { var e = this.__h[strToLower(S(n))]; return e ? e.values[0] : null; },
  containsKey: function (n) { return hasOwn(this.__h, strToLower(S(n))); },
  keySet: function () { var out = [], ks = keys(this.__h); for (var i = 0; i < ks.length; i++) push(out, this.__h[ks[i]].name); return javaList(out); },
  asMapOfHeaders: function () { var m = {}, ks = keys(this.__h); for (var i = 0; i < ks.length; i++) m[this.__h[ks[i]].name] = javaList(slice(this.__h[ks[i]].values)); return javaMap(m); },
});
function Entity(text) { hidden(this, '__t', text === undefined ? '' : text); }
methods(Entity.prototype, {
  setString: function (s) { this.__t = S(s); return this; },
  getString: function () { return this.__t; },
  setJson: function (o) { this.__t = stringify(plain(o)); return this; },
  getJson: function () { return this.__t === '' ? null : view(parse(this.__t), 'java'); },
  setBytes: function (b) { this.__t = utf8Decode(bytesOf(b)); return this; },
  getBytes: function () { return javaList(utf8Encode(this.__t)); },
  isRawContentEmpty: function () { return this.__t === ''; },
  toString: function () { return this.__t; },
});
function Request() { if (!(this instanceof Request)) return new Request(); hidden(this, '__r', { method: 'GET', uri: '', headers: new Headers(), entity: new Entity('') }); }
methods(Request.prototype, {
  setUri: function (u) { this.__r.uri = S(u); return this; },
  getUri: function () { var u = this.__r.uri; return { toString: function () { return u; }, toASCIIString: function () { return u; } }; },
  setMethod: function (m) { this.__r.method = strToLower(S(m)) === m ? S(m).toUpperCase() : S(m); return this; },
  getMethod: function () { return this.__r.method; },
  getHeaders: function () { return this.__r.headers; },
  getEntity: function () { return this.__r.entity; },
  setEntity: function (e) { this.__r.entity = new Entity(typeof e === 'string' || e instanceof S ? S(e) : stringify(plain(e))); return this; },
  addHeaders: function () { for (var i = 0; i < arguments.length; i++) { var h = arguments[i]; this.__r.headers.add(h.getName ? h.getName() : h.name, h.getValues ? h.getValues() : h.values); } return this; },
});
keep(Headers.prototype); keep(Entity.prototype); keep(Request.prototype); keep(Request);
function Status(code, reason) { return { code: code, getCode: function () { return code; }, getReasonPhrase: function () { return reason; }, isSuccessful: function () { return code >= 200 && code < 300; }, isClientError: function () { return code >= 400 && code < 500; }, isServerError: function () { return code >= 500; }, toString: function () { return S(code) + ' ' + reason; } }; }
function legacyResponse(r) {
  var headers = new Headers(r.headers), entity = new Entity(r.body);
  return { getStatus: function () { return Status(r.status, r.statusText); }, getEntity: function () { return entity; }, getHeaders: function () { return headers; }, close: function () {} };
}
function nextResponse(r) {
  var hs = {}, hk = keys(r.headers);
  for (var i = 0; i < hk.length; i++) hs[hk[i]] = isArray(r.headers[hk[i]]) ? r.headers[hk[i]] : [r.headers[hk[i]]];
  var headers = javaMap(hs);
  hidden(headers, 'get', function (n) { var k = strToLower(S(n)); var ks2 = keys(this); for (var j = 0; j < ks2.length; j++) if (strToLower(ks2[j]) === k) return javaList(slice(this[ks2[j]])); return null; });
  return { status: r.status, ok: r.status >= 200 && r.status < 300, statusText: r.statusText, headers: headers, url: r.url,
    text: function () { return r.body; }, json: function () { return view(parse(r.body), 'next'); }, formData: function () { fail('response.formData is not supported by Cairn.'); } };
}
function settled(value) { return { get: function () { return value; }, getOrThrow: function () { return value; }, getOrThrowUninterruptibly: function () { return value; }, then: function (f) { return settled(f ? f(value) : value); }, thenCatch: function () { return this; } }; }

// Packages / JavaImporter: known classes resolve to shims, anything else fails naming the class.
var CLASSES = {
  'org.forgerock.openam.auth.node.api.Action': Action,
  'org.forgerock.json.JsonValue': JsonValue,
  'javax.security.auth.callback.NameCallback': NameCallback,
  'javax.security.auth.callback.PasswordCallback': PasswordCallback,
  'javax.security.auth.callback.TextInputCallback': TextInputCallback,
  'javax.security.auth.callback.TextOutputCallback': TextOutputCallback,
  'javax.security.auth.callback.ConfirmationCallback': ConfirmationCallback,
  'javax.security.auth.callback.ChoiceCallback': ChoiceCallback,
  'com.sun.identity.authentication.callbacks.HiddenValueCallback': HiddenValueCallback,
  'com.sun.identity.authentication.callbacks.ScriptTextOutputCallback': ScriptTextOutputCallback,
  'com.sun.identity.authentication.spi.RedirectCallback': RedirectCallback,
  'com.sun.identity.authentication.spi.MetadataCallback': MetadataCallback,
  'org.forgerock.openam.authentication.callbacks.PollingWaitCallback': PollingWaitCallback,
  'org.forgerock.openam.authentication.callbacks.StringAttributeInputCallback': StringAttributeInputCallback,
  'org.forgerock.openam.authentication.callbacks.NumberAttributeInputCallback': NumberAttributeInputCallback,
  'org.forgerock.openam.authentication.callbacks.BooleanAttributeInputCallback': BooleanAttributeInputCallback,
  'org.forgerock.openam.authentication.callbacks.TermsAndConditionsCallback': TermsAndConditionsCallback,
  'org.forgerock.http.protocol.Request': Request,
  'org.forgerock.http.protocol.Entity': Entity,
  'org.forgerock.http.protocol.Headers': Headers,
  'org.forgerock.util.encode.Base64': FrBase64,
  'java.lang.String': JavaStringC,
  'java.lang.Integer': Integer,
  'java.lang.Long': Long,
  'java.lang.Boolean': BooleanC,
  'java.lang.System': SystemC,
  'java.lang.Math': M,
  'java.util.ArrayList': ArrayList,
  'java.util.LinkedList': ArrayList,
  'java.util.HashMap': HashMap,
  'java.util.LinkedHashMap': HashMap,
  'java.util.HashSet': HashSet,
  'java.util.LinkedHashSet': HashSet,
  'java.util.Collections': Collections,
  'java.util.UUID': UUID,
  'java.util.Base64': Base64C,
  'java.net.URLEncoder': URLEncoder,
  'java.net.URLDecoder': URLDecoder,
};
var CLASS_NAMES = keys(CLASSES);
var SIMPLE = {};
for (var ci = 0; ci < CLASS_NAMES.length; ci++) { var cn = CLASS_NAMES[ci]; SIMPLE[cn.slice(cn.lastIndexOf('.') + 1)] = CLASSES[cn]; hidden(CLASSES[cn], '__javaName', cn); keep(CLASSES[cn]); }
function missing(path) { return new TE('Java class ' + path + ' is not available in Cairn: only the classes real journey scripts use are provided (see the scripts section of the README).'); }
var packages = new MapC();
function pkg(path) {
  var known = packages.get(path);
  if (known) return known;
  var target = function () {};
  var p = new ProxyC(target, {
    get: function (t, name) {
      if (typeof name === 'symbol') return name === G.Symbol.toPrimitive ? function () { return '[JavaPackage ' + path + ']'; } : undefined;
      if (name === 'toString' || name === 'valueOf') return function () { return '[JavaPackage ' + path + ']'; };
      if (name === '__javaPackage') return path;
      if (name.slice(0, 2) === '__' || name === 'then' || name === 'toJSON') return undefined;
      var child = path === '' ? name : path + '.' + name;
      if (hasOwn(CLASSES, child)) return CLASSES[child];
      if (packages.size > 4096) throw missing(child);
      return pkg(child);
    },
    apply: function () { throw missing(path); },
    construct: function () { throw missing(path); },
    set: function () { return false; }, defineProperty: function () { return false; }, deleteProperty: function () { return false; },
    has: function () { return false; },
  });
  packages.set(path, p);
  return p;
}
function JavaImporter() {
  var scope = {};
  for (var i = 0; i < arguments.length; i++) {
    var c = arguments[i];
    if (c && c.__javaName) { var n = c.__javaName; scope[n.slice(n.lastIndexOf('.') + 1)] = c; continue; }
    var pp = c && c.__javaPackage;
    if (typeof pp === 'string') {
      // A whole package: its known classes, and a named failure for the class the script asked for.
      if (pp.indexOf('.') > 0 && /^[A-Z]/.test(pp.slice(pp.lastIndexOf('.') + 1))) { scope[pp.slice(pp.lastIndexOf('.') + 1)] = pkg(pp); continue; }
      for (var k = 0; k < CLASS_NAMES.length; k++) if (CLASS_NAMES[k].slice(0, CLASS_NAMES[k].lastIndexOf('.')) === pp) scope[CLASS_NAMES[k].slice(CLASS_NAMES[k].lastIndexOf('.') + 1)] = CLASSES[CLASS_NAMES[k]];
    }
  }
  return scope;
}
var importNoop = function () {};
var requireUnsupported = keep(function (name) { fail('require(' + stringify(S(name)) + '): library scripts are not supported by Cairn yet.'); });

// ---- utils (next-generation) and the byte helpers both engines use -------------------------------
function utf8Encode(s) { s = S(s); var out = []; for (var i = 0; i < s.length; i++) { var c = s.charCodeAt(i);
  if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) { var d = s.charCodeAt(i + 1); if (d >= 0xdc00 && d < 0xe000) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; } }
  if (c < 0x80) push(out, c); else if (c < 0x800) push(out, 0xc0 | (c >> 6), 0x80 | (c & 63)); else if (c < 0x10000) push(out, 0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)); else push(out, 0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63)); }
  return out; }
function utf8Decode(b) { var s = '', i = 0; while (i < b.length) { var c = b[i++] & 255;
  if (c < 0x80) s += S.fromCharCode(c); else if (c < 0xe0) s += S.fromCharCode(((c & 31) << 6) | (b[i++] & 63)); else if (c < 0xf0) { s += S.fromCharCode(((c & 15) << 12) | ((b[i++] & 63) << 6) | (b[i++] & 63)); }
  else { var cp = ((c & 7) << 18) | ((b[i++] & 63) << 12) | ((b[i++] & 63) << 6) | (b[i++] & 63); s += S.fromCodePoint(cp); } }
  return s; }
function bytesOf(v) { if (typeof v === 'string' || v instanceof S) return utf8Encode(v); var out = []; for (var i = 0; i < v.length; i++) push(out, v[i] & 255); return out; }
var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
function b64encode(b, url) { var s = '', i; for (i = 0; i + 2 < b.length; i += 3) { var n = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2]; s += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63]; }
  if (b.length - i === 1) { var m = b[i] << 16; s += B64[m >> 18] + B64[(m >> 12) & 63] + '=='; } else if (b.length - i === 2) { var q = (b[i] << 16) | (b[i + 1] << 8); s += B64[q >> 18] + B64[(q >> 12) & 63] + B64[(q >> 6) & 63] + '='; }
  return url ? strReplace(strReplace(s, /\+/g, '-'), /\//g, '_') : s; }
function b64decode(s) { s = strReplace(strReplace(strReplace(S(s), /-/g, '+'), /_/g, '/'), /[\s=]/g, ''); var out = [], buf = 0, bits = 0;
  for (var i = 0; i < s.length; i++) { var v = B64.indexOf(s[i]); if (v < 0) fail('IllegalArgumentException: Illegal base64 character'); buf = (buf << 6) | v; bits += 6; if (bits >= 8) { bits -= 8; push(out, (buf >> bits) & 255); } }
  return out; }
function base64Api(url) { return {
  encode: function (v) { return b64encode(bytesOf(v), url); }, decode: function (s) { return utf8Decode(b64decode(s)); },
  decodeToBytes: function (s) { return b64decode(s); },
  btoa: function (s) { s = S(s); var b = []; for (var i = 0; i < s.length; i++) push(b, s.charCodeAt(i) & 255); return b64encode(b, url); },
  atob: function (s) { var b = b64decode(s), o = ''; for (var i = 0; i < b.length; i++) o += S.fromCharCode(b[i]); return o; } }; }
var utilsCache = null;
function utils_() {
  if (utilsCache) return utilsCache;
  utilsCache = keep({
    base64: base64Api(false), base64url: base64Api(true),
    crypto: {
      randomUUID: function () { return call('randomUUID'); },
      getRandomValues: function (a) { var r = call('random', { count: a.length }); for (var i = 0; i < a.length; i++) a[i] = r[i]; return a; },
      subtle: {
        digest: function (alg, data) { return call('digest', { algorithm: S(alg && alg.name ? alg.name : alg), data: bytesOf(data) }); },
        sign: function (alg, key, data) { return call('hmac', { algorithm: S(alg && alg.name ? alg.name : alg), hash: alg && alg.hash ? S(alg.hash.name || alg.hash) : null, key: bytesOf(key), data: bytesOf(data) }); },
        verify: function (alg, key, data, sig) { var s = this.sign(alg, key, data), b = bytesOf(sig); if (s.length !== b.length) return false; var d = 0; for (var i = 0; i < s.length; i++) d |= s[i] ^ b[i]; return d === 0; },
      },
    },
    types: { bytesToString: function (b) { return utf8Decode(bytesOf(b)); }, stringToBytes: function (s) { return utf8Encode(s); } },
  });
  return utilsCache;
}
utils_();

// ---- the per-execution bindings -----------------------------------------------------------------
function formatLog(args) {
  var msg = S(args[0]), rest = slice(args, 1), i = 0;
  msg = strReplace(msg, /(\\*)\{\}/g, function (all, slashes) { if (slashes.length % 2 === 1) return slashes.slice(1) + '{}'; if (i < rest.length) return slashes.slice(slashes.length / 2) + S(rest[i++]); return all; });
  return msg;
}
function makeState(x) {
  // x.shared / x.transient are the journey's state; x.inputs limits what nodeState may read.
  function declared(k) { if (x.inputs.indexOf('*') < 0 && x.inputs.indexOf(k) < 0) fail('nodeState: "' + k + '" is not one of the script inputs declared on the node (' + join(x.inputs, ', ') + ').'); }
  function first(k) { if (hasOwn(x.transient, k)) return x.transient[k]; if (hasOwn(x.shared, k)) return x.shared[k]; return undefined; }
  var ns = {
    get: function (k) { k = S(k); declared(k); var v = first(k); if (v === undefined) return null; return legacyStyle ? jv(view(v, 'java')) : view(v, 'next'); },
    getObject: function (k) { k = S(k); declared(k); var s = x.shared[k], t = x.transient[k];
      if (isPlain(s) && isPlain(t)) { var m = {}, a = keys(s), b = keys(t), i; for (i = 0; i < a.length; i++) m[a[i]] = s[a[i]]; for (i = 0; i < b.length; i++) m[b[i]] = t[b[i]]; return view(m, legacyStyle ? 'java' : 'next'); }
      var v = first(k); return v === undefined ? null : view(v, legacyStyle ? 'java' : 'next'); },
    putShared: function (k, v) { x.shared[S(k)] = plain(v); return ns; },
    putTransient: function (k, v) { x.transient[S(k)] = plain(v); return ns; },
    mergeShared: function (o) { merge(x.shared, o); return ns; },
    mergeTransient: function (o) { merge(x.transient, o); return ns; },
    remove: function (k) { k = S(k); delete x.shared[k]; delete x.transient[k]; return ns; },
    isDefined: function (k) { k = S(k); return first(k) !== undefined; },
    keys: function () { var seen = {}, out = [], all = keys(x.transient).concat(keys(x.shared)); for (var i = 0; i < all.length; i++) if (!seen[all[i]]) { seen[all[i]] = true; push(out, all[i]); } return javaList(out); },
  };
  return ns;
}
function merge(target, o) {
  var src = plain(o); if (!isPlain(src)) fail('nodeState.merge: expected an object.');
  var ks = keys(src);
  for (var i = 0; i < ks.length; i++) { var k = ks[i], cur = target[k], v = src[k];
    if (isPlain(cur) && isPlain(v)) { var vk = keys(v); for (var j = 0; j < vk.length; j++) cur[vk[j]] = v[vk[j]]; } else target[k] = v; }
}
function requestMap(m, caseless) {
  var o = {}, ks = keys(m || {});
  for (var i = 0; i < ks.length; i++) o[ks[i]] = javaList(slice(m[ks[i]]));
  var v = javaMap(o);
  hidden(v, 'get', function (n) { n = S(n); if (hasOwn(this, n)) return this[n]; if (!caseless) return null; var l = strToLower(n), kk = keys(this); for (var j = 0; j < kk.length; j++) if (strToLower(kk[j]) === l) return this[kk[j]]; return null; });
  return v;
}
function identityRepository(x) {
  function ident(id) {
    var found = call('identity.get', { id: S(id) });
    if (!found) return null;
    var pending = {};
    return {
      getName: function () { return found.name; },
      getUniversalId: function () { return found.id; },
      exists: function () { return true; },
      isActive: function () { return found.active; },
      getAttributeValues: function (a) { var v = hasOwn(pending, S(a)) ? pending[S(a)] : found.attributes[S(a)]; return javaList(v ? slice(v) : []); },
      getAttribute: function (a) { return this.getAttributeValues(a); },
      setAttribute: function (a, vs) { pending[S(a)] = strings(isArray(vs) || (vs && typeof vs.length === 'number' && typeof vs !== 'string') ? vs : [vs], 'values'); },
      addAttribute: function (a, v) { var cur = hasOwn(pending, S(a)) ? pending[S(a)] : slice(found.attributes[S(a)] || []); push(cur, S(v)); pending[S(a)] = cur; },
      store: function () { if (keys(pending).length) { call('identity.set', { id: found.id, attributes: pending }); var pk = keys(pending); for (var i = 0; i < pk.length; i++) found.attributes[pk[i]] = pending[pk[i]]; pending = {}; } },
    };
  }
  var repo = { getIdentity: ident };
  if (legacyStyle) {
    repo.getAttribute = function (user, attr) { var i = ident(user); return i ? i.getAttributeValues(attr) : javaList([]); };
    repo.setAttribute = function (user, attr, values) { var i = ident(user); if (!i) fail('idRepository.setAttribute: no identity "' + S(user) + '".'); i.setAttribute(attr, values); i.store(); };
    repo.addAttribute = function (user, attr, value) { var i = ident(user); if (!i) fail('idRepository.addAttribute: no identity "' + S(user) + '".'); i.addAttribute(attr, value); i.store(); };
  }
  return repo;
}
function openidmApi() {
  function op(name) { return function () { return view(call('openidm.' + name, slice(arguments)), 'next'); }; }
  return { read: op('read'), query: op('query'), create: op('create'), update: op('update'), patch: op('patch'), delete: op('delete'),
    action: function () { fail('openidm.action is not supported by Cairn.'); } };
}
function httpApi() {
  function send(a, b) {
    if (a instanceof Request) {
      var r = a.__r, hs = {}, ks = keys(r.headers.__h);
      for (var i = 0; i < ks.length; i++) hs[r.headers.__h[ks[i]].name] = slice(r.headers.__h[ks[i]].values);
      return settled(legacyResponse(call('http', { url: r.uri, method: r.method, headers: hs, body: r.entity.__t === '' ? null : r.entity.__t })));
    }
    var o = b || {}, headers = {}, hk = keys(o.headers || {}), body = null;
    for (var j = 0; j < hk.length; j++) headers[hk[j]] = isArray(o.headers[hk[j]]) ? strings(o.headers[hk[j]], 'header') : [S(o.headers[hk[j]])];
    if (o.form) { var f = [], fk = keys(o.form); for (var k = 0; k < fk.length; k++) push(f, encodeURIComponent(fk[k]) + '=' + encodeURIComponent(S(o.form[fk[k]]))); body = join(f, '&'); if (!hasOwn(headers, 'Content-Type')) headers['Content-Type'] = ['application/x-www-form-urlencoded']; }
    else if (o.body !== undefined && o.body !== null) { if (typeof o.body === 'string' || o.body instanceof S) body = S(o.body); else { body = stringify(plain(o.body)); if (!hasOwn(headers, 'Content-Type') && !hasOwn(headers, 'content-type')) headers['Content-Type'] = ['application/json']; } }
    return settled(nextResponse(call('http', { url: S(a), method: o.method ? S(o.method) : 'GET', headers: headers, body: body })));
  }
  return { send: send };
}
function systemEnvApi(env) {
  function lookup(name) { var n = S(name); if (hasOwn(env, n)) return env[n]; var k = strReplace(n, /[.\-]/g, '_').toUpperCase(); return hasOwn(env, k) ? env[k] : null; }
  return {
    getProperty: function (name, dflt) { var v = lookup(name); return v === null ? (dflt === undefined ? null : dflt) : v; },
    getObject: function (name, dflt) { var v = lookup(name); if (v === null) return dflt === undefined ? null : dflt; try { return view(parse(v), 'next'); } catch (e) { fail('systemEnv.getObject: ' + S(name) + ' is not JSON.'); } },
  };
}
function makeLogger(x, name) {
  function at(level) { return function () { x.log(level, formatLog(arguments)); }; }
  if (legacyStyle) return { message: at('debug'), warning: at('warn'), error: at('error'), messageEnabled: function () { return true; }, warningEnabled: function () { return true; }, errorEnabled: function () { return true; } };
  return { getName: function () { return name; }, trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'),
    isTraceEnabled: function () { return true; }, isDebugEnabled: function () { return true; }, isInfoEnabled: function () { return true; }, isWarnEnabled: function () { return true; }, isErrorEnabled: function () { return true; } };
}
function nextAction(a) {
  var w = {};
  var b = actionBuilder(a), ks = keys(b);
  for (var i = 0; i < ks.length; i++) if (ks[i] !== 'build') w[ks[i]] = (function (f) { return function () { apply(f, null, arguments); return w; }; })(b[ks[i]]);
  w.goTo = function (o) { a.outcome = S(o); a.used = true; return w; };
  w.suspend = function () { fail('action.suspend is not supported by Cairn.'); };
  return w;
}
function filtered(state, inputs) {
  if (inputs.indexOf('*') >= 0) return javaMap(clone(state));
  var out = {}; for (var i = 0; i < inputs.length; i++) if (hasOwn(state, inputs[i])) out[inputs[i]] = clone(state[inputs[i]]);
  return javaMap(out);
}

var PARAMS = engine === 'legacy'
  ? ['sharedState', 'transientState', 'nodeState', 'callbacks', 'idRepository', 'logger', 'httpClient', 'realm', 'scriptName', 'requestHeaders', 'requestParameters', 'existingSession', 'resumedFromSuspend', 'systemEnv', 'auditEntryDetail', 'outcome', 'action']
  : engine === 'social'
    ? ['rawProfile', 'normalizedProfile', 'selectedIdp', 'sharedState', 'transientState', 'nodeState', 'callbacks', 'logger', 'httpClient', 'realm', 'scriptName', 'requestHeaders', 'requestParameters', 'existingSession', 'systemEnv', '__cairnGroovy']
    : ['nodeState', 'callbacksBuilder', 'callbacks', 'action', 'idRepository', 'openidm', 'logger', 'httpClient', 'utils', 'realm', 'scriptName', 'requestHeaders', 'requestParameters', 'requestCookies', 'existingSession', 'resumedFromSuspend', 'systemEnv', 'auditEntryDetail', 'outcome', 'require'];

// ---- Groovy semantics for profile transformation scripts translated from Groovy (src/scripts/groovy.ts) ----
function npe(what) { fail('java.lang.NullPointerException: Cannot ' + what + ' on null object'); }
function gTruthy(v) {
  if (v === null || v === undefined) return false;
  if (v instanceof S) v = S(v);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0 && v === v;
  if (v instanceof JsonValue) return true;
  if (isArray(v)) return v.length > 0;
  if (isPlain(v)) return keys(v).length > 0;
  return true;
}
function gEq(a, b) {
  if (a instanceof S) a = S(a); if (b instanceof S) b = S(b);
  if (a === null || a === undefined || b === null || b === undefined) return (a === null || a === undefined) && (b === null || b === undefined);
  if (a instanceof JsonValue || b instanceof JsonValue) return a instanceof JsonValue && b instanceof JsonValue && stringify(a.__v) === stringify(b.__v);
  if (typeof a === 'object' || typeof b === 'object') return stringify(plain(a)) === stringify(plain(b));
  return a === b;
}
function gText(v) { if (v === null || v === undefined) return 'null'; if (v instanceof JsonValue) return v.__v === null ? 'null' : typeof v.__v === 'object' ? stringify(v.__v) : S(v.__v); return javaString(v); }
function javaSplit(s, re) {
  var parts = strSplit(s, new G.RegExp(S(re)));
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.length -= 1;
  return javaList(parts);
}
var STRING_METHODS = {
  trim: function (s) { return s.trim(); }, length: function (s) { return s.length; }, isEmpty: function (s) { return s.length === 0; },
  toLowerCase: function (s) { return strToLower(s); }, toUpperCase: function (s) { return s.toUpperCase(); },
  split: javaSplit, contains: function (s, x) { return s.indexOf(S(x)) >= 0; }, startsWith: function (s, x) { return s.indexOf(S(x)) === 0; },
  endsWith: function (s, x) { x = S(x); return s.length >= x.length && s.substring(s.length - x.length) === x; },
  equals: function (s, x) { return s === str(x); }, equalsIgnoreCase: function (s, x) { return x !== null && x !== undefined && strToLower(s) === strToLower(S(x)); },
  substring: function (s, a, b) { return b === undefined ? s.substring(a) : s.substring(a, b); }, indexOf: function (s, x) { return s.indexOf(S(x)); },
  replace: function (s, a, b) { return strSplit(s, S(a)).join(S(b)); }, replaceAll: function (s, re, b) { return strReplace(s, new G.RegExp(S(re), 'g'), S(b)); },
  toString: function (s) { return s; }, charAt: function (s, i) { return s.charAt(i); },
};
var groovy = {
  truthy: gTruthy,
  eq: gEq,
  plus: function (a, b) {
    if (typeof a === 'string' || a instanceof S || typeof b === 'string' || b instanceof S) return gText(a) + gText(b);
    if (isArray(a)) return a.concat(isArray(b) ? b : [b]);
    if (typeof a === 'number' && typeof b === 'number') return a + b;
    return gText(a) + gText(b);
  },
  /** Groovy property access: a JsonValue member, a map entry, else the object's own property. */
  prop: function (o, name, safe) {
    if (o === null || o === undefined) { if (safe) return null; npe("get property '" + name + "'"); }
    if (o instanceof JsonValue) return o.get(name);
    if (typeof o === 'object' && typeof o.get === 'function' && !isArray(o)) return o.get(name);
    if (isPlain(o)) return hasOwn(o, name) ? view(o[name], 'java') : null;
    return null;
  },
  call: function (o, name, args, safe) {
    if (o === null || o === undefined) { if (safe) return null; npe("invoke method " + name + "()"); }
    if (typeof o === 'string' || o instanceof S) {
      var f = STRING_METHODS[name];
      if (!f) fail('groovy: String.' + name + '() is not supported.');
      return apply(f, null, [S(o)].concat(args));
    }
    if (name === 'toString' && args.length === 0) return gText(o);
    var m = o[name];
    if (typeof m !== 'function') fail('groovy: no method ' + name + '() on this value.');
    return apply(m, o, args);
  },
  index: function (o, i, safe) {
    if (o === null || o === undefined) { if (safe) return null; npe('get at index'); }
    if (o instanceof JsonValue) return o.get(i);
    if (typeof o === 'string' || o instanceof S) { var s = S(o), n = N(i); return s.charAt(n < 0 ? s.length + n : n); }
    if (isArray(o)) { var k = N(i); var v = o[k < 0 ? o.length + k : k]; return v === undefined ? null : view(v, 'java'); }
    if (typeof o.get === 'function') return o.get(i);
    return null;
  },
  /** A value assigned to a variable declared with a type: String, boolean, numbers. */
  cast: function (type, v) {
    if (v instanceof JsonValue && type !== 'JsonValue' && type !== 'def' && type !== 'Object') v = v.getObject();
    if (type === 'String') return v === null || v === undefined ? null : typeof v === 'object' ? gText(v) : S(v);
    if (type === 'boolean' || type === 'Boolean') return gTruthy(v);
    if (type === 'int' || type === 'Integer' || type === 'long' || type === 'Long') return v === null || v === undefined ? null : M.floor(N(v));
    if (type === 'double' || type === 'Double') return v === null || v === undefined ? null : N(v);
    return v;
  },
  list: function () { return javaList(slice(arguments)); },
  map: function (o) { return javaMap(o); },
  json: JsonValue.json, object: JsonValue.object, field: JsonValue.field, fieldIfNotNull: JsonValue.fieldIfNotNull, array: JsonValue.array,
};
keep(groovy); keep(STRING_METHODS);

/** Social profile transformation: the script's value (its last statement, AM's rule) is the transformed profile. */
function bindSocial(scriptFn) {
  return function run(inputJson) {
    var input = parse(inputJson), logs = [], logged = 0, overflow = false;
    var x = { shared: input.shared, transient: input.transient, inputs: ['*'],
      log: function (level, msg) { if (overflow) throw new E('Script log output exceeded its limit.'); logged += msg.length + 16; if (logged > input.maxLogBytes) { overflow = true; host('overflow', 'null'); throw new E('Script log output exceeded its limit.'); } push(logs, [level, msg]); } };
    var profile = jv(input.profile === undefined ? null : input.profile);
    var b = {
      rawProfile: input.normalized ? null : profile, normalizedProfile: input.normalized ? profile : null, selectedIdp: S(input.selectedIdp),
      sharedState: javaMap(x.shared), transientState: javaMap(x.transient), nodeState: makeState(x), callbacks: legacyCallbacks(input.callbacks),
      logger: makeLogger(x, 'scripts.SOCIAL_IDP_PROFILE_TRANSFORMATION.' + input.scriptId), httpClient: httpApi(), realm: input.realm, scriptName: input.scriptName,
      requestHeaders: requestMap(input.headers, true), requestParameters: requestMap(input.parameters, false),
      existingSession: input.existingSession ? javaMap(input.existingSession) : null, systemEnv: systemEnvApi(input.env || {}), __cairnGroovy: groovy,
    };
    var args = []; for (var i = 0; i < PARAMS.length; i++) push(args, b[PARAMS[i]]);
    var value = scriptFn(args, function () {});
    if (overflow) throw new E('Script log output exceeded its limit.');
    var result = plain(value);
    if (!isPlain(result)) fail('The script must end with the transformed profile, a JSON object (got ' + (result === null ? 'nothing' : isArray(result) ? 'a list' : typeof result) + ').');
    return stringify({ value: result, shared: x.shared, transient: x.transient, logs: logs });
  };
}

function bind(scriptFn) {
  if (engine === 'social') return bindSocial(scriptFn);
  return function run(inputJson) {
    var input = parse(inputJson), logs = [], logged = 0, overflow = false;
    var x = { shared: input.shared, transient: input.transient, inputs: input.inputs,
      log: function (level, msg) { if (overflow) throw new E('Script log output exceeded its limit.'); logged += msg.length + 16; if (logged > input.maxLogBytes) { overflow = true; host('overflow', 'null'); throw new E('Script log output exceeded its limit.'); } push(logs, [level, msg]); } };
    var act = newAction(), built = [];
    var b = {
      nodeState: makeState(x), callbacks: engine === 'legacy' ? legacyCallbacks(input.callbacks) : nextCallbacks(input.callbacks),
      idRepository: identityRepository(x), logger: makeLogger(x, 'scripts.AUTHENTICATION_TREE_DECISION_NODE.' + input.scriptId), httpClient: httpApi(),
      realm: input.realm, scriptName: input.scriptName, requestHeaders: requestMap(input.headers, true), requestParameters: requestMap(input.parameters, false),
      existingSession: input.existingSession ? javaMap(input.existingSession) : null, resumedFromSuspend: !!input.resumed,
      systemEnv: systemEnvApi(input.env || {}), auditEntryDetail: null, outcome: null,
    };
    var shareView, transientView;
    if (engine === 'legacy') { shareView = filtered(x.shared, x.inputs); transientView = filtered(x.transient, x.inputs); b.sharedState = shareView; b.transientState = transientView; b.action = null; }
    else { b.callbacksBuilder = makeCallbacksBuilder(built); b.action = nextAction(act); b.openidm = openidmApi(); b.utils = utils_(); b.requestCookies = javaMap(input.cookies || {}); b.require = requireUnsupported; }
    var args = []; for (var i = 0; i < PARAMS.length; i++) push(args, b[PARAMS[i]]);
    var result = {};
    scriptFn(args, function (outcome, action, audit) { result.outcome = outcome; result.action = action; result.audit = audit; });
    if (overflow) throw new E('Script log output exceeded its limit.');
    if (engine === 'legacy') {
      var outs = input.outputs;
      var all = outs.indexOf('*') >= 0;
      if (!all) { for (var o = 0; o < outs.length; o++) if (!hasOwn(shareView, outs[o]) && !hasOwn(transientView, outs[o])) fail('Script did not provide all declared outputs (' + join(outs, ', ') + ').'); }
      var sk = keys(shareView), tk = keys(transientView), q;
      for (q = 0; q < sk.length; q++) if (all || outs.indexOf(sk[q]) >= 0) x.shared[sk[q]] = plain(shareView[sk[q]]);
      for (q = 0; q < tk.length; q++) if (all || outs.indexOf(tk[q]) >= 0) x.transient[tk[q]] = plain(transientView[tk[q]]);
    }
    var out = { shared: x.shared, transient: x.transient, logs: logs };
    var a = null;
    if (engine === 'legacy') { if (result.action instanceof ActionResult) a = result.action.__action; else if (result.action !== null && result.action !== undefined) push(logs, ['warn', 'The script set action to something that is not a built Action; it was ignored.']); }
    else { if (built.length) act.callbacks = built; if (act.used || built.length) a = act; }
    if (a) {
      out.action = a;
      if (a.replaceShared) out.shared = a.replaceShared;
      if (a.replaceTransient) out.transient = a.replaceTransient;
    } else if (result.outcome !== null && result.outcome !== undefined) {
      if (typeof result.outcome !== 'string' && !(result.outcome instanceof S)) fail("Script must set 'outcome' to a string.");
      out.outcome = S(result.outcome);
    }
    if (result.audit !== null && result.audit !== undefined) out.audit = plain(result.audit);
    return stringify(out);
  };
}

// ---- lockdown: freeze everything shared, so nothing survives from one execution to the next ------
function lockdown() {
  // Assigning an inherited frozen property on an ordinary object would silently fail (the "override
  // mistake"); these accessors define the property on the object instead, and refuse the prototype.
  function overridable(proto, name) {
    var d = getOwnDesc(proto, name);
    if (!d || !hasOwn(d, 'value') || !d.writable) return;
    var value = d.value;
    defineProperty(proto, name, { enumerable: d.enumerable, configurable: false,
      get: function () { return value; },
      set: function (v) { if (this === proto) throw new TE('Cannot change ' + name + ' of a shared prototype: the script sandbox is locked down.'); defineProperty(this, name, { value: v, writable: true, enumerable: true, configurable: true }); } });
  }
  var errs = ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'InternalError', 'AggregateError'];
  var opNames = ['toString', 'valueOf', 'constructor', 'hasOwnProperty', 'toLocaleString', 'isPrototypeOf', 'propertyIsEnumerable'];
  for (var i = 0; i < opNames.length; i++) overridable(O.prototype, opNames[i]);
  for (var e = 0; e < errs.length; e++) if (G[errs[e]]) { var ep = G[errs[e]].prototype; overridable(ep, 'message'); overridable(ep, 'name'); overridable(ep, 'constructor'); overridable(ep, 'toString'); }
  overridable(Function.prototype, 'toString'); overridable(Function.prototype, 'constructor');
  overridable(A.prototype, 'constructor'); overridable(A.prototype, 'toString');
  var roots = [G, shared];
  // Intrinsics not reachable from the global object by name.
  push(roots, getProto(function* () {}), getProto(async function () {}), getProto(async function* () {}), getProto([][G.Symbol.iterator]()), getProto(new MapC().entries()),
    getProto(new G.Set().values()), getProto(''[G.Symbol.iterator]()), getProto(/x/[G.Symbol.matchAll]('')), getProto(G.Int8Array), getProto((function* () {})()), getProto((async function* () {})()));
  var seen = new G.WeakSet(), stack = slice(roots);
  while (stack.length) {
    var o = stack.pop();
    if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
    seen.add(o);
    if (packages.has(o && o.__javaPackage)) continue;
    freeze(o);
    push(stack, getProto(o));
    var names = G.Reflect.ownKeys(o);
    for (var n = 0; n < names.length; n++) { var d2 = getOwnDesc(o, names[n]); if (!d2) continue; if (hasOwn(d2, 'value')) push(stack, d2.value); else { push(stack, d2.get); push(stack, d2.set); } }
  }
}

// Globals legacy scripts use bare (Rhino's Packages, JavaImporter, importClass...).
var javaGlobals = { Packages: pkg(''), java: pkg('java'), javax: pkg('javax'), org: pkg('org'), com: pkg('com'), JavaImporter: JavaImporter, importClass: importNoop, importPackage: importNoop };
var gk = keys(javaGlobals);
for (var g = 0; g < gk.length; g++) defineProperty(G, gk[g], { value: javaGlobals[gk[g]], writable: false, enumerable: false, configurable: false });
// Java String helpers legacy scripts call on strings (String.equals, equalsIgnoreCase...).
methods(S.prototype, {
  equals: function (o) { return S(this) === S(o); },
  equalsIgnoreCase: function (o) { return strToLower(S(this)) === strToLower(S(o)); },
  contains: function (o) { return S(this).indexOf(S(o)) >= 0; },
  isEmpty: function () { return S(this).length === 0; },
  matches: function (re) { return new G.RegExp('^(?:' + S(re) + ')$').test(S(this)); },
});
return { bind: bind, lockdown: lockdown, params: PARAMS, simpleClasses: keys(SIMPLE), classOf: function (n) { return SIMPLE[n]; } };
})`;
