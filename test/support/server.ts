/**
 * Starts a real Cairn server on 127.0.0.1 (port 0) with a temporary data directory, for protocol
 * tests: the same `startServer` that `cairn serve` runs, with settings from an environment map.
 */
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, type Settings } from '../../src/config/settings.js';
import { startServer, type RunningServer, type StartOptions } from '../../src/server/start.js';

export const FIXTURE_JOURNEYS = join(import.meta.dirname, '..', 'fixtures', 'journeys');
export const SHIPPED_JOURNEYS = join(import.meta.dirname, '..', '..', 'journeys');
/** Journeys as AM exports them (AM's node semantics, e.g. Retry Limit + Account Lockout). */
export const AM_JOURNEYS = join(import.meta.dirname, '..', 'fixtures', 'am-journeys');

/** A temporary journeys directory holding the shipped journeys and those of `AM_JOURNEYS`. */
export async function shippedAndAmJourneys(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cairn-journeys-'));
  for (const from of [SHIPPED_JOURNEYS, AM_JOURNEYS]) {
    for (const f of await readdir(from)) if (f.endsWith('.json')) await copyFile(join(from, f), join(dir, f));
  }
  return dir;
}

export interface TestServer extends RunningServer {
  /** `<url>/am`, the base URL an SDK is configured with. */
  amUrl: string;
  dataDir: string;
  settings: Readonly<Settings>;
  stop(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}, options: StartOptions = {}): Promise<TestServer> {
  const dataDir = env.CAIRN_DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'cairn-test-')));
  const settings = loadSettings({
    PORT: '0',
    CAIRN_HOST: '127.0.0.1',
    CAIRN_JOURNEYS_DIR: FIXTURE_JOURNEYS,
    CAIRN_DATA_DIR: dataDir,
    CAIRN_LOG_LEVEL: 'silent',
    CAIRN_AUDIT_LOG: 'off',
    ...env,
  });
  const running = await startServer(settings, options);
  return {
    ...running,
    amUrl: `${running.url}/am`,
    dataDir,
    settings,
    async stop() {
      await running.close();
      if (!env.CAIRN_DATA_DIR) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
