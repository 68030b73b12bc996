/**
 * What the configuration store holds, by kind: journeys (Cairn's journey format, as in
 * `journeys/*.json`, without the editor's `$schema`), scripts (AM's record without its body, and the
 * body), e-mail templates (IDM's `emailTemplate/<name>` object) and AM node configurations that no
 * journey holds (nodes written over AM's REST before their tree, or left by a deleted tree). Each
 * document is immutable once written and named by its content hash, its version.
 */
import { createHash } from 'node:crypto';
import type { Journey } from '../journeys/model.js';
import { canonicalJson } from '../journeys/validate.js';
import type { ScriptRecord } from '../scripts/model.js';

export type ConfigKind = 'journey' | 'script' | 'template' | 'node';
export const CONFIG_KINDS: readonly ConfigKind[] = ['journey', 'script', 'template', 'node'];

/** An AM node configuration as AM's REST API returns it (settings with `_id`, `_type`, `_outcomes`), without `_rev`. */
export type AmNodeDocument = Record<string, unknown> & { _id: string; _type: { _id: string } & Record<string, unknown> };

/** The JSON of each kind. */
export interface ConfigDocuments {
  journey: Journey;
  script: ScriptRecord;
  template: Record<string, unknown>;
  node: AmNodeDocument;
}

/** The content hash of a document: its version (the same hash journey validation computes). */
export function docVersion(doc: unknown): string {
  return createHash('sha256').update(canonicalJson(doc)).digest('hex').slice(0, 16);
}

/** A journey as stored: the file's JSON without `$schema`, which only tells editors where the schema is. */
export function journeyDocument(json: unknown): unknown {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return json;
  const { $schema, ...rest } = json as Record<string, unknown>;
  void $schema;
  return rest;
}

/** An e-mail template as stored: without `_rev`, which IDM adds on read. */
export function templateDocument(json: unknown): unknown {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return json;
  const { _rev, ...rest } = json as Record<string, unknown>;
  void _rev;
  return rest;
}

/** The label problems name a stored document by: the file `cairn journeys pull` would write it to. */
export function documentLabel(kind: ConfigKind, id: string): string {
  switch (kind) {
    case 'journey':
      return `journeys/${id}.json`;
    case 'script':
      return `journeys/scripts/${id}`;
    case 'template':
      return `email-templates/${id}.json`;
    case 'node':
      return `nodes/${id}`;
  }
}

export const KIND_NAMES: Readonly<Record<ConfigKind, string>> = { journey: 'journey', script: 'script', template: 'e-mail template', node: 'node' };
