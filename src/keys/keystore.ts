/**
 * The server's secret keys, kept as JSON files in the data directory's `keys/` folder (0700, files
 * 0600): one HMAC key signing authIds (`sig`) and one AES key encrypting journey snapshots (`enc`),
 * two independent random secrets rather than one secret split by HKDF, so each can be read, rotated
 * and retired on its own; the server also keeps an RSA key signing ID tokens (`oidc`, published in the
 * OAuth JWKS with its retained predecessors). Each purpose has a sequence of keys; the highest is current and is
 * replaced once older than `rotateAfterMs`; a replaced key keeps verifying/decrypting for
 * `retainForMs` after its successor appeared, then is deleted.
 *
 * Several processes may share the folder. A key is written to a temporary file and then hard-linked
 * to its final name `<purpose>-<seq>.json`; `link` fails if the name exists (O_EXCL semantics), so
 * when two processes race to create key number N exactly one wins and the other adopts the winner's
 * key: all processes agree on the current key and a reader never sees a half-written file.
 * A token naming a kid this process does not know makes it re-read the folder (another process may
 * have rotated), at most once per `minReloadIntervalMs`.
 */
import { constants } from 'node:fs';
import { chmod, link, mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CairnError } from '../errors/cairn-error.js';
import {
  DEFAULT_PURPOSES,
  MAX_KEY_FILE_BYTES,
  generateKey,
  keyFileName,
  parseKeyFile,
  parseKeyFileName,
  serializeKey,
  type KeyPurpose,
  type StoredKey,
} from './key-file.js';

export type { KeyPurpose, StoredKey } from './key-file.js';

const HOUR = 3_600_000;
export const DEFAULT_ROTATE_AFTER_MS = 24 * HOUR;
/** Two days: longer than any token signed with these keys (authIds 5 min, suspended journeys up to 24 h). */
export const DEFAULT_RETAIN_FOR_MS = 48 * HOUR;
export const DEFAULT_MIN_RELOAD_INTERVAL_MS = 1000;
/** Temporary files left by a process that died mid-write are removed after this long (wall clock). */
const STALE_TMP_MS = 60_000;
const TMP_PREFIX = '.tmp-';

export interface KeystoreOptions {
  /** The folder holding the key files, e.g. `<dataDir>/keys`. Created (0700) if missing. */
  dir: string;
  /** Clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** A current key older than this is replaced by a new one. Default 24 h. */
  rotateAfterMs?: number;
  /** A replaced key stays usable for verification this long after its successor was created. Default 48 h. */
  retainForMs?: number;
  /** Least time between two re-reads of the folder caused by an unknown kid. Default 1 s. */
  minReloadIntervalMs?: number;
  /** The purposes to keep a current key of. Default `sig` and `enc`; the server adds `oidc` (ID-token signing). */
  purposes?: readonly KeyPurpose[];
}

export interface Keystore {
  readonly dir: string;
  readonly rotateAfterMs: number;
  readonly retainForMs: number;
  /** The key to sign/encrypt with now; rotates first if the current key is due. */
  current(purpose: KeyPurpose): Promise<StoredKey>;
  /** The retained key `kid` of `purpose`, re-reading the folder (rate-limited) if the kid is unknown. */
  byKid(kid: string, purpose: KeyPurpose): Promise<StoredKey | undefined>;
  /** Re-reads the folder now: picks up keys of other processes, rotates and prunes as due. */
  reload(): Promise<void>;
  /** The kids this process knows, newest first (all purposes, or one). */
  kids(purpose?: KeyPurpose): string[];
  /** The retained keys of `purpose`, current first (what a JWKS publishes); rotates first if due. */
  all(purpose: KeyPurpose): Promise<StoredKey[]>;
}

/** The key folder cannot be read or written, or holds a file Cairn did not write. Never shown to clients. */
export class KeystoreError extends CairnError {
  constructor(message: string, cause?: unknown) {
    super({ status: 500, code: 'keystore.error', message, expose: false, cause });
    this.name = 'KeystoreError';
  }
}

