/**
 * oidc-provider's storage (its Adapter interface) on Cairn's key/value store, so any instance answers
 * any token request: one entry per artifact under `oidc:<Model>:<sha256(id)>` — the store never
 * holds a usable token or code, only its hash — expiring with the artifact. A token or code is only
 * found while its grant is: revoking a grant is one delete, and everything issued under it stops
 * working at once (oidc-provider itself refuses a refresh whose grant is gone). An account's grants
 * are listed in an index built from the store's primitives (src/oauth/kv-index.ts), revoked when the
 * password is reset. `consume` is a compare-and-set, so of two concurrent exchanges of one code (or
 * refresh token) exactly one wins; the other is a replay and revokes the whole grant (RFC 6749
 * §4.1.2). Sessions are not stored here: see session-adapter.ts.
 */
import { createHash } from 'node:crypto';
import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import type { KeyValueStore } from '../stores/types.js';
import { addMember, members } from './kv-index.js';

/** Artifacts that belong to a grant and die with it. */
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PreAuthorizedCode',
]);
/** Artifacts that can be used once (a second use is a replay). */
const SINGLE_USE = new Set(['AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode']);

/** oidc-provider's error classes (loaded with it, when a provider first serves a request). */
const oidcErrors = async () => (await import('oidc-provider')).errors;

export const hashOf = (id: string): string => createHash('sha256').update(id).digest('base64url');
const keyOf = (model: string, id: string): string => `oidc:${model}:${hashOf(id)}`;
const accountIndex = (accountId: string): string => `oidc:account-grants:${hashOf(accountId)}`;

export interface OidcStorage {
  /** The adapter factory for every model but Session (pass the session adapter for that one). */
  adapter(model: string): Adapter;
  /** Deletes a grant and every token and code issued under it. */
  revokeGrant(grantId: string): Promise<void>;
  /** Revokes every grant an account holds (after a password reset); returns how many. */
  revokeAccount(accountId: string): Promise<number>;
}

export interface StorageOptions {
  kv: KeyValueStore;
  now: () => number;
  /** Seconds an expired artifact is kept so that it is reported as expired rather than unknown. */
  graceSeconds?: number;
}

export function createOidcStorage(options: StorageOptions): OidcStorage {
  const { kv, now } = options;
  const grace = (options.graceSeconds ?? 60) * 1000;

  async function revokeGrant(grantId: string): Promise<void> {
    await kv.delete(keyOf('Grant', grantId));
  }

  class StoreAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const key = keyOf(this.model, id);
      const expiresAt = typeof expiresIn === 'number' ? now() + expiresIn * 1000 + grace : undefined;
      const { jti: _jti, ...value } = payload as AdapterPayload & { jti?: string };
      void _jti;
      if (this.model === 'Grant' && typeof payload.accountId === 'string') {
        await addMember(kv, accountIndex(payload.accountId), id, expiresAt ?? null, now());
      }
      await kv.set(key, value, expiresAt === undefined ? {} : { expiresAt });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (typeof id !== 'string' || id === '' || id.length > 1024) return undefined;
      const entry = await kv.get<AdapterPayload>(keyOf(this.model, id));
      if (!entry) return undefined;
      // Issued under a grant that was revoked (or has lapsed): as good as gone.
      const grantId = entry.value.grantId;
      if (GRANTABLE.has(this.model) && typeof grantId === 'string' && !(await kv.get(keyOf('Grant', grantId)))) return undefined;
      return { ...entry.value, jti: id };
    }

    async findByUid(): Promise<undefined> {
      return undefined;
    }

    async findByUserCode(): Promise<undefined> {
      return undefined;
    }

    async consume(id: string): Promise<void> {
      const key = keyOf(this.model, id);
      const entry = await kv.get<AdapterPayload>(key);
      if (!entry) throw new (await oidcErrors()).InvalidGrant('grant request is invalid');
      const consumed =
        !entry.value.consumed &&
        (await kv.compareAndSet(
          key,
          entry.version,
          { ...entry.value, consumed: Math.floor(now() / 1000) },
          entry.expiresAt ? { expiresAt: entry.expiresAt } : {},
        ));
      if (!consumed && SINGLE_USE.has(this.model)) {
        // Another request used it first: a replay. Everything issued under the grant goes.
        if (typeof entry.value.grantId === 'string') await revokeGrant(entry.value.grantId);
        throw new (await oidcErrors()).InvalidGrant(`${this.model === 'RefreshToken' ? 'refresh token' : 'authorization code'} already consumed`);
      }
    }

    async destroy(id: string): Promise<void> {
      await kv.delete(keyOf(this.model, id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await revokeGrant(grantId);
    }
  }

  const adapters = new Map<string, Adapter>();
  return {
    adapter(model) {
      let a = adapters.get(model);
      if (!a) adapters.set(model, (a = new StoreAdapter(model)));
      return a;
    },
    revokeGrant,
    async revokeAccount(accountId) {
      const grants = await members(kv, accountIndex(accountId), now());
      await Promise.all(grants.map((g) => revokeGrant(g)));
      await kv.delete(accountIndex(accountId));
      return grants.length;
    },
  };
}

export type { AdapterFactory };
