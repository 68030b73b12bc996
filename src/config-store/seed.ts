/**
 * The `journeys/` folder seeds the configuration store: each journey file, each script
 * (`journeys/scripts/<name>.meta.json` + body) and each e-mail template file (shipped, and
 * CAIRN_EMAIL_TEMPLATES_DIR) is written to the store when its content is new to
 * the store, i.e. the file is new or changed since it last seeded. A file that seeded before and has
 * not changed since leaves the stored version alone, so a change made over the admin REST API wins
 * until the file itself changes; a journey deleted over REST stays deleted while its file is unchanged.
 * Deleting a file deletes nothing: the store is the source of truth once seeded.
 */
import { docVersion, journeyDocument, type ConfigKind } from './documents.js';
import type { ConfigChange, LiveConfig, TransactResult } from './live.js';
import type { ScriptRecord } from '../scripts/model.js';

export interface SeedDocument {
  kind: ConfigKind;
  id: string;
  doc: unknown;
}

/** The documents of parsed journey files (their `_id` names them), script records and e-mail templates (`emailTemplate/<name>`). */
export function seedDocuments(journeys: readonly unknown[], scripts: readonly ScriptRecord[], templates: readonly unknown[] = []): SeedDocument[] {
  const out: SeedDocument[] = [];
  for (const json of journeys) {
    const doc = journeyDocument(json) as { _id?: unknown };
    if (typeof doc?._id === 'string') out.push({ kind: 'journey', id: doc._id, doc });
  }
  for (const s of scripts) out.push({ kind: 'script', id: s.meta._id, doc: { meta: s.meta, source: s.source } });
  for (const t of templates) {
    const id = (t as { _id?: unknown } | undefined)?._id;
    if (typeof id === 'string' && id.startsWith('emailTemplate/')) out.push({ kind: 'template', id: id.slice('emailTemplate/'.length), doc: t });
  }
  return out;
}

/** Writes the documents whose content the store has not seeded before (one revision for all). */
export function seed(live: LiveConfig, docs: readonly SeedDocument[], actor = 'files'): Promise<TransactResult> {
  return live.transact((_set, head) => {
    const changes: ConfigChange[] = [];
    for (const d of docs) {
      const hash = docVersion(d.doc);
      const entry = head.entries[d.kind][d.id];
      if (entry?.seeded?.includes(hash)) continue;
      // Content the store already runs (written over REST, then saved as this file): only remember the seed.
      changes.push(entry?.v === hash ? { kind: d.kind, id: d.id, seeded: hash } : { kind: d.kind, id: d.id, doc: d.doc, seeded: hash });
    }
    return changes;
  }, actor);
}
