// A commit that really fails, in lmdb itself: a child process whose file-size limit (`ulimit -f`, SIGXFSZ
// ignored) makes LMDB's write of a large batch fail (EFBIG, which lmdb-js reports as an I/O error), so the
// failure is LMDB's own and lmdb-js answers it as it would a full disk.
//  - A write whose batch committed is acknowledged even when the next batch fails. lmdb-js's `flushed` names
//    the newest batch when it is read; read after the commit, it named the failing batch, whose flush never
//    comes, and the committed write waited forever. The race is made certain by queueing the failing batch
//    at the moment the first one's commit resolves, before the group commit looks at its flush.
//  - The failed batch's own writes get the store's 503, and lmdb-js's own promise for the batch (its
//    event-turn batch start, which nobody can wait for) is absorbed by serve's policy (failed-commits.ts):
//    reported with its native cause, and the process goes on.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = join(import.meta.dirname, '..', '..');
const dist = (path: string): string => JSON.stringify(pathToFileURL(join(REPO, 'dist', path)).href);

const PROGRAM = `
import { open } from 'lmdb';
import { groupCommit } from ${dist('stores/lmdb/environment.js')};
import { absorbFailedCommits } from ${dist('server/failed-commits.js')};
process.on('SIGXFSZ', () => {}); // over the file-size limit, the write fails instead of the process dying
absorbFailedCommits((cause) => console.log('reported: ' + cause.message));
const root = open({ path: process.env.DIR, maxDbs: 2 });
const db = root.openDB({ name: 'objects', encoding: 'json' });
await root.childTransaction(() => db.putSync('warm', 1));
await root.flushed;
const big = 'x'.repeat(400_000); // ten of them are 4 MB, over the 1 MiB limit
const outcome = {};
const settle = (name, p) => p.then(() => (outcome[name] = 'acknowledged'), (e) => (outcome[name] = e.code ?? e.message));
let queued = false;
const commit = groupCommit({
  get flushed() { return root.flushed; },
  childTransaction: (fn) =>
    root.childTransaction(fn).then((result) => {
      if (!queued) {
        queued = true;
        settle('next', commit(() => { for (let i = 0; i < 10; i++) db.putSync('big' + i, big); }));
      }
      return result;
    }),
});
settle('first', commit(() => db.putSync('first', 1)));
await new Promise((resolve) => setTimeout(resolve, 2000));
console.log(JSON.stringify(outcome));
console.log('first readable: ' + db.get('first') + ', next readable: ' + db.get('big0'));
console.log('still serving');
`;

describe('group commit when lmdb fails a commit', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('acknowledges the committed write, answers 503 to the failed batch, and the process serves on', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-commit-failure-'));
    const { stdout } = await run('sh', ['-c', 'ulimit -f 1024 && exec "$0" --input-type=module -e "$1"', process.execPath, PROGRAM], {
      cwd: REPO,
      env: { ...process.env, DIR: dir },
    });
    const lines = stdout.trim().split('\n');
    expect(lines).toContain('{"first":"acknowledged","next":"store.unavailable"}');
    expect(lines).toContain('first readable: 1, next readable: undefined');
    expect(lines.filter((l) => l.startsWith('reported: '))).toEqual(['reported: Input/output error']);
    expect(lines.at(-1)).toBe('still serving');
  });
});
