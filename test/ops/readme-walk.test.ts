/**
 * README read top to bottom on a fresh copy of the checkout: scripts/readme-walk.mjs runs its
 * commands (npm ci, npm start, the loopback start, `cairn --help`, the first user, the new journey,
 * the restart) and checks what its sentences say happens (the address, the pages, signing in, the
 * outbox and its logged links, the journey before and after the restart). It takes a few minutes:
 * most of it is `npm ci` in the copy.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

describe('README', () => {
  it('says what happens: its first-hour commands run on a fresh copy and do what it says', { timeout: 15 * 60_000 }, async () => {
    const result = await run('node', [join(ROOT, 'scripts', 'readme-walk.mjs')], { cwd: ROOT, maxBuffer: 16 << 20 }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    expect(result.stdout).toContain('readme-walk: everything README says held');
    expect(result.code, result.stdout).toBe(0);
    // Every claim was checked and every command block ran (or was said to be the suite itself).
    expect(result.stdout.match(/✓ README:/g)?.length).toBe(8);
    expect(result.stdout).toMatch(/`npm ci && npm test` — not run/);
  });
});
