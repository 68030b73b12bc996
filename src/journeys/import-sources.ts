/**
 * What each file of an import holds. Whole exports — frodo's (`trees`, the legacy single-tree form, a
 * full configuration export), AM REST responses (`tree` + `nodes`), trees written by other tools (a
 * `tree` beside `nodes: [{_id, nodeType, details}]`) — and layouts spread over many files —
 * fr-config-manager (a folder per journey with `nodes/`), Amster exports and AM's file-based
 * configuration (`{metadata, data}` per entity) — are reduced to the same records: trees in AM's REST
 * shape, node configs in AM's node GET shape, scripts and email templates, each with the file and
 * JSON pointer it came from. Turning them into journeys is import-am.ts's job.
 */
import { decodeBody } from '../scripts/files.js';
import type { ExportEncoding } from '../scripts/model.js';

/** One file of an import: its path relative to the import root ('/'-separated) and its text or parsed JSON. */
export interface ImportSource {
  file: string;
  text?: string;
  json?: unknown;
}

export type ExportFormat = 'frodo' | 'frodo-legacy' | 'frodo-config' | 'am-rest' | 'node-details' | 'fr-config-manager' | 'amster' | 'am-file-config';

export const FORMAT_NAMES: Readonly<Record<ExportFormat, string>> = {
  frodo: 'frodo export',
  'frodo-legacy': 'frodo single-tree export (legacy form)',
  'frodo-config': 'frodo full configuration export',
  'am-rest': 'AM REST responses (tree and nodes)',
  'node-details': 'tree with node records {_id, nodeType, details}',
  'fr-config-manager': 'fr-config-manager journey folder',
  amster: 'Amster export',
  'am-file-config': 'AM file-based configuration',
};

export type Json = Record<string, unknown>;

export interface Located {
  file: string;
  /** JSON pointer into `file`. */
  pointer: string;
}

export interface ImportIssue extends Located {
  severity: 'error' | 'warning';
  /** The journey the issue concerns, when there is one. */
  journey?: string;
  message: string;
}

/** A node config in AM's node GET shape (settings plus `_id`, `_type`, `_outcomes`). */
export interface NodeRecord extends Located {
  id: string;
  config: Json;
  realm?: string;
  /**
   * Whether `_type` and `_outcomes` are AM's REST envelope, worth keeping for the round trip (false for
   * AM's file-based configuration, whose `_type` is a storage record, and for `details` records).
   */
  envelope: boolean;
}

/** A tree in AM's REST shape (`_id`, `entryNodeId`, `nodes` refs, …), with the node configs that came with it. */
export interface TreeRecord extends Located {
  format: ExportFormat;
  realm?: string;
  tree: Json;
  /** Node configs shipped with the tree (same export), by id; others are looked up among the import's loose node configs. */
  nodes: Map<string, NodeRecord>;
  /** The name the export filed the tree under (frodo's `trees` key), when there is one. */
  key?: string;
  /** JSON pointer of the tree's `nodes` refs, for naming a node of the tree. */
  refsPointer: string;
}

/** A script an export carried (AM's script record); src/scripts/ turns these into script files. */
export interface ImportedScript extends Located {
  _id: string;
  name?: string;
  /** AM's script record without `script`: every other field kept as AM had it. */
  record: Json;
  /** The script's source text, decoded; undefined when the export referred to a file the import does not hold. */
  source?: string;
  /** How the export carried the body (src/scripts/files.ts decodes it), or in a separate file (fr-config-manager, frodo's extracted scripts). */
  exportEncoding: ExportEncoding | 'file';
  /** With `file`: the body's path in the import, and the reference as the export wrote it. */
  bodyFile?: string;
  bodyRef?: unknown;
  realm?: string;
}

export interface RecognisedFile {
  file: string;
  /** What the file was read as, in words ("frodo export", "Amster node config", "not journey configuration"). */
  what: string;
  format?: ExportFormat;
}

