/**
 * Scripts carried by AM / frodo exports, as Cairn's records. The importer (src/journeys/import-sources.ts)
 * finds them and decodes their bodies with files.ts; `exportAmJourneys` puts each back into the trees
 * whose nodes run it, its body encoded as it came (files.ts `toAmRecord`).
 */
import { EXPORT_ENCODINGS, type ExportEncoding, type ScriptRecord } from './model.js';

type Json = Record<string, unknown>;

/** What the importer found (src/journeys/import-sources.ts `ImportedScript`), reduced to what is needed here. */
export interface FoundScript {
  _id: string;
  record: Json;
  source?: string;
  exportEncoding: string;
}

/**
 * Scripts an import carried, as Cairn's records. A body kept in a separate file (fr-config-manager,
 * frodo's extracted scripts) is exported back as lines, frodo's single-file form. Scripts without a
 * readable body are returned apart.
 */
export function recordsFromImport(found: readonly FoundScript[]): { records: ScriptRecord[]; unreadable: FoundScript[] } {
  const records: ScriptRecord[] = [];
  const unreadable: FoundScript[] = [];
  for (const s of found) {
    if (s.source === undefined || typeof s.record.name !== 'string') {
      unreadable.push(s);
      continue;
    }
    const encoding = (EXPORT_ENCODINGS as readonly string[]).includes(s.exportEncoding) ? (s.exportEncoding as ExportEncoding) : 'lines';
    records.push({ meta: { ...s.record, _id: s._id, exportEncoding: encoding } as ScriptRecord['meta'], source: s.source });
  }
  return { records, unreadable };
}
