/**
 * Fresh temporary directories for the stores and key folders of in-process tests. On a machine with a
 * memory filesystem (/dev/shm on Linux) they go there: lmdb and the keystore fsync every commit, and on a
 * shared disk those waits were most of a store test's wall time, while what the fast tier asserts does
 * not depend on the disk (a reopen still reads the same files). Durability across a process kill on a
 * real disk is the integration tier's (test/stores/multiprocess.test.ts). Elsewhere: under os.tmpdir().
 */
import { statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MEMORY_FS = '/dev/shm';

let base: string | undefined;
function scratchBase(): string {
  if (base === undefined) {
    try {
      base = statSync(MEMORY_FS).isDirectory() ? MEMORY_FS : tmpdir();
    } catch {
      base = tmpdir();
    }
  }
  return base;
}

/** A new empty directory named `<prefix>XXXXXX`; the caller removes it. */
export function scratchDir(prefix: string): Promise<string> {
  return mkdtemp(join(scratchBase(), prefix));
}