export interface Recognised {
  trees: TreeRecord[];
  /** Node configs that are not part of one export (fr-config-manager node files, Amster or file-based config entities). */
  loose: NodeRecord[];
  scripts: ImportedScript[];
  emailTemplates: Record<string, unknown>;
  /** AIC social identity provider records (name → record as exported, secrets included). */
  socialProviders: Record<string, Record<string, unknown>>;
  files: RecognisedFile[];
  issues: ImportIssue[];
}

/** Parts of a frodo export that Cairn does not import (yet): reported when not empty. */
const UNSUPPORTED_PARTS: Record<string, string> = {
  themes: 'themes',
  saml2Entities: 'SAML2 entities',
  circlesOfTrust: 'circles of trust',
  variable: 'environment variables',
  variables: 'environment variables',
  nodeTypes: 'custom node types',
};
const SINGLE_FORM_KEYS = new Set([
  'meta',
  'origin',
  '_source',
  'tree',
  'nodes',
  'innerNodes',
  'innernodes',
  'scripts',
  'emailTemplates',
  'socialIdentityProviders',
  ...Object.keys(UNSUPPORTED_PARTS),
]);

export const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
export const pointerOf = (...parts: (string | number)[]): string => parts.map((p) => '/' + escapePointer(String(p))).join('');

/** A HAR-style `{request, response}` pair stands for its response. */
function unwrapResponse(v: unknown): unknown {
  return isRecord(v) && isRecord(v.response) && !('_id' in v) ? v.response : v;
}

/** `root-alpha`, `/alpha`, `realms/root/realms/alpha` → `alpha`; the top-level realm → `root`; `root-first-second` → `first/second`. */
export function normaliseRealm(name: string): string {
  let r = name.trim().replace(/^\/+|\/+$/g, '');
  r = r.replace(/(^|\/)realms\//g, '$1');
  if (r === '' || r === 'root') return 'root';
  if (r.startsWith('root/')) r = r.slice(5);
  else if (r.startsWith('root-')) r = r.slice(5).replace(/-/g, '/');
  return r;
}

/** The realm a file's path names (`realms/alpha/journeys/…` as fr-config-manager writes, `realm/root-alpha/journey/…` as frodo does). */
function realmOfPath(file: string): string | undefined {
  const parts = file.split('/');
  for (let i = 0; i < parts.length - 2; i++) {
    if (parts[i] === 'realms' || parts[i] === 'realm') return normaliseRealm(parts[i + 1]!);
  }
  return undefined;
}

const dirOf = (file: string): string => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '');

/** A tree as AM's REST API returns it: an `_id`, an entry node and a `nodes` map of refs with a `nodeType`. */
function looksLikeTree(v: unknown): v is Json {
  return (
    isRecord(v) &&
    typeof v.entryNodeId === 'string' &&
    isRecord(v.nodes) &&
    Object.values(v.nodes).every((ref) => isRecord(ref) && typeof ref.nodeType === 'string')
  );
}

/** A node GET response: an `_id` and a `_type` naming the node type (and no tree of its own). */
function looksLikeNodeConfig(v: unknown): v is Json {
  return isRecord(v) && typeof v._id === 'string' && isRecord(v._type) && typeof v._type._id === 'string' && !('entryNodeId' in v);
}

/** AM's script record: a `script` body with a language or context. */
function looksLikeScript(v: unknown): v is Json {
  return isRecord(v) && typeof v._id === 'string' && 'script' in v && ('language' in v || 'context' in v);
}

class Collector implements Recognised {
  trees: TreeRecord[] = [];
  loose: NodeRecord[] = [];
  scripts: ImportedScript[] = [];
  emailTemplates: Record<string, unknown> = {};
  socialProviders: Record<string, Record<string, unknown>> = {};
  files: RecognisedFile[] = [];
  issues: ImportIssue[] = [];
  private readonly texts = new Map<string, string>();

  constructor(sources: ImportSource[]) {
    for (const s of sources) if (s.text !== undefined) this.texts.set(s.file, s.text);
  }

  text(file: string): string | undefined {
    return this.texts.get(file);
  }

  warn(file: string, pointer: string, message: string, journey?: string): void {
    this.issues.push({ severity: 'warning', file, pointer, message, ...(journey !== undefined ? { journey } : {}) });
  }

