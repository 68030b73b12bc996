/**
 * oidc-provider's storage on Cairn's store contract, on the embedded store, on PostgreSQL (when
 * CAIRN_POSTGRES_URI names a server) and on MongoDB (when CAIRN_MONGODB_URI does): round trips,
 * only hashes of tokens as keys, a single-use consume that holds under concurrency and revokes the
 * grant on replay, grant and account revocation, expiry by the store's clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createOidcStorage, hashOf } from '../../src/oauth/store-adapter.js';
import type { Store } from '../../src/stores/types.js';
import { mongodbUri, openMongodbForTest } from '../stores/mongodb-support.js';
import { openPostgresForTest, postgresUri } from '../stores/postgres-support.js';
import { openEmbeddedForTest } from '../support/stores.js';

interface Backend {
  store: Store;
  dispose(): Promise<void>;
}

/** Each backend, with why it is skipped here (undefined: it runs). */
const backends: [string, (now: () => number) => Promise<Backend>, string | undefined][] = [
  ['embedded', openEmbeddedForTest, undefined],
  ['postgres', openPostgresForTest, postgresUri ? undefined : 'set CAIRN_POSTGRES_URI'],
  ['mongodb', openMongodbForTest, mongodbUri ? undefined : 'set CAIRN_MONGODB_URI'],
];

for (const [name, open, skipped] of backends) {
  (skipped ? describe.skip : describe)(`oidc-provider storage on the ${name} store${skipped ? ` (skipped: ${skipped})` : ''}`, () => {
    let backend: Backend | undefined;
    let clock = Date.now();
    const now = () => clock;
    afterEach(async () => {
      await backend?.dispose();
      backend = undefined;
    });
    const setup = async () => {
      backend = await open(now);
      return { kv: backend.store.kv, storage: createOidcStorage({ kv: backend.store.kv, now }) };
    };

    it('keeps artifacts under hashes of their ids and gives them back', async () => {
      const { kv, storage } = await setup();
      const at = storage.adapter('AccessToken');
      await storage.adapter('Grant').upsert('g1', { kind: 'Grant', accountId: 'u1', clientId: 'c' }, 600);
      await at.upsert('raw-token-value', { kind: 'AccessToken', grantId: 'g1', accountId: 'u1', clientId: 'c' }, 60);
      expect(await at.find('raw-token-value')).toMatchObject({ jti: 'raw-token-value', grantId: 'g1', accountId: 'u1' });
      expect(await kv.get('oidc:AccessToken:raw-token-value')).toBeUndefined();
      const stored = await kv.get<Record<string, unknown>>(`oidc:AccessToken:${hashOf('raw-token-value')}`);
      expect(stored?.value).not.toHaveProperty('jti');
      expect(await at.find('another')).toBeUndefined();
      // Without its grant a token is not found.
      await at.upsert('orphan', { kind: 'AccessToken', grantId: 'never-granted', clientId: 'c' }, 60);
      expect(await at.find('orphan')).toBeUndefined();
    });

    it('lets one of many concurrent consumers win; the others revoke the grant', async () => {
      const { storage } = await setup();
      const code = storage.adapter('AuthorizationCode');
      const token = storage.adapter('AccessToken');
      const grant = storage.adapter('Grant');
      await grant.upsert('g2', { kind: 'Grant', accountId: 'u2', clientId: 'c' }, 600);
      await code.upsert('code-1', { kind: 'AuthorizationCode', grantId: 'g2' }, 60);
      await token.upsert('token-1', { kind: 'AccessToken', grantId: 'g2' }, 600);
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => code.consume('code-1')));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results.filter((x) => x.status === 'rejected')) expect(r.reason).toMatchObject({ error: 'invalid_grant' });
      expect(await token.find('token-1')).toBeUndefined();
      expect(await grant.find('g2')).toBeUndefined();
    });

    it('revokes a grant with everything issued under it, and every grant of an account', async () => {
      const { storage } = await setup();
      const rt = storage.adapter('RefreshToken');
      const at = storage.adapter('AccessToken');
      const grant = storage.adapter('Grant');
      for (const g of ['g3', 'g4']) {
        await grant.upsert(g, { kind: 'Grant', accountId: 'u3', clientId: 'c' }, 600);
        await rt.upsert(`rt-${g}`, { kind: 'RefreshToken', grantId: g }, 600);
        await at.upsert(`at-${g}`, { kind: 'AccessToken', grantId: g }, 600);
      }
      await rt.revokeByGrantId('g3');
      expect(await at.find('at-g3')).toBeUndefined();
      expect(await rt.find('rt-g3')).toBeUndefined();
      expect(await at.find('at-g4')).toBeDefined();
      expect(await storage.revokeAccount('u3')).toBe(2);
      expect(await at.find('at-g4')).toBeUndefined();
      expect(await grant.find('g4')).toBeUndefined();
    });

    it('forgets an artifact when its time is up (store clock, with a short grace)', async () => {
      const { storage } = await setup();
      const at = storage.adapter('AccessToken');
      await at.upsert('short', { kind: 'AccessToken' }, 10);
      clock += 10_000 + 61_000;
      expect(await at.find('short')).toBeUndefined();
    });
  });
}
