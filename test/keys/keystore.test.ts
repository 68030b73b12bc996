// The keystore on a real temporary folder with an injected clock: first-start generation, file
// format and permissions, persistence across reopen, rotation and retention, re-reading the folder
// for a kid rotated in by another instance (rate-limited), and refusal of files Cairn did not write.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmod, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeystoreError, openKeystore } from '../../src/keys/keystore.js';
import { scratchDir } from '../support/scratch.js';

const HOUR = 3_600_000;
let root: string;
let dir: string;

beforeEach(async () => {
  root = await scratchDir('cairn-keys-');
  dir = join(root, 'data', 'keys');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function clock(start = Date.UTC(2025, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('openKeystore on an empty folder', () => {
  it('creates the folder 0700 and one 0600 JWK file per purpose', async () => {
    const c = clock();
    const ks = await openKeystore({ dir, now: c.now });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const names = (await readdir(dir)).sort();
    expect(names).toEqual(['enc-000001.json', 'sig-000001.json']);
    for (const name of names) expect((await stat(join(dir, name))).mode & 0o777).toBe(0o600);

    const sigJwk = JSON.parse(await readFile(join(dir, 'sig-000001.json'), 'utf8'));
    const sig = await ks.current('sig');
    expect(sigJwk).toEqual({
      kty: 'oct',
      kid: sig.kid,
      use: 'sig',
      alg: 'HS256',
      k: Buffer.from(sig.secret).toString('base64url'),
      created_at: new Date(c.now()).toISOString(),
    });
    const enc = await ks.current('enc');
    expect(enc.alg).toBe('dir');
    expect(enc.secret).toHaveLength(32);
    expect(enc.kid).not.toBe(sig.kid);
    expect(Buffer.from(enc.secret).equals(Buffer.from(sig.secret))).toBe(false);
    expect(ks.kids().sort()).toEqual([sig.kid, enc.kid].sort());
  });

  it('keeps secrets out of JSON.stringify', async () => {
    const ks = await openKeystore({ dir });
    const key = await ks.current('sig');
    const k = Buffer.from(key.secret).toString('base64url');
    expect(JSON.stringify(key)).not.toContain(k);
    expect(Object.keys(key)).not.toContain('secret');
  });

  it('tightens a pre-existing folder that group/others can reach', async () => {
    await openKeystore({ dir });
    await chmod(dir, 0o755);
    await openKeystore({ dir });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });
});

describe('persistence and rotation', () => {
  it('reopening the folder gives the same keys', async () => {
    const a = await openKeystore({ dir });
    const b = await openKeystore({ dir });
    expect((await b.current('sig')).kid).toBe((await a.current('sig')).kid);
    expect((await b.current('enc')).kid).toBe((await a.current('enc')).kid);
    expect(Buffer.from((await b.current('sig')).secret)).toEqual(Buffer.from((await a.current('sig')).secret));
  });

  it('rotates once the current key is older than rotateAfterMs, retains the old one, then deletes it', async () => {
    const c = clock();
    const ks = await openKeystore({ dir, now: c.now, rotateAfterMs: 24 * HOUR, retainForMs: 2 * HOUR });
    const first = await ks.current('sig');

    c.advance(24 * HOUR - 1);
    expect((await ks.current('sig')).kid).toBe(first.kid);

    c.advance(1);
    const second = await ks.current('sig');
    expect(second.kid).not.toBe(first.kid);
    expect(second.seq).toBe(2);
    expect((await ks.byKid(first.kid, 'sig'))?.kid).toBe(first.kid);
    expect((await readdir(dir)).sort()).toEqual(['enc-000001.json', 'enc-000002.json', 'sig-000001.json', 'sig-000002.json']);

    c.advance(2 * HOUR - 1);
    expect(await ks.byKid(first.kid, 'sig')).toBeDefined();
    c.advance(1);
    expect(await ks.byKid(first.kid, 'sig')).toBeUndefined();
    expect((await readdir(dir)).sort()).toEqual(['enc-000002.json', 'sig-000002.json']);
    expect((await ks.current('sig')).kid).toBe(second.kid);
  });

  it('a reopened store rotates a key that went stale while the server was down', async () => {
    const c = clock();
    const a = await openKeystore({ dir, now: c.now, rotateAfterMs: HOUR });
    const old = await a.current('enc');
    c.advance(10 * HOUR);
    const b = await openKeystore({ dir, now: c.now, rotateAfterMs: HOUR });
    expect((await b.current('enc')).kid).not.toBe(old.kid);
    expect(await b.byKid(old.kid, 'enc')).toBeDefined();
  });

  it('does not hand out a key for the wrong purpose', async () => {
    const ks = await openKeystore({ dir });
    const enc = await ks.current('enc');
    expect(await ks.byKid(enc.kid, 'sig')).toBeUndefined();
  });
});

describe('unknown kids', () => {
  it('re-reads the folder to find a key another instance rotated in, at most once per interval', async () => {
    const c = clock();
    const opts = { dir, now: c.now, rotateAfterMs: HOUR, minReloadIntervalMs: 1000 };
    const a = await openKeystore(opts);
    // Instance b works from a clock 1 h ahead, so it rotates; a has not noticed.
    const b = await openKeystore({ ...opts, now: () => c.now() + HOUR });
    const rotated = await b.current('sig');
    expect(a.kids('sig')).not.toContain(rotated.kid);

    c.advance(1000);
    expect((await a.byKid(rotated.kid, 'sig'))?.kid).toBe(rotated.kid);

    // A kid appearing right after a re-read is not found until the interval has passed.
    const later = await openKeystore({ ...opts, now: () => c.now() + 2 * HOUR });
    const newest = await later.current('sig');
    expect(await a.byKid(newest.kid, 'sig')).toBeUndefined();
    expect(await a.byKid('nonexistent-kid-1', 'sig')).toBeUndefined();
    c.advance(1000);
    expect((await a.byKid(newest.kid, 'sig'))?.kid).toBe(newest.kid);
  });

  it('reload() picks up other instances immediately', async () => {
    const c = clock();
    const a = await openKeystore({ dir, now: c.now, rotateAfterMs: HOUR });
    const b = await openKeystore({ dir, now: () => c.now() + HOUR, rotateAfterMs: HOUR });
    const rotated = await b.current('enc');
    await a.reload();
    expect(a.kids('enc')[0]).toBe(rotated.kid);
  });
});

describe('files Cairn did not write', () => {
  it('refuses a key file readable by group/others, naming it', async () => {
    await openKeystore({ dir });
    await chmod(join(dir, 'sig-000001.json'), 0o644);
    const err = await openKeystore({ dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KeystoreError);
    expect((err as Error).message).toMatch(/sig-000001\.json.*chmod 600/);
    expect((err as KeystoreError).expose).toBe(false);
  });

  it('refuses a corrupt key file with a clear message', async () => {
    await openKeystore({ dir });
    await writeFile(join(dir, 'enc-000001.json'), '{"kty":"oct"', { mode: 0o600 });
    await expect(openKeystore({ dir })).rejects.toThrow(/enc-000001\.json: not valid JSON/);
  });

  it('refuses a key whose alg does not match its purpose', async () => {
    await openKeystore({ dir });
    const path = join(dir, 'sig-000001.json');
    const jwk = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...jwk, alg: 'none' }), { mode: 0o600 });
    await expect(openKeystore({ dir })).rejects.toThrow(/"alg" must be "HS256"/);
  });

  it('ignores unrelated files in the folder', async () => {
    await openKeystore({ dir });
    await writeFile(join(dir, 'README'), 'hello', { mode: 0o600 });
    const ks = await openKeystore({ dir });
    expect(ks.kids()).toHaveLength(2);
  });

  it('rejects bad options', async () => {
    await expect(openKeystore({ dir, rotateAfterMs: 0 })).rejects.toThrow(RangeError);
    await expect(openKeystore({ dir, retainForMs: -1 })).rejects.toThrow(/retainForMs/);
  });
});
