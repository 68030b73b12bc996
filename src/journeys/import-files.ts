/**
 * Reads what an import names — an export file, or a folder of any of the layouts import-sources.ts
 * recognises, walked recursively — into import sources: JSON files and script bodies (`.js`,
 * `.groovy`, which fr-config-manager keeps beside their records), each named by its path as given.
 * Bounded: a folder with more files or bytes than an export could hold is refused with a sentence.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import type { ImportSource } from './import-sources.js';

export const IMPORT_LIMITS = { files: 20_000, bytes: 256 * 1024 * 1024 } as const;
const READ = /\.(json|js|groovy)$/i;
const SKIP_DIRS = new Set(['node_modules', '.git']);

export class ImportReadError extends Error {}

/** The sources under each path (a file or a folder), named relative to `cwd` with '/' separators. */
export async function readImportSources(paths: string[], cwd: string): Promise<ImportSource[]> {
  const found: string[] = [];
  for (const p of paths) {
    const full = resolve(cwd, p);
    let info;
    try {
      info = await stat(full);
    } catch {
      throw new ImportReadError(`${p}: no such file or directory.`);
    }
    if (info.isDirectory()) await walk(full, found, p);
    else found.push(full);
  }
  let bytes = 0;
  const sources: ImportSource[] = [];
  for (const full of [...new Set(found)].sort()) {
    const text = await readFile(full, 'utf8');
    bytes += Buffer.byteLength(text);
    if (bytes > IMPORT_LIMITS.bytes)
      throw new ImportReadError(`the import is larger than ${IMPORT_LIMITS.bytes / 1024 / 1024} MiB; import fewer files at a time.`);
    const name = relative(cwd, full);
    sources.push({ file: (name.startsWith('..') ? full : name).split(sep).join('/'), text });
  }
  return sources;
}

async function walk(dir: string, found: string[], given: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.name.startsWith('.') || SKIP_DIRS.has(e.name)) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) await walk(full, found, given);
    else if (e.isFile() && READ.test(e.name)) {
      found.push(full);
      if (found.length > IMPORT_LIMITS.files)
        throw new ImportReadError(`${given} holds more than ${IMPORT_LIMITS.files} files; import a smaller folder.`);
    }
  }
}
