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
 * have rotated), at most once per `minReloadIntervalMs` (the schedule and the cache: ./keyring.ts).
 * Instances on different machines keep their keys in the store instead (./store-keystore.ts).
 */
import { constants } from 'node:fs';
import { chmod, link, mkdir, open, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  MAX_KEY_FILE_BYTES,
  generateKey,
  keyFileName,
  parseKeyFile,
  parseKeyFileName,
  serializeKey,
  type KeyPurpose,
  type StoredKey,
} from './key-file.js';
import { KeystoreError, dueKeys, keystoreOver, noKeys, pruneExpired, scheduleOf, type Keys, type Keystore, type ScheduleOptions } from './keyring.js';

export type { KeyPurpose, StoredKey } from './key-file.js';
export { DEFAULT_MIN_RELOAD_INTERVAL_MS, DEFAULT_RETAIN_FOR_MS, DEFAULT_ROTATE_AFTER_MS, KeystoreError, type Keystore } from './keyring.js';
/** Temporary files left by a process that died mid-write are removed after this long (wall clock). */
const STALE_TMP_MS = 60_000;
const TMP_PREFIX = '.tmp-';

export interface KeystoreOptions extends ScheduleOptions {
  /** The folder holding the key files, e.g. `<dataDir>/keys`. Created (0700) if missing. */
  dir: string;
  /** Clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

const errorCode = (e: unknown): string | undefined => (typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined);

/** Opens (creating if needed) the key folder and makes sure a current key of every purpose exists. */
export async function openKeystore(options: KeystoreOptions): Promise<Keystore> {
  const dir = options.dir;
  if (typeof dir !== 'string' || dir === '') throw new TypeError('openKeystore: dir is required');
  const now = options.now ?? Date.now;
  const schedule = scheduleOf(options);

  await prepareDir(dir);

  /** Reads every key file; files removed meanwhile by another process are skipped. */
  async function readAll(): Promise<Keys> {
    const found = noKeys();
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
      if (!named || !schedule.purposes.includes(named.purpose)) continue;
      const key = await readKeyFile(dir, name);
      if (key) found[named.purpose].push(key);
    }
    for (const p of schedule.purposes) found[p].sort((a, b) => a.seq - b.seq);
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

  /** Reads the folder; rotates each purpose that is due (a lost race means re-reading to adopt the winner's key); prunes. */
  async function sync(t: number): Promise<Keys> {
    let found = await readAll();
    for (let attempt = 0; ; attempt++) {
      const due = dueKeys(found, t, schedule);
      if (due.length === 0) break;
      if (attempt >= 5) throw new KeystoreError(`could not settle on a current key in ${dir}`);
      for (const { purpose, seq } of due) await createKey(purpose, seq, t);
      found = await readAll();
    }
    const { kept, expired } = pruneExpired(found, t, schedule);
    for (const key of expired) {
      await unlink(join(dir, keyFileName(key.purpose, key.seq))).catch((e: unknown) => {
        if (errorCode(e) !== 'ENOENT') throw new KeystoreError(`cannot delete an expired key in ${dir}`, e);
      });
    }
    return kept;
  }

  return keystoreOver(dir, sync, now, schedule);
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
