/** Stores for tests, each fresh and thrown away: the embedded store here, PostgreSQL in ./postgres.ts. */
import { rm } from 'node:fs/promises';
import { openStore, type Store } from '../../src/stores/index.js';
import { scratchDir } from './scratch.js';

export interface TestStore {
  store: Store;
  /** Closes the store and removes what the test created. */
  dispose(): Promise<void>;
}

/** An embedded store in a fresh temporary directory (sweeper off); dispose removes the directory. */
export async function openEmbeddedForTest(now: () => number): Promise<TestStore> {
  const dataDir = await scratchDir('cairn-store-');
  const store = await openStore({ dataDir, now, sweepIntervalMs: 0 });
  return {
    store,
    async dispose() {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
