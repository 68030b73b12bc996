/**
 * The self-service token (IDM's "snapshot token"): Cairn's own, the same construction as the AM authId
 * (src/am/authid.ts: an HS256 JWS whose `state` claim is an A256GCM JWE of the journey snapshot), with its
 * own audience so neither kind of token is accepted as the other. It names the process and carries the
 * process version, the flow id and the step number; `exp` is the process's `snapshotToken.tokenExpiry`.
 * The state is padded to a multiple of 512 bytes before encryption, so the token's length does not tell
 * whose state it holds (a known or an unknown account). Tokens are URL-safe: the e-mailed link carries one
 * unencoded. Refusals use IDM's messages, always as 400s (IDM answers a malformed token with a 500).
 */
import { createAuthIdCodec, isAuthIdInvalid, type AuthIdCodec } from '../../am/authid.js';
import { badRequest, type CairnError } from '../../errors/cairn-error.js';
import type { PersistedJourney } from '../../journeys/runner.js';
import type { Keystore } from '../../keys/keystore.js';

/** What a token carries. */
export interface TokenState {
  /** Process name. */
  p: string;
  /** Process version (config fingerprint). */
  v: string;
  /** Flow id: the store's record of this run of the process (see flows.ts). */
  f: string;
  /** Step number, single-use: the flow record must be at this step for the token to be accepted. */
  s: number;
  /** The journey snapshot; absent while the process waits for its e-mailed code (the snapshot is then stored). */
  j?: PersistedJourney;
}

export interface SelfServiceTokens {
  issue(state: TokenState, ttlSeconds: number): Promise<string>;
  /** Opens a token of `process`; throws IDM's 400s. The version is checked by the caller. */
  read(token: string, process: string): Promise<TokenState>;
}

export const INVALID_TOKEN = 'Invalid token';
export const AUDIENCE = 'cairn:idm-selfservice';
const PAD_TO = 512;

export const invalidToken = (): CairnError => badRequest('idm.token', INVALID_TOKEN);

function padded(state: TokenState): TokenState & { x?: string } {
  const length = Buffer.byteLength(JSON.stringify({ ...state, x: '' }));
  return { ...state, x: ' '.repeat((PAD_TO - (length % PAD_TO)) % PAD_TO) };
}

function isState(v: unknown): v is TokenState {
  const s = v as TokenState;
  return (
    !!s &&
    typeof s === 'object' &&
    typeof s.p === 'string' &&
    typeof s.v === 'string' &&
    typeof s.f === 'string' &&
    Number.isInteger(s.s) &&
    (s.j === undefined || (typeof s.j === 'object' && s.j !== null))
  );
}

export function createSelfServiceTokens(options: { keystore: Keystore; now: () => number }): SelfServiceTokens {
  const codec: AuthIdCodec = createAuthIdCodec({ keystore: options.keystore, now: options.now, audience: AUDIENCE, ttlSeconds: 300 });
  return {
    issue: (state, ttlSeconds) => codec.issue({ authIndexType: 'selfservice', authIndexValue: state.p, realm: '/' }, padded(state), ttlSeconds),

    async read(token, process) {
      let opened: Awaited<ReturnType<AuthIdCodec['read']>>;
      try {
        opened = await codec.read(token);
      } catch (e) {
        if (!isAuthIdInvalid(e)) throw e; // the key folder failing is the server's fault
        if (e.reason === 'expired') throw badRequest('idm.token', 'Snapshot token has expired');
        if (e.reason === 'malformed' || e.reason === 'oversized') throw badRequest('idm.token', 'Error deconstructing snapshot token');
        throw badRequest('idm.token', 'Invalid snapshot token');
      }
      const { snapshot, claims } = opened;
      if (claims.authIndexType !== 'selfservice' || claims.authIndexValue !== process || !isState(snapshot) || snapshot.p !== process)
        throw invalidToken();
      const { x, ...state } = snapshot as TokenState & { x?: string };
      void x;
      return state;
    },
  };
}
