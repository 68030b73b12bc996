/**
 * What a journey in flight is, over real HTTP: its authId carries XState's persisted snapshot of the
 * journey's machine (opened here with the server's own keystore), so a journey started on one server
 * process continues on the next one started on the same data directory. And what the server makes of
 * the machine's lifecycle: audit events and metrics, read from XState's inspection, not from answers;
 * the answer for a browser that already has a session is observed like every other.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActor, type Snapshot } from 'xstate';
import { createAuthIdCodec } from '../../src/am/authid.js';
import type { AuthIdState } from '../../src/am/authenticate.js';
import { buildCatalog, readJourneyDir } from '../../src/journeys/catalog.js';
import { openKeystore } from '../../src/keys/keystore.js';
import { createNodeRegistry } from '../../src/nodes/index.js';
import { FIXTURE_JOURNEYS, startTestServer, type TestServer } from '../support/server.js';

interface Step {
  authId: string;
  callbacks: { type: string; input?: { name: string; value: unknown }[] }[];
  header?: string;
}

const authenticate = (server: TestServer, journey = 'Tour') =>
  `${server.amUrl}/json/realms/root/authenticate?authIndexType=service&authIndexValue=${journey}`;

async function post(target: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(target, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-API-Version': 'resource=2.1, protocol=1.0', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as any, headers: res.headers };
}

/** Plays the client: the step's callbacks with input values set by position. */
function answer(step: Step, values: unknown[][]) {
  return {
    authId: step.authId,
    callbacks: step.callbacks.map((cb, i) => ({
      ...cb,
      input: (cb.input ?? []).map((f, j) => ({ name: f.name, value: values[i]?.[j] ?? f.value })),
    })),
  };
}

/** The first three steps of Tour: the message, the sign-in page, the choice. */
async function toTheChoice(server: TestServer): Promise<Step> {
  const s1 = (await post(authenticate(server))).json as Step;
  const s2 = (await post(authenticate(server), answer(s1, [[], [0]]))).json as Step;
  expect(s2.header).toBe('Sign In');
  return (await post(authenticate(server), answer(s2, [['bjensen'], ['s3cret-Passw0rd']]))).json as Step;
}

describe('a journey in flight', () => {
  let dataDir: string;
  beforeAll(async () => void (dataDir = await mkdtemp(join(tmpdir(), 'cairn-state-'))));
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it("carries XState's persisted snapshot in its authId, and resumes on a server started after a restart", async () => {
    const first = await startTestServer({ CAIRN_DATA_DIR: dataDir });
    const choice = await toTheChoice(first);
    await first.stop();

    // Open the authId with the server's keystore: the state is the journey machine's own persisted snapshot.
    const keystore = await openKeystore({ dir: join(dataDir, 'keys') });
    const { claims, snapshot } = await createAuthIdCodec({ keystore }).read(choice.authId);
    expect(claims).toMatchObject({ authIndexType: 'service', authIndexValue: 'Tour', realm: '/' });
    const state = snapshot as AuthIdState;
    const { catalog } = buildCatalog(await readJourneyDir(FIXTURE_JOURNEYS), createNodeRegistry());
    const tour = catalog.get('Tour');
    if (!tour) throw new Error('no Tour journey');
    expect(state).toMatchObject({ j: { v: 2, journey: 'Tour', version: tour.version }, o: { noSession: false } });
    expect(state.j.machine).toMatchObject({ status: 'active', value: 'pick', children: {}, historyValue: {} });
    expect(state.j.machine.context).toMatchObject({ shared: { username: 'bjensen' }, transient: { password: 's3cret-Passw0rd' }, local: {} });
    expect(state.j.machine.context.pending?.map((c) => c.type)).toEqual(['ChoiceCallback']);
    // xstate itself restores it: an actor of the compiled machine starts at the same state, with the same context.
    const actor = createActor(tour.machine, { snapshot: state.j.machine as unknown as Snapshot<unknown> });
    expect(actor.getSnapshot()).toMatchObject({ value: 'pick', context: state.j.machine.context });
    expect(tour.machine.getPersistedSnapshot(actor.getSnapshot())).toEqual(state.j.machine);

    // A new server process on the same data directory (same keys) continues the journey.
    const second = await startTestServer({ CAIRN_DATA_DIR: dataDir });
    try {
      const done = await post(authenticate(second), answer(choice, [[1]]));
      expect(done.status).toBe(200);
      expect(done.json).toMatchObject({ tokenId: expect.any(String), successUrl: second.settings.successUrl, realm: '/' });
    } finally {
      await second.stop();
    }
  });
});

