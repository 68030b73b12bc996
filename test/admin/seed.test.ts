/**
 * Which wins when both the journeys folder and the store change (README "Where journeys live"):
 * a change made over REST survives restarts while its file is unchanged; a file changed since it
 * last seeded wins at the next start; a journey deleted over REST stays deleted; nothing changes on
 * a start with the same files (no new revision, nothing audited).
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FIXTURE_JOURNEYS, startTestServer, type TestServer } from '../support/server.js';

const ADMIN = { CAIRN_ADMIN_USERNAME: 'amadmin', CAIRN_ADMIN_PASSWORD: 'Quartz-Harbor-Lantern-31' };
const TREES = '/json/realms/root/realm-config/authentication/authenticationtrees/trees';
let dir: string;
let dataDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-seed-'));
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-seed-data-'));
  await cp(FIXTURE_JOURNEYS, dir, { recursive: true });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

async function withServer<T>(fn: (server: TestServer, admin: string, audit: string[]) => Promise<T>): Promise<T> {
  const audit: string[] = [];
  const server = await startTestServer(
    { CAIRN_JOURNEYS_DIR: dir, CAIRN_DATA_DIR: dataDir, CAIRN_AUDIT_LOG: 'stdout', ...ADMIN },
    { audit: (l) => audit.push(l) },
  );
  try {
    const res = await fetch(`${server.amUrl}/json/realms/root/authenticate`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-OpenAM-Username': ADMIN.CAIRN_ADMIN_USERNAME,
        'X-OpenAM-Password': ADMIN.CAIRN_ADMIN_PASSWORD,
      },
      body: '{}',
    });
    const { tokenId } = (await res.json()) as { tokenId: string };
    return await fn(server, tokenId, audit);
  } finally {
    await server.close();
  }
}

const header = async (server: TestServer, journey: string): Promise<unknown> => {
  const res = await fetch(`${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=${journey}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });
  return res.status === 200 ? ((await res.json()) as { header?: string }).header : res.status;
};

it('REST changes survive restarts until their file changes; deletions stay; an unchanged start writes nothing', async () => {
  // First start seeds; an administrator edits SdkDemo's page and deletes Tour.
  await withServer(async (server, admin) => {
    expect(await header(server, 'SdkDemo')).toBe('Sign In');
    const h = { 'Content-Type': 'application/json', iPlanetDirectoryPro: admin };
    const tree = (await (await fetch(`${server.amUrl}${TREES}/SdkDemo`, { headers: h })).json()) as { entryNodeId: string };
    const nodeUrl = `${server.amUrl}/json/realms/root/realm-config/authentication/authenticationtrees/nodes/PageNode/${tree.entryNodeId}`;
    const page = (await (await fetch(nodeUrl, { headers: h })).json()) as Record<string, unknown>;
    expect(
      (await fetch(nodeUrl, { method: 'PUT', headers: h, body: JSON.stringify({ ...page, pageHeader: { en: 'Edited over REST' } }) })).status,
    ).toBe(200);
    expect((await fetch(`${server.amUrl}${TREES}/Tour`, { method: 'DELETE', headers: h })).status).toBe(200);
  });
  // Same files: the store wins, and the start changes nothing.
  await withServer(async (server, _admin, audit) => {
    expect(await header(server, 'SdkDemo')).toBe('Edited over REST');
    expect(await header(server, 'Tour')).toBe(400);
    expect(audit.filter((l) => l.includes('"config.changed"'))).toEqual([]);
  });
  // SdkDemo's file changes: the file wins; Tour's did not: still deleted.
  const file = join(dir, 'SdkDemo.json');
  const journey = JSON.parse(await readFile(file, 'utf8')) as { nodes: { signIn: { config: { pageHeader: { en: string } } } } };
  journey.nodes.signIn.config.pageHeader.en = 'Edited in the file';
  await writeFile(file, JSON.stringify(journey));
  await withServer(async (server, _admin, audit) => {
    expect(await header(server, 'SdkDemo')).toBe('Edited in the file');
    expect(await header(server, 'Tour')).toBe(400);
    expect(audit.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === 'config.changed')).toEqual([
      expect.objectContaining({ by: 'files', kind: 'journey', id: 'SdkDemo' }),
    ]);
  });
}, 180_000);
