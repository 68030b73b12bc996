/**
 * The configuration store's contract on every backend: it is built on the store contract's key/value
 * primitives alone (get, insertIfAbsent, compareAndSet), so the embedded store, PostgreSQL (cairn_kv,
 * created by the migrations) and MongoDB each hold it with no code of their own. Two LiveConfig
 * instances share one store, as two servers do: a change made through one is what the other runs after
 * its next read of the head; a refused change writes nothing; concurrent changes through both land,
 * one after the other; a journey in flight finds the version it started on after it was replaced.
 * PostgreSQL and MongoDB run when their URIs are set (.ci/run starts a throwaway PostgreSQL).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditPort } from '../../src/audit/audit-log.js';
import { createConfigStore } from '../../src/config-store/config-store.js';
import { ConfigRefused, LiveConfig } from '../../src/config-store/live.js';
import { createNodeRegistry } from '../../src/nodes/index.js';
import { mongodbUri, openMongodbForTest } from '../stores/mongodb-support.js';
import { openPostgresForTest, postgresUri } from '../stores/postgres-support.js';
import { openEmbeddedForTest, type TestStore } from '../support/stores.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'journeys');
const registry = createNodeRegistry();

const backends: { name: string; open: ((now: () => number) => Promise<TestStore>) | undefined }[] = [
  { name: 'embedded (lmdb)', open: openEmbeddedForTest },
  { name: 'PostgreSQL', open: postgresUri ? openPostgresForTest : undefined },
  { name: 'MongoDB', open: mongodbUri ? openMongodbForTest : undefined },
];

const journey = async (name: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;

for (const backend of backends) {
  const run = backend.open ? describe : describe.skip;
  run(`the configuration store on ${backend.name}${backend.open ? '' : ' (skipped: no URI set)'}`, () => {
    let opened: TestStore | undefined;
    const lives: LiveConfig[] = [];
    const events: { event: string; fields: Record<string, unknown> }[] = [];
    const audit: AuditPort = { record: (event, fields) => void events.push({ event, fields: fields }) };

    /** One more instance on the same store: its own ConfigStore (own caches), no polling (the test refreshes). */
    const instance = (t: TestStore): Promise<LiveConfig> =>
      LiveConfig.open({ store: createConfigStore(t.store.kv), runtime: { registry }, audit, now: Date.now, pollMs: 0, log: () => {} }).then(
        (l) => (lives.push(l), l),
      );

    afterEach(async () => {
      for (const l of lives.splice(0)) l.close();
      await opened?.dispose();
      opened = undefined;
      events.length = 0;
    });

    it('a change through A is what B runs once it reads the head; a refused change writes nothing', async () => {
      opened = await backend.open!(Date.now);
      const [a, b] = [await instance(opened), await instance(opened)];
      const profile = await journey('Profile');
      const done = await a.transact(() => [{ kind: 'journey', id: 'Profile', doc: profile }], 'admin:amadmin');
      expect(done.changes).toEqual([{ kind: 'journey', id: 'Profile', before: null, after: expect.any(String) }]);
      expect(b.catalog.get('Profile')).toBeUndefined();
      expect(await b.refresh()).toBe(true);
      expect(b.revision).toBe(a.revision);
      expect(b.catalog.get('Profile')?.version).toBe(a.catalog.get('Profile')?.version);
      expect(events.filter((e) => e.event === 'config.changed')).toEqual([
        { event: 'config.changed', fields: expect.objectContaining({ by: 'admin:amadmin', kind: 'journey', id: 'Profile', before: null }) },
      ]);

      const broken = { ...profile, entryNodeId: 'nowhere' };
      const refused = await a.transact(() => [{ kind: 'journey', id: 'Profile', doc: broken }], 'admin:amadmin').catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ConfigRefused);
      expect((refused as ConfigRefused).problems.map((p) => p.pointer)).toContain('/entryNodeId');
      expect(await b.refresh()).toBe(false);
      expect(b.revision).toBe(done.revision);
    });

    it('concurrent changes through A and B both land, one revision each; the replaced version stays reachable', async () => {
      opened = await backend.open!(Date.now);
      const [a, b] = [await instance(opened), await instance(opened)];
      const profile = await journey('Profile');
      await a.transact(() => [{ kind: 'journey', id: 'Profile', doc: profile }], 'seed');
      await b.refresh();
      const first = b.catalog.get('Profile')?.version as string;
      const renamed = { ...profile, description: 'changed on B' };
      const other = { ...profile, _id: 'Other', description: 'added on A' };
      await Promise.all([
        a.transact(() => [{ kind: 'journey', id: 'Other', doc: other }], 'admin:a'),
        b.transact(() => [{ kind: 'journey', id: 'Profile', doc: renamed }], 'admin:b'),
      ]);
      await Promise.all([a.refresh(), b.refresh()]);
      const changed = b.catalog.get('Profile')?.version;
      expect(changed).not.toBe(first);
      for (const l of [a, b]) {
        expect(l.revision).toBe(3);
        expect(l.catalog.ids()).toEqual(expect.arrayContaining(['Profile', 'Other']));
        expect(l.catalog.get('Profile')?.version).toBe(changed);
      }
      // A fresh instance (a server started later) rebuilds the version a journey in flight started on.
      const c = await instance(opened);
      const earlier = await c.catalog.at?.('Profile', first);
      expect(c.catalog.get('Profile')?.version).toBe(changed);
      expect(earlier?.version).toBe(first);
      expect(earlier?.machine).toBeDefined();
    });
  });
}
