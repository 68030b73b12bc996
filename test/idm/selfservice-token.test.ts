/**
 * The self-service token (src/idm/selfservice/token.ts): Cairn's own encrypted and signed token with IDM's
 * refusal messages, always 400s; bound to its process; as long whatever state it carries (within its
 * 512-byte padding), so its length does not tell a known account from an unknown one; URL-safe.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCairnError } from '../../src/errors/cairn-error.js';
import { createSelfServiceTokens, type SelfServiceTokens, type TokenState } from '../../src/idm/selfservice/token.js';
import { openKeystore } from '../../src/keys/keystore.js';

let dir: string;
let clock = Date.UTC(2026, 0, 1);
let tokens: SelfServiceTokens;
const state: TokenState = { p: 'reset', v: 'v1', f: 'AAAAAAAAAAAAAAAAAAAAAA', s: 1 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-sstoken-'));
  tokens = createSelfServiceTokens({ keystore: await openKeystore({ dir, now: () => clock }), now: () => clock });
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function refusal(token: string, process = 'reset'): Promise<string> {
  try {
    await tokens.read(token, process);
    return 'accepted';
  } catch (e) {
    expect(isCairnError(e) && e.status).toBe(400);
    return (e as Error).message;
  }
}

describe('self-service tokens', () => {
  it('round-trips its state, URL-safe', async () => {
    const token = await tokens.issue({ ...state, j: { shared: { _id: 'u1' } } as never }, 300);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(await tokens.read(token, 'reset')).toEqual({ ...state, j: { shared: { _id: 'u1' } } });
  });

  it("refuses with IDM's messages: expired, bad signature, malformed, another process", async () => {
    const token = await tokens.issue(state, 300);
    expect(await refusal(token, 'username')).toBe('Invalid token');
    expect(await refusal(`${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`)).toBe('Invalid snapshot token');
    expect(await refusal('eyJ.not-a-token')).toBe('Error deconstructing snapshot token');
    expect(await refusal('x'.repeat(40_000))).toBe('Error deconstructing snapshot token');
    clock += 301_000;
    expect(await refusal(token)).toBe('Snapshot token has expired');
  });

  it('has the same length whatever the state holds (padding)', async () => {
    const small = await tokens.issue({ ...state, j: { shared: {} } as never }, 300);
    const larger = await tokens.issue(
      {
        ...state,
        j: { shared: { _id: 'a-uuid-like-id-0123456789', username: 'bjensen', objectAttributes: { mail: 'bjensen@example.com' } } } as never,
      },
      300,
    );
    expect(larger.length).toBe(small.length);
  });
});