describe('the journey lifecycle, from the machine, in audit and metrics', () => {
  let server: TestServer;
  const audit: Record<string, unknown>[] = [];
  beforeAll(async () => {
    server = await startTestServer({}, { audit: (line) => void audit.push(JSON.parse(line) as Record<string, unknown>) });
  });
  afterAll(() => server.stop());
  const events = (journey: string) => audit.filter((e) => e.journey === journey).map((e) => e.event);
  const metrics = async () => (await fetch(`${server.url}/metrics`)).text();

  it('audits journey.started and journey.succeeded / journey.failed, and counts starts, ends, nodes and outcomes', async () => {
    const choice = await toTheChoice(server);
    expect(events('Tour')).toEqual(['journey.started']);
    expect((await post(authenticate(server), answer(choice, [[1]]))).json).toHaveProperty('tokenId');
    expect(events('Tour')).toEqual(['journey.started', 'journey.succeeded']);
    expect(audit.find((e) => e.event === 'journey.started')).toMatchObject({ type: 'audit', journey: 'Tour', clientIp: '127.0.0.1' });

    const s1 = (await post(authenticate(server))).json as Step;
    const no = await post(authenticate(server), answer(s1, [[], [1]]));
    expect(no.json).toMatchObject({ code: 401, message: 'Login failure' });
    expect(events('Tour')).toEqual(['journey.started', 'journey.succeeded', 'journey.started', 'journey.failed']);

    const text = await metrics();
    expect(text).toContain('cairn_journeys_started_total{journey="Tour"} 2');
    expect(text).toContain('cairn_journeys_ended_total{journey="Tour",outcome="success"} 1');
    expect(text).toContain('cairn_journeys_ended_total{journey="Tour",outcome="failure"} 1');
    expect(text).toContain('cairn_journey_nodes_entered_total{journey="Tour",node_type="MessageNode"} 2');
    expect(text).toContain('cairn_journey_node_outcomes_total{journey="Tour",node_type="MessageNode",outcome="true"} 1');
    expect(text).toContain('cairn_journey_node_outcomes_total{journey="Tour",node_type="MessageNode",outcome="false"} 1');
    expect(text).toContain('cairn_journey_node_outcomes_total{journey="Tour",node_type="ChoiceCollectorNode",outcome="done"} 1');
    expect(text).toMatch(/cairn_step_duration_seconds_count\{journey="Tour",result="callbacks"\} 4\n/);
  });

  it('a refused step (a wrong callback shape) is no journey event; the step is still observed', async () => {
    const before = audit.length;
    const s1 = (await post(authenticate(server, 'SdkDemo'))).json as Step;
    const refused = await post(authenticate(server, 'SdkDemo'), { authId: s1.authId, callbacks: [] });
    expect(refused.status).toBe(400);
    expect(audit.slice(before).map((e) => e.event)).toEqual(['journey.started']);
    expect(await metrics()).toMatch(/cairn_step_duration_seconds_count\{journey="SdkDemo",result="error"\} 1\n/);
  });

  it('a browser that has a session gets it back for a new journey, and that answer is observed too', async () => {
    const choice = await toTheChoice(server);
    const done = await post(authenticate(server), answer(choice, [[1]]));
    const cookie = (done.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(cookie).toMatch(/^iPlanetDirectoryPro=/);
    const before = audit.length;
    const again = await post(authenticate(server), undefined, { Cookie: cookie });
    expect(again.json).toEqual({ tokenId: done.json.tokenId, successUrl: server.settings.successUrl, realm: '/' });
    expect(audit.slice(before)).toEqual([]); // no journey ran
    expect(await metrics()).toMatch(/cairn_step_duration_seconds_count\{journey="Tour",result="session"\} 1\n/);
  });
});
