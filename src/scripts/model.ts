/**
 * AM's script record (what `GET /json/realms/.../scripts/<id>` returns and frodo exports), and the two
 * engines a Scripted Decision script can run on: the legacy one (`evaluatorVersion` 1.0: sharedState,
 * Action, Java classes) and the next-generation one (2.0: nodeState, action, callbacksBuilder, openidm).
 */

/** AM's script record without its body; unknown fields are kept as AM had them. */
export interface ScriptMeta {
  _id: string;
  name: string;
  description?: string | null;
  language: string;
  context: string;
  evaluatorVersion?: string;
  default?: boolean;
  /** How the export carried the body, so that an export gives it back byte for byte. */
  exportEncoding?: ExportEncoding;
  [field: string]: unknown;
}

/**
 * `base64`: AM's REST form; `lines`: frodo's array of lines; `json`: a JSON-encoded string (AIC's own
 * journey export, and frodo's without string arrays); `text`: the source as a plain string.
 */
export type ExportEncoding = 'base64' | 'lines' | 'json' | 'text';
export const EXPORT_ENCODINGS: readonly ExportEncoding[] = ['base64', 'lines', 'json', 'text'];

export interface ScriptRecord {
  meta: ScriptMeta;
  /** The script as AM runs it. */
  source: string;
}

/** `social`: a social identity provider's profile transformation (legacy bindings, the script's value is its result). */
export type ScriptEngineKind = 'legacy' | 'next' | 'social';

/** The contexts of a Scripted Decision node's script: AM's legacy id and AIC's next-generation id. */
export const DECISION_CONTEXTS: readonly string[] = ['AUTHENTICATION_TREE_DECISION_NODE', 'SCRIPTED_DECISION_NODE'];

/** The context of social identity provider profile transformation scripts (normalisation and object mapping). */
export const SOCIAL_CONTEXT = 'SOCIAL_IDP_PROFILE_TRANSFORMATION';

export const isJavaScript = (meta: Pick<ScriptMeta, 'language'>): boolean => String(meta.language).toUpperCase() === 'JAVASCRIPT';
export const isGroovy = (meta: Pick<ScriptMeta, 'language'>): boolean => String(meta.language).toUpperCase() === 'GROOVY';

/** `evaluatorVersion` 2.0 (or the next-generation context) selects the next-generation bindings. */
export function engineOf(meta: Pick<ScriptMeta, 'evaluatorVersion' | 'context'>): ScriptEngineKind {
  if (meta.context === SOCIAL_CONTEXT) return 'social';
  const v = meta.evaluatorVersion === undefined ? '' : String(meta.evaluatorVersion);
  if (v.startsWith('2')) return 'next';
  if (v === '' && meta.context === 'SCRIPTED_DECISION_NODE') return 'next';
  return 'legacy';
}

/** A short name for logs and messages: `"Check Username" (739bdc48-…)`. */
export const describeScript = (meta: Pick<ScriptMeta, '_id' | 'name'>): string => `"${meta.name}" (${meta._id})`;
