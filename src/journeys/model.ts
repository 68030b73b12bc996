/**
 * The journey file format: AM's tree model with child nodes of a Page Node inline, so that an AM
 * or frodo export maps onto it without loss (reference §4-§5). Journeys are plain JSON data; the
 * behaviour lives in src/nodes/, referred to by `nodeType`. What AM exported that Cairn does not
 * use (a node type's `_type` record, its `_outcomes`, newer tree attributes) rides along in `am`
 * fields, so that an export gives AM back what it exported.
 */

/** Locale → text, as AM stores `pageHeader`, `message`, … (`{"en": "Sign In", "fr": "Connexion"}`). */
export type LocalizedText = Record<string, string>;

export interface AmOutcome {
  id: string;
  displayName: string;
}

/** What AM exported with a node beyond its settings; kept for the round trip, not used to run it. */
export interface AmNodeExtras {
  /** The node's `_type` record without `_id` (which is `nodeType`): `{name, collection, version?}`. */
  type?: Record<string, unknown>;
  /** The outcomes AM declared for the node (`_outcomes`), in AM's order. */
  outcomes?: AmOutcome[];
  /** Fields of the node's reference (in the tree, or in its page) that Cairn's format has no place for. */
  ref?: Record<string, unknown>;
}

export interface JourneyNode {
  nodeType: string;
  displayName?: string;
  config?: Record<string, unknown>;
  /** outcome id → target node id (or a terminal). */
  connections: Record<string, string>;
  /** Position in a visual editor; carried through imports, ignored by the engine. */
  x?: number;
  y?: number;
  /** The node type version AM's tree names (`version`); kept, not used. */
  version?: string;
  am?: AmNodeExtras;
}

/** A Page Node child: a node that lives only inside its page (AM's "innerNodes"). */
export interface PageChildNode {
  _id: string;
  nodeType: string;
  displayName?: string;
  config?: Record<string, unknown>;
  am?: AmNodeExtras;
}

export interface Journey {
  $schema?: string;
  _id: string;
  description?: string;
  enabled?: boolean;
  identityResource?: string;
  noSession?: boolean;
  innerTreeOnly?: boolean;
  mustRun?: boolean;
  transactionalOnly?: boolean;
  uiConfig?: Record<string, unknown>;
  entryNodeId: string;
  nodes: Record<string, JourneyNode>;
  /** Visual-editor data kept from AM exports (`staticNodes`), ignored by the engine. */
  staticNodes?: Record<string, unknown>;
  /** Tree attributes AM exported that Cairn does not use (e.g. `maximumSessionTime`); kept for the round trip. */
  am?: Record<string, unknown>;
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

/** The version of PingOne AIC's Page Node whose outcomes are named `<childId>-<outcome>`. */
export const PAGE_NODE_2 = '2.0';

/**
 * The managed object type a journey acts on in a realm (`realmResource`: `managed/user` in root,
 * `managed/alpha_user` in alpha). The default names (absent, `"null"` in classic AM example trees,
 * `managed/user` in the shipped journeys) mean the realm's own; a declared realm keeps AIC's names
 * as exported (`managed/alpha_user`, `managed/alpha_role`). The root realm also runs journeys
 * exported from an AIC realm, on its objects of the same name without the prefix. The journey file
 * keeps AM's name (so an export gives it back); this is the resource the engine uses.
 */
export function runtimeResource(resource: string | undefined, realmResource: string = DEFAULT_IDENTITY_RESOURCE): string {
  if (resource === undefined || resource === '' || resource === 'null' || resource === DEFAULT_IDENTITY_RESOURCE) return realmResource;
  if (realmResource !== DEFAULT_IDENTITY_RESOURCE) return resource;
  const aic = /^managed\/(?:alpha|bravo)_([A-Za-z0-9_]+)$/.exec(resource);
  return aic ? `managed/${aic[1]}` : resource;
}
