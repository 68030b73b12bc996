/**
 * What every keystore shares, wherever its keys live (a folder, src/keys/keystore.ts; the store,
 * src/keys/store-keystore.ts): the rotation schedule (a purpose whose newest key is missing or older
 * than `rotateAfterMs` gets a new one; a key whose successor appeared `retainForMs` ago is deleted;
 * the current key never is) and the in-memory view callers use: the current key, a key by kid
 * (re-reading, at most once per `minReloadIntervalMs`, when a kid is unknown: another instance may
 * have rotated), one sync at a time, and a re-read whenever the next rotation or deletion is due.
 * Each keystore keeps the purposes it is opened with (`sig` and `enc`; the server adds `oidc`).
 */
import { CairnError } from '../errors/cairn-error.js';
import { DEFAULT_PURPOSES, type KeyPurpose, type StoredKey } from './key-file.js';

const HOUR = 3_600_000;
export const DEFAULT_ROTATE_AFTER_MS = 24 * HOUR;
/** Two days: longer than any token signed with these keys (authIds 5 min, suspended journeys up to 24 h). */
export const DEFAULT_RETAIN_FOR_MS = 48 * HOUR;
export const DEFAULT_MIN_RELOAD_INTERVAL_MS = 1000;

export type Keys = Record<KeyPurpose, StoredKey[]>;

export const noKeys = (): Keys => ({ sig: [], enc: [], oidc: [] });

export interface Keystore {
  /** Where the keys live, for messages: a folder, or "the store". */
  readonly location: string;
  readonly rotateAfterMs: number;
  readonly retainForMs: number;
  /** The key to sign/encrypt with now; rotates first if the current key is due. */
  current(purpose: KeyPurpose): Promise<StoredKey>;
  /** The retained key `kid` of `purpose`, re-reading (rate-limited) if the kid is unknown. */
  byKid(kid: string, purpose: KeyPurpose): Promise<StoredKey | undefined>;
  /** Re-reads now: picks up keys of other processes, rotates and prunes as due. */
  reload(): Promise<void>;
  /** The kids this process knows, newest first (all purposes, or one). */
  kids(purpose?: KeyPurpose): string[];
  /** The retained keys of `purpose`, current first (what a JWKS publishes); rotates first if due. */
  all(purpose: KeyPurpose): Promise<StoredKey[]>;
}

/** The keys cannot be read or written, or are not what Cairn wrote. Never shown to clients. */
export class KeystoreError extends CairnError {
  constructor(message: string, cause?: unknown) {
    super({ status: 500, code: 'keystore.error', message, expose: false, cause });
    this.name = 'KeystoreError';
  }
}

export interface Schedule {
  /** The purposes kept with a current key. */
  purposes: readonly KeyPurpose[];
  rotateAfterMs: number;
  retainForMs: number;
  minReloadIntervalMs: number;
}

export interface ScheduleOptions {
  /** A current key older than this is replaced by a new one. Default 24 h. */
  rotateAfterMs?: number;
  /** A replaced key stays usable for verification this long after its successor was created. Default 48 h. */
  retainForMs?: number;
  /** Least time between two re-reads caused by an unknown kid. Default 1 s. */
  minReloadIntervalMs?: number;
  /** The purposes to keep a current key of. Default `sig` and `enc`; the server adds `oidc` (ID-token signing). */
  purposes?: readonly KeyPurpose[];
}

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new RangeError(`openKeystore: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number of milliseconds`);
  }
  return v;
}

export function scheduleOf(options: ScheduleOptions): Schedule {
  return {
    purposes: options.purposes ?? DEFAULT_PURPOSES,
    rotateAfterMs: positive('rotateAfterMs', options.rotateAfterMs, DEFAULT_ROTATE_AFTER_MS),
    retainForMs: positive('retainForMs', options.retainForMs, DEFAULT_RETAIN_FOR_MS),
    minReloadIntervalMs: positive('minReloadIntervalMs', options.minReloadIntervalMs, DEFAULT_MIN_RELOAD_INTERVAL_MS, true),
  };
}

