/**
 * Scripts on disk, beside the journeys (`<journeysDir>/scripts/`): `<name>.js` (or `.groovy`) holds the
 * source byte for byte as AM runs it, `<name>.meta.json` AM's record without `script`, plus
 * `exportEncoding`. The AM record ⇄ files conversion keeps the export's own encoding of the body
 * (base64, lines, a JSON string or plain text) so that an export writes back exactly what was imported.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXPORT_ENCODINGS, isGroovy, type ExportEncoding, type ScriptMeta, type ScriptRecord } from './model.js';

export const SCRIPTS_DIR = 'scripts';
export const META_SUFFIX = '.meta.json';

export interface ScriptFile extends ScriptRecord {
  metaFile: string;
  sourceFile: string;
}

export interface FileProblem {
  file: string;
  pointer: string;
  message: string;
  severity: 'error' | 'warning';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A script's name made file-safe (`Check Username` → `Check-Username`). */
export function fileSafeName(name: string): string {
  const safe = name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 100);
  return safe || 'script';
}

/** Unique file names for a set of scripts (a second `debug` becomes `debug-2`). */
export function fileNames(metas: readonly Pick<ScriptMeta, '_id' | 'name'>[]): Map<string, string> {
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const m of metas) {
    const base = fileSafeName(String(m.name ?? m._id));
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}`;
    taken.add(name.toLowerCase());
    out.set(m._id, name);
  }
  return out;
}

export const sourceExtension = (meta: Pick<ScriptMeta, 'language'>): string => (isGroovy(meta) ? '.groovy' : '.js');

/** Decodes an exported `script` field, remembering how it was carried. Throws a sentence on a malformed body. */
export function decodeBody(body: unknown, label: string): { source: string; encoding: ExportEncoding } {
  if (Array.isArray(body)) {
    if (!body.every((l) => typeof l === 'string'))
      throw new Error(`script ${label}: 'script' is a list that holds something other than lines of text`);
    return { source: body.join('\n'), encoding: 'lines' };
  }
  if (typeof body !== 'string') throw new Error(`script ${label}: 'script' must be the source (base64, a string or a list of lines)`);
  if (body.length > 0 && body.length % 4 === 0 && BASE64.test(body)) {
    const bytes = Buffer.from(body, 'base64');
    const text = bytes.toString('utf8');
    if (bytes.toString('base64') === body && Buffer.from(text, 'utf8').equals(bytes)) return { source: text, encoding: 'base64' };
  }
  if (body.startsWith('"') && body.endsWith('"')) {
    try {
      const inner: unknown = JSON.parse(body);
      if (typeof inner === 'string' && JSON.stringify(inner) === body) return { source: inner, encoding: 'json' };
    } catch {
      /* not a JSON string: plain text that happens to be quoted */
    }
  }
  return { source: body, encoding: 'text' };
}

export function encodeBody(source: string, encoding: ExportEncoding): string | string[] {
  switch (encoding) {
    case 'base64':
      return Buffer.from(source, 'utf8').toString('base64');
    case 'lines':
      return source.split('\n');
    case 'json':
      return JSON.stringify(source);
    case 'text':
      return source;
  }
}

/** Cairn's record back to AM's, the body encoded as the export carried it (base64 when it was not imported). */
export function toAmRecord(record: ScriptRecord): Record<string, unknown> {
  const { exportEncoding, ...rest } = record.meta;
  return { ...rest, script: encodeBody(record.source, exportEncoding ?? 'base64') };
}

/** Reads `<dir>/*.meta.json` and their sources; a missing directory is an empty set. */
export async function readScriptDir(dir: string): Promise<{ files: ScriptFile[]; problems: FileProblem[] }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { files: [], problems: [] };
    throw e;
  }
  const files: ScriptFile[] = [];
  const problems: FileProblem[] = [];
  for (const name of names.filter((n) => n.endsWith(META_SUFFIX)).sort()) {
    const metaFile = join(dir, name);
    const base = name.slice(0, -META_SUFFIX.length);
    let meta: unknown;
    try {
      meta = JSON.parse(await readFile(metaFile, 'utf8'));
    } catch (e) {
      problems.push({ file: metaFile, pointer: '', message: `The file is not valid JSON: ${(e as Error).message}.`, severity: 'error' });
      continue;
    }
    const wrong = checkMeta(meta);
    if (wrong.length) {
      for (const w of wrong) problems.push({ file: metaFile, pointer: w.pointer, message: w.message, severity: 'error' });
      continue;
    }
    const m = meta as ScriptMeta;
    const sourceFile = join(dir, base + sourceExtension(m));
    let source: string;
    try {
      source = await readFile(sourceFile, 'utf8');
    } catch {
      problems.push({
        file: metaFile,
        pointer: '',
        message: `The script's source ${base + sourceExtension(m)} is missing beside it.`,
        severity: 'error',
      });
      continue;
    }
    files.push({ meta: m, source, metaFile, sourceFile });
  }
  const seen = new Map<string, string>();
  for (const f of files) {
    const other = seen.get(f.meta._id);
    if (other)
      problems.push({ file: f.metaFile, pointer: '/_id', message: `The script id "${f.meta._id}" is also used by ${other}.`, severity: 'error' });
    else seen.set(f.meta._id, f.metaFile);
  }
  return { files: files.filter((f) => seen.get(f.meta._id) === f.metaFile), problems };
}

function checkMeta(meta: unknown): { pointer: string; message: string }[] {
  if (!isRecord(meta)) return [{ pointer: '', message: 'A script record must be a JSON object.' }];
  const out: { pointer: string; message: string }[] = [];
  for (const key of ['_id', 'name', 'language', 'context']) {
    if (typeof meta[key] !== 'string' || meta[key] === '')
      out.push({ pointer: `/${key}`, message: `The required setting "${key}" is missing or not a string.` });
  }
  if (meta.evaluatorVersion !== undefined && typeof meta.evaluatorVersion !== 'string')
    out.push({ pointer: '/evaluatorVersion', message: 'Must be a string such as "1.0" or "2.0".' });
  if (meta.exportEncoding !== undefined && !EXPORT_ENCODINGS.includes(meta.exportEncoding as ExportEncoding)) {
    out.push({ pointer: '/exportEncoding', message: `Must be one of ${EXPORT_ENCODINGS.map((e) => `"${e}"`).join(', ')}.` });
  }
  if ('script' in meta) out.push({ pointer: '/script', message: 'The source belongs in the file beside the record, not in the record.' });
  return out;
}

/** Writes records as `<name>.meta.json` + source into `dir`; returns the files written. */
export async function writeScriptDir(
  dir: string,
  records: readonly ScriptRecord[],
  names = fileNames(records.map((r) => r.meta)),
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const r of records) {
    const base = names.get(r.meta._id)!;
    const metaFile = join(dir, base + META_SUFFIX);
    const sourceFile = join(dir, base + sourceExtension(r.meta));
    await writeFile(sourceFile, r.source);
    await writeFile(metaFile, JSON.stringify(r.meta, null, 2) + '\n');
    written.push(metaFile, sourceFile);
  }
  return written;
}