const errorCode = (e: unknown): string | undefined => (typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined);

function positive(name: string, value: number | undefined, fallback: number, allowZero = false): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new RangeError(`openKeystore: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number of milliseconds`);
  }
  return v;
}

/** Opens (creating if needed) the key folder and makes sure a current key of every purpose exists. */
export async function openKeystore(options: KeystoreOptions): Promise<Keystore> {
  const dir = options.dir;
  if (typeof dir !== 'string' || dir === '') throw new TypeError('openKeystore: dir is required');
  const now = options.now ?? Date.now;
  const rotateAfterMs = positive('rotateAfterMs', options.rotateAfterMs, DEFAULT_ROTATE_AFTER_MS);
  const retainForMs = positive('retainForMs', options.retainForMs, DEFAULT_RETAIN_FOR_MS);
  const minReloadIntervalMs = positive('minReloadIntervalMs', options.minReloadIntervalMs, DEFAULT_MIN_RELOAD_INTERVAL_MS, true);
  const purposes = options.purposes ?? DEFAULT_PURPOSES;
  const empty = (): Record<KeyPurpose, StoredKey[]> => ({ sig: [], enc: [], oidc: [] });

  let keys: Record<KeyPurpose, StoredKey[]> = empty();
  let dueAt = Number.NEGATIVE_INFINITY;
  let lastSyncAt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<void> | undefined;

  await prepareDir(dir);

  /** Reads every key file; files removed meanwhile by another process are skipped. */
  async function readAll(): Promise<Record<KeyPurpose, StoredKey[]>> {
    const found = empty();
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      throw new KeystoreError(`cannot read the key folder ${dir}`, e);
    }
    for (const name of names) {
      if (name.startsWith(TMP_PREFIX)) {
        await removeStaleTmp(join(dir, name));
        continue;
      }
      const named = parseKeyFileName(name);
      if (!named || !purposes.includes(named.purpose)) continue;
      const key = await readKeyFile(dir, name);
      if (key) found[named.purpose].push(key);
    }
    for (const p of purposes) found[p].sort((a, b) => a.seq - b.seq);
    return found;
  }

  /** Writes key `seq` of `purpose` unless another process already did; true if this call created it. */
  async function createKey(purpose: KeyPurpose, seq: number, at: number): Promise<boolean> {
    const key = generateKey(purpose, seq, at);
    const tmp = join(dir, `${TMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        await fh.writeFile(serializeKey(key));
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await link(tmp, join(dir, keyFileName(purpose, seq)));
      } catch (e) {
        if (errorCode(e) === 'EEXIST') return false;
        throw e;
      }
      await syncDir(dir);
      return true;
    } catch (e) {
      throw new KeystoreError(`cannot write a new key into ${dir}`, e);
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  async function doSync(): Promise<void> {
    const t = now();
    let found = await readAll();
    // Rotate each purpose whose current key is missing or due; a lost race means re-reading to adopt the winner's key.
    for (let attempt = 0; ; attempt++) {
      const due = purposes.filter((p) => {
        const top = found[p].at(-1);
        return top === undefined || t - top.createdAt >= rotateAfterMs;
      });
      if (due.length === 0) break;
      if (attempt >= 5) throw new KeystoreError(`could not settle on a current key in ${dir}`);
      for (const p of due) await createKey(p, (found[p].at(-1)?.seq ?? 0) + 1, t);
      found = await readAll();
    }
    // Prune keys whose successor appeared more than retainForMs ago. The current key is never pruned.
    for (const p of purposes) {
      const list = found[p];
      const kept: StoredKey[] = [];
      for (let i = 0; i < list.length; i++) {
        const key = list[i] as StoredKey;
        const successor = list[i + 1];
        if (successor !== undefined && t >= successor.createdAt + retainForMs) {
          await unlink(join(dir, keyFileName(p, key.seq))).catch((e: unknown) => {
            if (errorCode(e) !== 'ENOENT') throw new KeystoreError(`cannot delete an expired key in ${dir}`, e);
          });
        } else {
          kept.push(key);
        }
      }
      found[p] = kept;
    }
    keys = found;
    lastSyncAt = t;
    dueAt = nextDueAt(found, purposes, rotateAfterMs, retainForMs);
  }

  function sync(): Promise<void> {
    inflight ??= doSync().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  async function ensureFresh(): Promise<void> {
    if (now() >= dueAt) await sync();
  }

  const find = (kid: string, purpose: KeyPurpose): StoredKey | undefined => keys[purpose].find((k) => k.kid === kid);

  await sync();

  return {
    dir,
    rotateAfterMs,
    retainForMs,
    async current(purpose) {
      await ensureFresh();
      const top = keys[purpose].at(-1);
      if (!top) throw new KeystoreError(`no current ${purpose} key in ${dir}`);
      return top;
    },
    async byKid(kid, purpose) {
      if (typeof kid !== 'string') return undefined;
      await ensureFresh();
      const known = find(kid, purpose);
      if (known || now() - lastSyncAt < minReloadIntervalMs) return known;
      await sync();
      return find(kid, purpose);
    },
    reload: sync,
    kids(purpose) {
      const list = purpose ? [...keys[purpose]] : purposes.flatMap((p) => keys[p]);
      return list.sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq).map((k) => k.kid);
    },
    async all(purpose) {
      await ensureFresh();
      return [...keys[purpose]].reverse();
    },
  };
}

/** The earliest time at which a current key must be rotated or a retained key deleted. */
function nextDueAt(keys: Record<KeyPurpose, StoredKey[]>, purposes: readonly KeyPurpose[], rotateAfterMs: number, retainForMs: number): number {
  let due = Number.POSITIVE_INFINITY;
  for (const p of purposes) {
    const list = keys[p];
    const top = list.at(-1);
    if (top) due = Math.min(due, top.createdAt + rotateAfterMs);
    for (let i = 0; i + 1 < list.length; i++) due = Math.min(due, (list[i + 1] as StoredKey).createdAt + retainForMs);
  }
  return due;
}

/** Creates the folder 0700, or tightens an existing one that group/others can reach. */
async function prepareDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const st = await stat(dir);
    if (!st.isDirectory()) throw new KeystoreError(`key folder ${dir} is not a directory`);
    if ((st.mode & 0o077) !== 0) await chmod(dir, 0o700);
  } catch (e) {
    if (e instanceof KeystoreError) throw e;
    throw new KeystoreError(`cannot prepare the key folder ${dir}`, e);
  }
}

/**
 * Reads one key file, refusing symlinks, non-regular files and files readable by group/others
 * (like ssh refuses a world-readable private key). Undefined if the file vanished meanwhile.
 */
async function readKeyFile(dir: string, name: string): Promise<StoredKey | undefined> {
  const path = join(dir, name);
  let fh;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return undefined;
    throw new KeystoreError(`cannot open key file ${path}`, e);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new KeystoreError(`key file ${path} is not a regular file`);
    if ((st.mode & 0o077) !== 0) {
      throw new KeystoreError(`key file ${path} is accessible by group/others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`);
    }
    if (st.size > MAX_KEY_FILE_BYTES) throw new KeystoreError(`key file ${path} is too large to be a key`);
    const text = await fh.readFile('utf8');
    try {
      return parseKeyFile(name, text);
    } catch (e) {
      throw new KeystoreError(`invalid ${(e as Error).message} (in ${dir})`, e);
    }
  } catch (e) {
    if (e instanceof KeystoreError) throw e;
    throw new KeystoreError(`cannot read key file ${path}`, e);
  } finally {
    await fh.close();
  }
}

/** Flushes the folder entry of a new key to disk, so a crash cannot lose a key that already signed tokens. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function removeStaleTmp(path: string): Promise<void> {
  try {
    const st = await stat(path);
    if (Date.now() - st.mtimeMs > STALE_TMP_MS) await unlink(path);
  } catch {
    // Another process finished or removed it: nothing to do.
  }
}
