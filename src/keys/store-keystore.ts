/**
 * The signing and encryption keys kept in the store, for instances that share a database but no
 * folder: N instances on N machines need only the database URI and one secret, the key-encryption
 * key (./kek.ts). The whole keyring is one key/value entry (`cairn/keys`): each purpose's keys in
 * sequence order, each secret wrapped by the KEK, and the id of the KEK that wrapped them.
 *
 * Rotation is coordinated through the store: an instance that finds a purpose due (./keyring.ts)
 * writes the next keyring with compare-and-set on the entry's version (insert-if-absent for the very
 * first), so when several race exactly one write lands; the others' writes fail, they re-read and
 * adopt the winner's keyring. Pruning happens in the same write. A keyring written under the previous
 * KEK (CAIRN_KEY_ENCRYPTION_KEY_PREVIOUS) is re-wrapped under the current one the same way, which is
 * how the KEK itself is rotated. A keyring no configured KEK opens stops the start with a sentence.
 */
import type { KeyValueStore } from '../stores/types.js';
import { generateKey, KEY_PURPOSES, type KeyPurpose } from './key-file.js';
import { keyEncryptionKey, type KeyEncryptionKey, type WrappedKey } from './kek.js';
import { KeystoreError, dueKeys, keystoreOver, noKeys, pruneExpired, scheduleOf, type Keys, type Keystore, type ScheduleOptions } from './keyring.js';

export const KEYRING_KEY = 'cairn/keys';
const FORMAT = 1;
const MAX_ATTEMPTS = 5;

export interface StoreKeystoreOptions extends ScheduleOptions {
  kv: KeyValueStore;
  /** The operator's key-encryption key (at least 32 characters). */
  kek: string;
  /** The KEK being replaced: a keyring it wrapped is read and re-wrapped under `kek`. */
  previousKek?: string;
  now?: () => number;
}

/** The stored form: no secret in the clear. */
interface StoredKeyring {
  format: number;
  kek: string;
  keys: Record<KeyPurpose, WrappedKey[]>;
}

export async function openStoreKeystore(options: StoreKeystoreOptions): Promise<Keystore> {
  const { kv } = options;
  const now = options.now ?? Date.now;
  const schedule = scheduleOf(options);
  const kek = keyEncryptionKey(options.kek);
  const previous = options.previousKek ? keyEncryptionKey(options.previousKek) : undefined;

  /** The keys of a stored keyring, and whether it must be re-wrapped under the current KEK. */
  const readKeyring = (value: unknown): { keys: Keys; rewrap: boolean } => {
    const ring = value as Partial<StoredKeyring> | null;
    if (!ring || typeof ring !== 'object' || ring.format !== FORMAT || typeof ring.kek !== 'string' || typeof ring.keys !== 'object') {
      throw new KeystoreError(`the keyring in the store (${KEYRING_KEY}) is not one Cairn wrote`);
    }
    const opener = ring.kek === kek.id ? kek : ring.kek === previous?.id ? previous : undefined;
    if (!opener) {
      throw new KeystoreError(
        'the keys in the store were encrypted with another key-encryption key: CAIRN_KEY_ENCRYPTION_KEY must be the one the other instances use (to change it, set the old one as CAIRN_KEY_ENCRYPTION_KEY_PREVIOUS)',
      );
    }
    const keys = noKeys();
    for (const purpose of KEY_PURPOSES) {
      // A purpose no instance keeps yet (oidc before the first server start) has no list.
      const list = (ring.keys as Partial<Record<KeyPurpose, unknown>>)[purpose] ?? [];
      if (!Array.isArray(list)) throw new KeystoreError(`the keyring in the store has no list of ${purpose} keys`);
      for (const wrapped of list) {
        const key = opener.unwrap(purpose, wrapped);
        if (!key) throw new KeystoreError(`a ${purpose} key in the store does not decrypt: the keyring was altered or damaged`);
        keys[purpose].push(key);
      }
      keys[purpose].sort((a, b) => a.seq - b.seq);
    }
    return { keys, rewrap: opener !== kek };
  };

  const keyringOf = (keys: Keys, using: KeyEncryptionKey): StoredKeyring => ({
    format: FORMAT,
    kek: using.id,
    keys: Object.fromEntries(KEY_PURPOSES.map((p) => [p, keys[p].map((k) => using.wrap(k))])) as Record<KeyPurpose, WrappedKey[]>,
  });

  /**
   * The keys after rotating what is due and dropping what expired at `t`, for this keystore's purposes;
   * the keys of other purposes (kept by other processes, e.g. `oidc` by the server when the command line
   * opens the store) are carried over untouched. `changed` when anything differs.
   */
  const plan = (keys: Keys, t: number): { next: Keys; changed: boolean } => {
    const grown: Keys = { ...keys };
    const due = dueKeys(keys, t, schedule);
    for (const { purpose, seq } of due) grown[purpose] = [...keys[purpose], generateKey(purpose, seq, t)];
    const { kept, expired } = pruneExpired(grown, t, schedule);
    return { next: kept, changed: due.length > 0 || expired.length > 0 };
  };

  const sync = async (t: number): Promise<Keys> => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const entry = await kv.get(KEYRING_KEY);
      const { keys, rewrap } = entry ? readKeyring(entry.value) : { keys: noKeys(), rewrap: false };
      const { next, changed } = plan(keys, t);
      if (!changed && !rewrap) return keys;
      const ring = keyringOf(next, kek);
      const written = entry ? await kv.compareAndSet(KEYRING_KEY, entry.version, ring) : await kv.insertIfAbsent(KEYRING_KEY, ring);
      if (written) return next;
      // Another instance wrote first: read its keyring (normally already fresh) and adopt it.
    }
    throw new KeystoreError(`could not settle on a current key in the store (${MAX_ATTEMPTS} conflicting writes)`);
  };

  return keystoreOver('the store', sync, now, schedule);
}