  error(file: string, pointer: string, message: string, journey?: string): void {
    this.issues.push({ severity: 'error', file, pointer, message, ...(journey !== undefined ? { journey } : {}) });
  }
}

/** Reads every file of an import; files that hold no journey configuration are listed as such. */
export function recogniseSources(sources: ImportSource[]): Recognised {
  const c = new Collector(sources);
  const single = sources.filter((s) => s.file.endsWith('.json') || s.json !== undefined).length === 1;
  const folderWithNodes = new Set(sources.filter((s) => /(^|\/)nodes\//.test(s.file)).map((s) => s.file.replace(/(^|\/)nodes\/.*$/, '')));
  for (const source of sources) {
    if (source.json === undefined && !source.file.endsWith('.json')) continue; // script bodies and other files, read on demand
    let json = source.json;
    if (json === undefined) {
      try {
        json = JSON.parse(source.text ?? '');
      } catch (e) {
        c.error(source.file, '', `The file is not valid JSON: ${(e as Error).message}.`);
        c.files.push({ file: source.file, what: 'not valid JSON' });
        continue;
      }
    }
    const realm = realmOfPath(source.file);
    // fr-config-manager writes each journey as <name>/<name>.json, its nodes in <name>/nodes/.
    const journeyFolder = folderWithNodes.has(dirOf(source.file)) || /(^|\/)([^/]+)\/\2\.json$/.test(source.file);
    const what = recogniseJson(c, source.file, json, realm, journeyFolder);
    c.files.push(what);
    if (single && !what.format && what.what !== 'script' && what.what !== 'email template') {
      c.error(source.file, '', unrecognisedMessage(json));
    }
  }
  resolveScriptFiles(c);
  return c;
}

function unrecognisedMessage(json: unknown): string {
  if (!isRecord(json)) {
    return `Unrecognised AM export: expected a JSON object, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}.`;
  }
  const keys = Object.keys(json);
  return (
    'Unrecognised AM export: expected a frodo export {trees: {<name>: {tree, nodes, innerNodes, …}}}, a legacy frodo export ' +
    '{tree, nodes, innerNodes, …}, AM REST responses {tree, nodes}, an Amster or file-based config entity {metadata, data}, ' +
    `or a tree file {_id, entryNodeId, nodes}; found ${keys.length ? 'keys ' + keys.slice(0, 10).join(', ') : 'an empty object'}.`
  );
}

function recogniseJson(c: Collector, file: string, json: unknown, realm: string | undefined, journeyFolder: boolean): RecognisedFile {
  if (!isRecord(json)) return { file, what: 'not journey configuration' };
  if (isRecord(json.metadata) && typeof json.metadata.entityType === 'string' && isRecord(json.data)) {
    return entity(c, file, json.metadata, json.data, realm);
  }
  if ('trees' in json) {
    if (!isRecord(json.trees)) {
      c.error(file, '/trees', "'trees' must be an object of tree name → tree export.");
      return { file, what: 'frodo export', format: 'frodo' };
    }
    for (const [name, part] of Object.entries(json.trees)) {
      exportPart(c, file, pointerOf('trees', name), part, name, 'frodo', realm);
    }
    if (Object.keys(json.trees).length === 0) c.warn(file, '/trees', "'trees' is empty: the export holds no journey.");
    return { file, what: FORMAT_NAMES.frodo, format: 'frodo' };
  }
  if (isRecord(json.realm) && Object.values(json.realm).some((r) => isRecord(r) && isRecord(r.trees))) {
    for (const [realmKey, part] of Object.entries(json.realm)) {
      if (!isRecord(part)) continue;
      const r = normaliseRealm(realmKey);
      if (isRecord(part.trees)) {
        for (const [name, tree] of Object.entries(part.trees)) {
          exportPart(c, file, pointerOf('realm', realmKey, 'trees', name), tree, name, 'frodo-config', r);
        }
      }
      if (isRecord(part.script)) collectScriptMap(c, file, pointerOf('realm', realmKey, 'script'), part.script, r);
    }
    return { file, what: FORMAT_NAMES['frodo-config'], format: 'frodo-config' };
  }
  if (isRecord(json.tree)) {
    const keys = Object.keys(json);
    const nodes = json.nodes;
    const format: ExportFormat =
      Array.isArray(nodes) && nodes.some((n) => isRecord(n) && isRecord(n.details))
        ? 'node-details'
        : keys.every((k) => k === 'tree' || k === 'nodes' || k === '_source')
          ? 'am-rest'
          : 'frodo-legacy';
    exportPart(c, file, '', json, undefined, format, realm);
    return { file, what: FORMAT_NAMES[format], format };
  }
  if (isRecord(json.script) && Object.values(json.script).some(looksLikeScript)) {
    collectScriptMap(c, file, '/script', json.script, realm);
    return { file, what: 'script' };
  }
  if (isRecord(json.emailTemplate) && !('_id' in json)) {
    for (const [name, t] of Object.entries(json.emailTemplate)) c.emailTemplates[name] = t;
    return { file, what: 'email template' };
  }
  const response = unwrapResponse(json);
  if (looksLikeTree(response)) {
    const format: ExportFormat = journeyFolder ? 'fr-config-manager' : 'am-rest';
    addTree(c, { file, pointer: response === json ? '' : '/response', format, tree: response, nodes: new Map(), realm });
    return { file, what: format === 'fr-config-manager' ? 'fr-config-manager journey' : 'AM tree', format };
  }
  if (looksLikeNodeConfig(response)) {
    c.loose.push({
      id: response._id as string,
      config: response,
      file,
      pointer: response === json ? '' : '/response',
      envelope: true,
      ...withRealm(realm),
    });
    return { file, what: 'node config' };
  }
  if (looksLikeScript(json)) {
    addScript(c, file, '', json, realm);
    return { file, what: 'script' };
  }
  return { file, what: 'not journey configuration' };
}

const withRealm = (realm: string | undefined): { realm?: string } => (realm !== undefined ? { realm } : {});

/** A tree whose realm is not known (undefined) is recorded without a `realm`. */
type NewTree = Omit<TreeRecord, 'refsPointer' | 'realm'> & { refsPointer?: string; realm: string | undefined };

function addTree(c: Collector, { realm, refsPointer, ...t }: NewTree): void {
  c.trees.push({ ...t, ...withRealm(realm), refsPointer: refsPointer ?? `${t.pointer}/nodes` });
}

/** One tree of a frodo or REST export: `{tree, nodes, innerNodes, scripts, emailTemplates, …}`. */
function exportPart(
  c: Collector,
  file: string,
  at: string,
  raw: unknown,
  key: string | undefined,
  format: ExportFormat,
  realm: string | undefined,
): void {
  if (!isRecord(raw)) {
    c.error(file, at, `The tree export${key ? ` '${key}'` : ''} must be an object {tree, nodes, innerNodes, …}.`, key);
    return;
  }
  const tree = unwrapResponse(raw.tree);
  const treeAt = `${at}/tree${tree !== raw.tree ? '/response' : ''}`;
  if (!isRecord(tree)) {
    c.error(file, `${at}/tree`, `The tree export${key ? ` '${key}'` : ''} has no 'tree' object.`, key);
    return;
  }
  const label = typeof tree._id === 'string' ? tree._id : key;
  const nodes = new Map<string, NodeRecord>();
  for (const part of ['nodes', 'innerNodes', 'innernodes']) {
    const list = raw[part];
    if (list === undefined) continue;
    if (!Array.isArray(list) && !isRecord(list)) {
      c.error(file, `${at}/${part}`, `'${part}' must be an object or an array of node configs.`, label);
      continue;
    }
    const entries: [string, unknown][] = Array.isArray(list) ? list.map((v, i) => [String(i), v]) : Object.entries(list);
    for (const [k, value] of entries) {
      const wrapped = unwrapResponse(value);
      const where = `${at}/${part}/${escapePointer(k)}` + (wrapped !== value ? '/response' : '');
      const record = nodeRecord(wrapped, Array.isArray(list) ? undefined : k, file, where, realm);
      if (!record) {
        c.error(file, where, `'${part}' holds an entry that is not a node config with an _id.`, label);
        continue;
      }
      nodes.set(record.id, record);
    }
  }
  if (raw.emailTemplates !== undefined) {
    if (isRecord(raw.emailTemplates)) Object.assign(c.emailTemplates, raw.emailTemplates);
    else c.warn(file, `${at}/emailTemplates`, "'emailTemplates' must be an object; ignored.", label);
  }
  if (raw.socialIdentityProviders !== undefined) {
    if (isRecord(raw.socialIdentityProviders)) {
      for (const [name, p] of Object.entries(raw.socialIdentityProviders)) {
        if (isRecord(p)) c.socialProviders[typeof p._id === 'string' ? p._id : name] = { _id: name, ...p };
        else c.warn(file, `${at}/socialIdentityProviders/${name}`, 'a social identity provider must be an object; ignored.', label);
      }
    } else c.warn(file, `${at}/socialIdentityProviders`, "'socialIdentityProviders' must be an object; ignored.", label);
  }
  if (raw.scripts !== undefined) {
    if (isRecord(raw.scripts)) collectScriptMap(c, file, `${at}/scripts`, raw.scripts, realm);
    else c.warn(file, `${at}/scripts`, "'scripts' must be an object; ignored.", label);
  }
  for (const [part, what] of Object.entries(UNSUPPORTED_PARTS)) {
    const value = raw[part];
    const ids = Array.isArray(value)
      ? value.map((v, i) => (isRecord(v) && typeof v._id === 'string' ? v._id : String(i)))
      : isRecord(value)
        ? Object.keys(value)
        : [];
    if (ids.length > 0) {
      c.warn(file, `${at}/${part}`, `${ids.length} ${what} not imported, Cairn does not support them yet: ${ids.join(', ')}.`, label);
    }
  }
  for (const k of Object.keys(raw)) {
    if (!SINGLE_FORM_KEYS.has(k)) c.warn(file, `${at}/${escapePointer(k)}`, `Ignored the unknown export part '${k}'.`, label);
  }
  addTree(c, { file, pointer: treeAt, format, tree, nodes, ...(key !== undefined ? { key } : {}), realm });
}

/** A node config entry: a node GET response, or a `{_id, nodeType, details}` record as some tools write them. */
function nodeRecord(v: unknown, key: string | undefined, file: string, pointer: string, realm: string | undefined): NodeRecord | undefined {
  if (!isRecord(v)) return undefined;
  if (isRecord(v.details) && typeof v.nodeType === 'string' && typeof v._id === 'string') {
    return { id: v._id, config: { ...v.details, _id: v._id, _type: { _id: v.nodeType } }, file, pointer, envelope: false, ...withRealm(realm) };
  }
  const id = typeof v._id === 'string' ? v._id : key;
  if (id === undefined) return undefined;
  return { id, config: v, file, pointer, envelope: true, ...withRealm(realm) };
}

/** An Amster export entity or an AM file-based configuration entity: `{metadata: {entityType, entityId, realm}, data}`. */
function entity(c: Collector, file: string, metadata: Json, data: Json, pathRealm: string | undefined): RecognisedFile {
  const fileBased = 'uid' in metadata || 'sunServiceID' in metadata;
  const format: ExportFormat = fileBased ? 'am-file-config' : 'amster';
  const realm = typeof metadata.realm === 'string' ? normaliseRealm(metadata.realm) : pathRealm;
  const entityType = metadata.entityType as string;
  const name = fileBased ? 'AM file-based config' : 'Amster';
  if (entityType === 'AuthTree' || (fileBased && metadata.sunServiceID === 'tree')) {
    const tree: Json = { ...data };
    if (fileBased) {
      delete tree._type;
      if (typeof tree._id === 'string') tree._id = tree._id.slice(tree._id.lastIndexOf('/') + 1);
    }
    addTree(c, { file, pointer: '/data', format, tree, nodes: new Map(), realm });
    return { file, what: `${name} tree`, format };
  }
  if (entityType === 'Scripts' && looksLikeScript(data)) {
    addScript(c, file, '/data', data, realm);
    return { file, what: 'script' };
  }
  if (fileBased) {
    if (metadata.sunServiceID !== 'instance' || !isRecord(data._type)) return { file, what: 'not journey configuration' };
    const config = fileBasedNode(data);
    c.loose.push({ id: config._id as string, config, file, pointer: '/data', envelope: false, ...withRealm(realm) });
    return { file, what: `${name} node config` };
  }
  if (!looksLikeNodeConfig(data)) return { file, what: 'not journey configuration' };
  c.loose.push({ id: data._id as string, config: data, file, pointer: '/data', envelope: true, ...withRealm(realm) });
  return { file, what: `${name} node config` };
}

/**
 * A node as AM's file-based configuration stores it, in the REST shape: `_id: "default/<uuid>"` → the
 * uuid, the storage `_type` reduced to the node type, Page Node children from `"<uuid>:<type>:<name>"`.
 */
function fileBasedNode(data: Json): Json {
  const config: Json = { ...data };
  const id = typeof data._id === 'string' ? data._id : '';
  config._id = id.slice(id.lastIndexOf('/') + 1);
  config._type = { _id: (data._type as Json)._id };
  if (Array.isArray(data.nodes)) {
    config.nodes = data.nodes.map((ref: unknown) => {
      if (typeof ref !== 'string') return ref;
      const [childId = '', nodeType = '', ...rest] = ref.split(':');
      return { _id: childId, nodeType, displayName: rest.join(':') || nodeType };
    });
  }
  return config;
}

function collectScriptMap(c: Collector, file: string, at: string, scripts: Json, realm: string | undefined): void {
  for (const [id, s] of Object.entries(scripts)) {
    if (isRecord(s)) addScript(c, file, `${at}/${escapePointer(id)}`, { _id: id, ...s }, realm);
  }
}

function addScript(c: Collector, file: string, pointer: string, raw: Json, realm: string | undefined): void {
  const { script, ...record } = raw;
  const id = String(raw._id);
  if (c.scripts.some((s) => s._id === id)) return;
  const base = { file, pointer, _id: id, record, ...(typeof raw.name === 'string' ? { name: raw.name } : {}), ...withRealm(realm) };
  const fileRef = typeof script === 'string' ? /^'?file:\/\/(.+?)'?$/.exec(script) : null;
  if (fileRef) {
    // frodo's extracted scripts: `'file://<name>.script.js'`, beside the script's JSON file.
    c.scripts.push({ ...base, exportEncoding: 'file', bodyFile: joinPath(dirOf(file), fileRef[1]!), bodyRef: script });
  } else if (isRecord(script) && typeof script.file === 'string') {
    // fr-config-manager: `{file: "scripts-content/<context>/<name>.js"}`, relative to the realm's scripts/ folder.
    c.scripts.push({ ...base, exportEncoding: 'file', bodyFile: joinPath(dirOf(dirOf(file)), script.file), bodyRef: script });
  } else if (typeof script === 'string' || (Array.isArray(script) && script.every((l) => typeof l === 'string'))) {
    // base64 (AM REST), lines (frodo), a JSON string (AIC's journey export) or plain text: kept as carried.
    const { source, encoding } = decodeBody(script, `'${base.name ?? id}'`);
    c.scripts.push({ ...base, source, exportEncoding: encoding });
  } else {
    c.warn(file, `${pointer}/script`, `The script '${base.name ?? id}' has no body Cairn can read; skipped.`);
  }
}

const joinPath = (dir: string, rel: string): string => {
  const parts = dir === '' ? [] : dir.split('/');
  for (const seg of rel.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
};

/** Script bodies kept in files of their own are read once every file of the import is known. */
function resolveScriptFiles(c: Collector): void {
  for (const s of c.scripts) {
    if (s.bodyFile === undefined) continue;
    const text = c.text(s.bodyFile);
    if (text === undefined) c.warn(s.file, `${s.pointer}/script`, `The script body '${s.bodyFile}' is not part of the import.`);
    else s.source = text;
  }
}
