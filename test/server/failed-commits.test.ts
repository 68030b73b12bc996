/**
 * What a serving process does with an unhandled rejection (src/server/failed-commits.ts, which `cairn serve`
 * installs), in a real Node process since that is where the default applies: lmdb-js's rejection of a failed
 * commit nobody waited for ("Commit failed", the native cause in `commitError`, shaped as lmdb-js makes it) is
 * reported and the process serves on; any other unhandled rejection still ends it, as Node's default does.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MODULE = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'server', 'failed-commits.js')).href;

async function node(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const program = `import { absorbFailedCommits } from ${JSON.stringify(MODULE)};
absorbFailedCommits((cause) => console.log('reported: ' + cause.message + ' (' + cause.code + ')'));
// As lmdb-js fails a commit: the write's promise rejects with "Commit failed", then its commitError with the cause.
const failCommit = (causeFirst = false) => {
  const native = Object.assign(new Error('MDB_BAD_TXN: Transaction must abort, has a child, or is invalid'), { code: -30782 });
  let reject;
  const commitError = new Promise((_, r) => (reject = r));
  if (causeFirst) reject(native);
  Promise.reject(Object.assign(new Error('Commit failed (see commitError for details)'), { commitError }));
  if (!causeFirst) reject(native);
};
${script}`;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', program]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('unhandled rejections in a serving process', () => {
  it('reports a failed lmdb commit nobody waited for, with its native cause, and goes on', async () => {
    for (const causeFirst of [false, true]) {
      const r = await node(`failCommit(${causeFirst});
await new Promise((resolve) => setTimeout(resolve, 100));
console.log('still serving');`);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('reported: MDB_BAD_TXN: Transaction must abort, has a child, or is invalid (-30782)\nstill serving\n');
    }
  });

  it('still ends the process on any other unhandled rejection', async () => {
    const r = await node(`Promise.reject(new Error('a bug'));
await new Promise((resolve) => setTimeout(resolve, 100));
console.log('still serving');`);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('still serving');
    expect(r.stderr).toContain('Error: a bug');
  });
});
