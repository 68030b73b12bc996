/**
 * Keys kept in the store under a key-encryption key, on the embedded store, on PostgreSQL (when
 * CAIRN_POSTGRES_URI is set) and on MongoDB (when CAIRN_MONGODB_URI is): several keystores on one
 * store agree on the current keys, a rotation raced by five instances lands once and every instance
 * adopts it, a kid rotated in by another instance is found, retired keys are pruned, no secret is stored in the clear (nor the RSA
 * key signing ID tokens, which a keystore of other purposes leaves alone), the KEK can be
 * changed through the previous one, and a wrong KEK or an altered keyring stops with a sentence.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeystoreError } from '../../src/keys/keyring.js';
import { KEYRING_KEY, openStoreKeystore, type StoreKeystoreOptions } from '../../src/keys/store-keystore.js';
import type { Store } from '../../src/stores/index.js';
import { mongodbUri, openMongodbForTest } from '../stores/mongodb-support.js';
import { openPostgresForTest, postgresUri } from '../stores/postgres-support.js';
import { openEmbeddedForTest, type TestStore } from '../support/stores.js';

const HOUR = 3_600_000;
const KEK = 'correct horse battery staple, thirty-two+';
const OTHER_KEK = 'an entirely different secret of 32+ chars';

const backends: { name: string; open: (now: () => number) => Promise<TestStore> }[] = [
  { name: 'embedded store', open: openEmbeddedForTest },
  { name: postgresUri ? 'postgres store' : 'postgres store (skipped: set CAIRN_POSTGRES_URI)', open: openPostgresForTest },
  { name: mongodbUri ? 'mongodb store' : 'mongodb store (skipped: set CAIRN_MONGODB_URI)', open: openMongodbForTest },
];

for (const backend of backends) {
  const skip = backend.name.includes('skipped');
  (skip ? describe.skip : describe)(`keys in the ${backend.name}`, () => {
    let t = Date.UTC(2025, 0, 1);
    const now = (): number => t;
    let store: Store;
    let dispose: () => Promise<void>;
    beforeEach(async () => {
      t = Date.UTC(2025, 0, 1);
      ({ store, dispose } = await backend.open(now));
    });
    afterEach(async () => {
      await dispose();
    });
    const open = (options: Partial<StoreKeystoreOptions> = {}) =>
      openStoreKeystore({ kv: store.kv, kek: KEK, now, rotateAfterMs: 24 * HOUR, retainForMs: 2 * HOUR, minReloadIntervalMs: 0, ...options });

    it('creates one key per purpose once, however many instances start together, and stores no secret in the clear', async () => {
      const instances = await Promise.all(Array.from({ length: 5 }, () => open()));
      const sig = await Promise.all(instances.map((k) => k.current('sig')));
      const enc = await Promise.all(instances.map((k) => k.current('enc')));
      expect(new Set(sig.map((k) => k.kid)).size).toBe(1);
      expect(new Set(enc.map((k) => k.kid)).size).toBe(1);
      expect(sig[0]?.secret).toHaveLength(32);
      expect(Buffer.from(sig[0]!.secret).equals(Buffer.from(sig[4]!.secret))).toBe(true);
      expect(instances[0]?.location).toBe('the store');
      const stored = JSON.stringify((await store.kv.get(KEYRING_KEY))?.value);
      expect(stored).toContain(sig[0]!.kid);
      for (const key of [sig[0]!, enc[0]!]) {
        expect(stored).not.toContain(Buffer.from(key.secret).toString('base64url'));
        expect(stored).not.toContain(Buffer.from(key.secret).toString('base64'));
      }
    });

    it('rotates once when five instances find the key due together, and all adopt the same new key', async () => {
      const instances = await Promise.all(Array.from({ length: 5 }, () => open()));
      const first = await instances[0]!.current('sig');
      t += 24 * HOUR;
      const next = await Promise.all(instances.map((k) => k.current('sig')));
      expect(new Set(next.map((k) => k.kid)).size).toBe(1);
      expect(next[0]?.seq).toBe(2);
      expect(next[0]?.kid).not.toBe(first.kid);
      // The old key still verifies during its retention, then it is gone.
      expect((await instances[3]!.byKid(first.kid, 'sig'))?.kid).toBe(first.kid);
      t += 2 * HOUR;
      await instances[1]!.reload();
      expect(await instances[1]!.byKid(first.kid, 'sig')).toBeUndefined();
      const ring = (await store.kv.get<{ keys: { sig: { seq: number }[] } }>(KEYRING_KEY))?.value;
      expect(ring?.keys.sig.map((k) => k.seq)).toEqual([2]);
    });

    it('finds a key another instance rotated in', async () => {
      const a = await open();
      const b = await open({ rotateAfterMs: 1000 });
      t += 1000;
      const rotated = await b.current('enc');
      expect(a.kids('enc')).not.toContain(rotated.kid);
      expect((await a.byKid(rotated.kid, 'enc'))?.kid).toBe(rotated.kid);
    });

    it('refuses a wrong key-encryption key and an altered keyring, with a sentence', async () => {
      await open();
      const wrong = await open({ kek: OTHER_KEK }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(wrong).toBeInstanceOf(KeystoreError);
      expect((wrong as Error).message).toMatch(/encrypted with another key-encryption key/);
      const entry = await store.kv.get<{ keys: { sig: { kid: string; ct: string }[] } }>(KEYRING_KEY);
      const altered = structuredClone(entry!.value);
      altered.keys.sig[0]!.kid = 'AAAAAAAAAAAAAAAA';
      await store.kv.set(KEYRING_KEY, altered);
      await expect(open()).rejects.toThrow(/does not decrypt: the keyring was altered or damaged/);
      await store.kv.set(KEYRING_KEY, { format: 99 });
      await expect(open()).rejects.toThrow(/not one Cairn wrote/);
    });

    it('keeps the RSA key signing ID tokens, and a keystore of other purposes (the command line) leaves it alone', async () => {
      const server = await open({ purposes: ['sig', 'enc', 'oidc'] });
      const rsa = await server.current('oidc');
      expect(rsa.alg).toBe('RS256');
      expect(rsa.rsa?.n.length).toBeGreaterThan(300);
      expect(JSON.stringify((await store.kv.get(KEYRING_KEY))?.value)).not.toContain(rsa.rsa?.d ?? 'no d');
      const other = await open({ purposes: ['sig', 'enc', 'oidc'] });
      expect((await other.current('oidc')).rsa).toEqual(rsa.rsa);
      // The command line keeps sig and enc only; its rotation must not drop the server's oidc key.
      t += 24 * HOUR;
      const cli = await open();
      expect((await cli.current('sig')).seq).toBe(2);
      expect(cli.kids('oidc')).toEqual([rsa.kid]); // carried over, not rotated: not its purpose
      await other.reload();
      expect((await other.all('oidc')).map((k) => k.seq)).toEqual([2, 1]); // the server rotates its own
    });

    it('changes the key-encryption key through the previous one, keeping the keys', async () => {
      const before = await open();
      const kid = (await before.current('sig')).kid;
      const moved = await open({ kek: OTHER_KEK, previousKek: KEK });
      expect((await moved.current('sig')).kid).toBe(kid);
      expect((await open({ kek: OTHER_KEK })).kids('sig')).toEqual([kid]);
      await expect(open()).rejects.toThrow(/another key-encryption key/);
    });
  });
}