/** A key a keystore must create: the next one in its purpose's sequence. */
export interface DueKey {
  purpose: KeyPurpose;
  seq: number;
}

/**
 * The keys to create at `t`, one per purpose of the schedule that has none yet or whose newest is
 * `rotateAfterMs` old, each numbered after the purpose's newest. Both keystores (the folder's and the
 * store's) rotate by it.
 */
export function dueKeys(keys: Keys, t: number, schedule: Schedule): DueKey[] {
  const due: DueKey[] = [];
  for (const purpose of schedule.purposes) {
    const top = keys[purpose].at(-1);
    if (top === undefined || t - top.createdAt >= schedule.rotateAfterMs) due.push({ purpose, seq: (top?.seq ?? 0) + 1 });
  }
  return due;
}

/**
 * The keys still valid at `t` and those past their retention (a key expires `retainForMs` after its
 * successor appeared), for the schedule's purposes; the lists of other purposes are kept as they are.
 * Both keystores prune by it (the folder's deletes the expired files, the store's writes the rest).
 */
export function pruneExpired(keys: Keys, t: number, schedule: Schedule): { kept: Keys; expired: StoredKey[] } {
  const kept: Keys = { ...keys };
  const expired: StoredKey[] = [];
  for (const purpose of schedule.purposes) {
    const list = keys[purpose];
    kept[purpose] = list.filter((key, i) => {
      const successor = list[i + 1];
      const past = successor !== undefined && t >= successor.createdAt + schedule.retainForMs;
      if (past) expired.push(key);
      return !past;
    });
  }
  return { kept, expired };
}

/** The earliest time at which a current key must be rotated or a retained key deleted. */
export function nextDueAt(keys: Keys, schedule: Schedule): number {
  let due = Number.POSITIVE_INFINITY;
  for (const p of schedule.purposes) {
    const list = keys[p];
    const top = list.at(-1);
    if (top) due = Math.min(due, top.createdAt + schedule.rotateAfterMs);
    for (let i = 0; i + 1 < list.length; i++) due = Math.min(due, (list[i + 1] as StoredKey).createdAt + schedule.retainForMs);
  }
  return due;
}

/**
 * The Keystore over `sync`, which reads the keys as of `t`, rotates and prunes what is due, and
 * returns the keys now valid (each purpose ordered by sequence). Makes sure every purpose has a key.
 */
export async function keystoreOver(location: string, sync: (t: number) => Promise<Keys>, now: () => number, schedule: Schedule): Promise<Keystore> {
  let keys: Keys = noKeys();
  let dueAt = Number.NEGATIVE_INFINITY;
  let lastSyncAt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<void> | undefined;

  const doSync = async (): Promise<void> => {
    const t = now();
    keys = await sync(t);
    lastSyncAt = t;
    dueAt = nextDueAt(keys, schedule);
  };
  const refresh = (): Promise<void> => {
    inflight ??= doSync().finally(() => {
      inflight = undefined;
    });
    return inflight;
  };
  const ensureFresh = async (): Promise<void> => {
    if (now() >= dueAt) await refresh();
  };
  const find = (kid: string, purpose: KeyPurpose): StoredKey | undefined => keys[purpose].find((k) => k.kid === kid);

  await refresh();

  return {
    location,
    rotateAfterMs: schedule.rotateAfterMs,
    retainForMs: schedule.retainForMs,
    async current(purpose) {
      await ensureFresh();
      const top = keys[purpose].at(-1);
      if (!top) throw new KeystoreError(`no current ${purpose} key in ${location}`);
      return top;
    },
    async byKid(kid, purpose) {
      if (typeof kid !== 'string') return undefined;
      await ensureFresh();
      const known = find(kid, purpose);
      if (known || now() - lastSyncAt < schedule.minReloadIntervalMs) return known;
      await refresh();
      return find(kid, purpose);
    },
    reload: refresh,
    kids(purpose) {
      const list = purpose ? [...keys[purpose]] : schedule.purposes.flatMap((p) => keys[p]);
      return list.sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq).map((k) => k.kid);
    },
    async all(purpose) {
      await ensureFresh();
      return [...keys[purpose]].reverse();
    },
  };
}
