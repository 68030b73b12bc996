/**
 * vitest's global setup: one temporary directory for the whole run, the TMPDIR of every test process (and of
 * the servers, CLIs, databases and browsers they start), removed when the run ends, with whatever a test
 * left in it — data dirs of a server a failed test never stopped, journeys and clients files, profiles.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-tests-'));
  // Others may pass through, not list: the postgres account reaches the clusters made inside (bench/lib/pg-cluster.js).
  await chmod(dir, 0o711);
  process.env.TMPDIR = dir;
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
