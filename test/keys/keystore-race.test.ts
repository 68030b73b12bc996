// Several real processes open one key folder at the same instant (fixtures/race-child.mjs, running
// the compiled dist/): on an empty folder they race to create the first keys, on a stale one to
// rotate. Each ends up with the same current keys, the folder holds one key per purpose and
// sequence number, and every process verifies every other process's authId.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openKeystore } from '../../src/keys/keystore.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const childScript = join(here, 'fixtures', 'race-child.mjs');
const CHILDREN = 6;

let root: string;
const running = new Set<ChildProcess>();

beforeAll(async () => {
  // The children run dist/; refuse to test a stale build rather than pass on old code.
  for (const unit of ['keys/keystore', 'keys/key-file', 'am/authid']) {
    const built = await stat(join(repo, 'dist', `${unit}.js`)).catch(() => undefined);
    const source = await stat(join(repo, 'src', `${unit}.ts`));
    if (!built || built.mtimeMs < source.mtimeMs) {
      throw new Error(`dist/${unit}.js is missing or older than src/${unit}.ts: run \`npm run build\` first`);
    }
  }
});
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cairn-keys-race-'));
});
afterEach(async () => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  await rm(root, { recursive: true, force: true });
});

interface ChildReport {
  id: string;
  sig: string;
  enc: string;
  verified: string[];
}

function runChild(dir: string, tokensDir: string, id: string, startAt: number): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childScript, dir, tokensDir, id, String(CHILDREN), String(startAt)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 25_000,
    });
    running.add(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      running.delete(child);
      if (code !== 0) reject(new Error(`child ${id} exited with ${code}: ${err}`));
      else resolve(JSON.parse(out) as ChildReport);
    });
  });
}

async function race(dir: string): Promise<ChildReport[]> {
  const tokensDir = join(root, 'tokens');
  await mkdir(tokensDir);
  // Start instant far enough ahead for every child to have loaded its modules.
  const startAt = Date.now() + 1500;
  const ids = Array.from({ length: CHILDREN }, (_, i) => `p${i}`);
  return Promise.all(ids.map((id) => runChild(dir, tokensDir, id, startAt)));
}

function expectAgreement(reports: ChildReport[]): void {
  const ids = reports.map((r) => r.id).sort();
  for (const r of reports) {
    expect(r.sig).toBe(reports[0]?.sig);
    expect(r.enc).toBe(reports[0]?.enc);
    expect(r.verified.sort()).toEqual(ids);
  }
}

describe('processes racing on one key folder', () => {
  it("agree on the first keys and verify each other's authIds", async () => {
    const dir = join(root, 'keys');
    const reports = await race(dir);
    expectAgreement(reports);
    expect((await readdir(dir)).sort()).toEqual(['enc-000001.json', 'sig-000001.json']);
  });

  it('agree on the rotated keys when they all find the current ones stale', async () => {
    const dir = join(root, 'keys');
    const twoDaysAgo = Date.now() - 2 * 24 * 3_600_000;
    const seeded = await openKeystore({ dir, now: () => twoDaysAgo });
    const oldSig = (await seeded.current('sig')).kid;

    const reports = await race(dir);
    expectAgreement(reports);
    expect(reports[0]?.sig).not.toBe(oldSig);
    expect((await readdir(dir)).sort()).toEqual(['enc-000001.json', 'enc-000002.json', 'sig-000001.json', 'sig-000002.json']);
    const fresh = await openKeystore({ dir });
    expect((await fresh.current('sig')).kid).toBe(reports[0]?.sig);
  });
});
