/**
 * The journey file format: AM's tree model with child nodes of a Page Node inline, so that an AM
 * or frodo export maps onto it without loss (reference §4-§5). Journeys are plain JSON data; the
 * behaviour lives in src/nodes/, referred to by `nodeType`.
 */

/** Locale → text, as AM stores `pageHeader`, `message`, … (`{"en": "Sign In", "fr": "Connexion"}`). */
export type LocalizedText = Record<string, string>;

export interface JourneyNode {
  nodeType: string;
  displayName?: string;
  config?: Record<string, unknown>;
  /** outcome id → target node id (or a terminal). */
  connections: Record<string, string>;
  /** Position in a visual editor; carried through imports, ignored by the engine. */
  x?: number;
  y?: number;
}

/** A Page Node child: a node that lives only inside its page (AM's "innerNodes"). */
export interface PageChildNode {
  _id: string;
  nodeType: string;
  displayName?: string;
  config?: Record<string, unknown>;
}

export interface Journey {
  $schema?: string;
  _id: string;
  description?: string;
  enabled?: boolean;
  identityResource?: string;
  noSession?: boolean;
  innerTreeOnly?: boolean;
  uiConfig?: Record<string, unknown>;
  entryNodeId: string;
  nodes: Record<string, JourneyNode>;
  /** Visual-editor data kept from AM exports (`staticNodes`), ignored by the engine. */
  staticNodes?: Record<string, unknown>;
}

/** The two terminals, by the readable names and by AM's static ids (reference §5.3). */
export const SUCCESS = 'Success';
export const FAILURE = 'Failure';
export const AM_SUCCESS_ID = '70e691a5-1e33-4ac3-a356-e7b6d60d92e0';
export const AM_FAILURE_ID = 'e301438c-0bd0-429c-ab0c-66126501069a';

export type Terminal = typeof SUCCESS | typeof FAILURE;

/** Maps a connection target to the terminal it names, or undefined for an ordinary node id. */
export function terminalOf(target: string): Terminal | undefined {
  if (target === SUCCESS || target === AM_SUCCESS_ID) return SUCCESS;
  if (target === FAILURE || target === AM_FAILURE_ID) return FAILURE;
  return undefined;
}

export const DEFAULT_IDENTITY_RESOURCE = 'managed/user';
