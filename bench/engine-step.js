/**
 * `node bench/engine-step.js [--previous <checkout with a built dist/>]`: the journey engine alone, in
 * process, without HTTP or crypto. Measures (1) one XState transition of a compiled journey through the
 * runner's observed actor scope (ObservedMachine) against xstate's plain `transition()`, on the same
 * snapshot and event, with and without an inspector listening; (2) one whole runner step of
 * bench/journeys/BenchProfile.json (the page answered "again": page → Success URL → page), snapshot
 * JSON round trip included, as the adapter does; with `--previous`, the same step on another build
 * (e.g. the engine before XState interpreted the journeys), whose runner takes the same calls;
 * (3) the other work of a step outside HTTP, each part alone on a quiet process: the authId read
 * (HS256 verify, A256GCM open) and issued (seal, sign) around that step's snapshot, the step's
 * single-use claim on a fresh embedded store, the JSON of the request body and of the answer. Their
 * sum is what a step costs beyond an HTTP round trip before anything shares the cores or caches
 * (`npm run bench`'s echo is that round trip's cost under load).
 * Prints CPU microseconds per operation (the least and the median of the rounds).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median } from './lib/http-client.js';

const REPO = dirname(dirname(fileURLToPath(import.meta.url)));
const JOURNEY = join(REPO, 'bench', 'journeys', 'BenchProfile.json');
const ROUNDS = 15;

/**
 * CPU microseconds per call of each of `fns` (sync or async): rounds of `n` calls, the functions taking
 * turns so that whatever else the machine does weighs on all alike; the least and the median round.
 * CPU time of the process rather than wall time: steadier when other work shares the machine.
 */
async function time(n, fns) {
  const rounds = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, fn] of Object.entries(fns)) {
      const before = process.cpuUsage();
      for (let i = 0; i < n; i++) {
        const p = fn();
        if (p && typeof p.then === 'function') await p;
      }
      const used = process.cpuUsage(before);
      rounds[name].push((used.user + used.system) / n);
    }
  }
  return Object.fromEntries(Object.entries(rounds).map(([k, v]) => [k, { min: Math.min(...v), median: median(v) }]));
}

const load = (root, path) => import(pathToFileURL(join(root, 'dist', path)).href);

async function engineOf(root) {
  const [{ buildCatalog }, runnerModule, { createNodeRegistry }, { loadManagedSchema }, { createPolicyService, loadCommonPasswords }] =
    await Promise.all([
      load(root, 'journeys/catalog.js'),
      load(root, 'journeys/runner.js'),
      load(root, 'nodes/index.js'),
      load(root, 'identity/schema.js'),
      load(root, 'identity/policy.js'),
    ]);
  const registry = createNodeRegistry();
  const { catalog, problems } = buildCatalog([{ file: JOURNEY, text: readFileSync(JOURNEY, 'utf8') }], registry);
  if (problems.some((p) => p.severity === 'error')) throw new Error(`BenchProfile does not validate in ${root}`);
  const schema = await loadManagedSchema();
  const policy = createPolicyService({ schema, commonPasswords: await loadCommonPasswords() });
  const unused = new Proxy(
    {},
    {
      get: (_t, p) => {
        throw new Error(`the bench journey used ${String(p)}`);
      },
    },
  );
  const services = {
    now: Date.now,
    schema,
    policy,
    identity: unused,
    counters: unused,
    mail: unused,
    audit: unused,
    mailLimits: { perAccount: 5, perClient: 20, windowMs: 900_000 },
  };
  // The runner before XState interpreted the journeys took a catalog getter and the registry.
  const xstateRunner = runnerModule.SNAPSHOT_VERSION >= 2;
  const runner = new runnerModule.JourneyRunner(xstateRunner ? { catalog, services } : { catalog: () => catalog, registry, services });
  return { runner, runnerModule, catalog, xstateRunner };
}

const input = { locales: ['en'], request: { headers: {}, query: {} } };
const again = (callbacks) =>
  callbacks.map((cb) => ({
    ...cb,
    input: cb.input.map((f) => ({ name: f.name, value: f.name === 'IDToken1' ? 'Barbara' : f.name === 'IDToken2' ? 0 : f.value })),
  }));

/** One "again" step of BenchProfile: the client's answer in, the next page out, through JSON as on the wire. */
async function stepper({ runner }) {
  let step = await runner.start('BenchProfile', input);
  return async () => {
    step = await runner.next(JSON.parse(JSON.stringify(step.snapshot)), again(step.callbacks), input, true);
    if (step.type !== 'callbacks') throw new Error(`BenchProfile ended: ${step.type}`);
  };
}

async function transitionFns({ runnerModule, catalog }) {
  const { transition } = await import(pathToFileURL(join(REPO, 'node_modules', 'xstate', 'dist', 'xstate.cjs.mjs')).href);
  const journey = catalog.get('BenchProfile');
  const context = { shared: {}, transient: {}, local: {}, startedAt: 0 };
  const snapshot = journey.machine.resolveState({ value: 'profile', context });
  const event = { type: 'outcome:again', context };
  const observed = new runnerModule.ObservedMachine(journey);
  const sink = { who: { journey: 'BenchProfile' }, deliver: () => {} };
  const check = ([next, actions]) => {
    if (next.value !== 'loop' || actions.length !== 1) throw new Error('unexpected transition');
  };
  check(transition(journey.machine, snapshot, event));
  check(observed.transition(snapshot, event));
  return {
    plain: () => transition(journey.machine, snapshot, event),
    observed: () => observed.transition(snapshot, event),
    observedWithLifecycle: () => observed.transition(snapshot, event, sink),
  };
}

const args = process.argv.slice(2);
const previousAt = args.indexOf('--previous');
const previous = previousAt >= 0 ? resolve(args[previousAt + 1] ?? '') : undefined;
const us = ({ min, median: m }) => `${min.toFixed(1)} µs (median ${m.toFixed(1)})`;

/** The parts of a step besides the engine (see the header), on the state `stepper` left, from this build. */
async function partFns(root, { runner }) {
  const [{ openKeystore }, { createAuthIdCodec }, { openStore }] = await Promise.all([
    load(root, 'keys/keystore.js'),
    load(root, 'am/authid.js'),
    load(root, 'stores/index.js'),
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'cairn-engine-step-'));
  const codec = createAuthIdCodec({ keystore: await openKeystore({ dir: join(dir, 'keys') }) });
  const store = await openStore({ dataDir: join(dir, 'data'), sweepIntervalMs: 0 });
  const step = await runner.start('BenchProfile', input);
  const claims = { authIndexType: 'service', authIndexValue: 'BenchProfile', realm: '/' };
  const authId = await codec.issue(claims, step.snapshot);
  const body = JSON.stringify({ authId, callbacks: again(step.callbacks) });
  const answer = { authId, callbacks: step.callbacks, header: step.header, description: step.description, stage: step.stage };
  let n = 0;
  const expiresAt = Date.now() + 3_600_000;
  return {
    fns: {
      read: () => codec.read(authId),
      issue: () => codec.issue(claims, step.snapshot),
      claim: () => store.claims.claim(`step:bench-${n++}`, expiresAt),
      json: () => JSON.stringify({ ...answer, body: JSON.parse(body) }),
    },
    sizes: { authId: authId.length, body: body.length },
    async close() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const current = await engineOf(REPO);
const t = await time(3000, await transitionFns(current));
const steps = await time(500, { current: await stepper(current), ...(previous ? { previous: await stepper(await engineOf(previous)) } : {}) });
const lines = [
  `One transition of BenchProfile's machine (page → Success URL, its runNode returned), CPU per call, least of ${ROUNDS} rounds:`,
  `  xstate transition():                         ${us(t.plain)}`,
  `  observed actor scope, lifecycle not asked:   ${us(t.observed)}  ${(t.observed.min / t.plain.min).toFixed(2)}× transition()`,
  `  observed actor scope, lifecycle read:        ${us(t.observedWithLifecycle)}  ${(t.observedWithLifecycle.min / t.plain.min).toFixed(2)}× transition()`,
  `One runner step ("again": page → Success URL → page, snapshot through JSON):`,
  `  this build:                                  ${us(steps.current)}`,
];
if (steps.previous)
  lines.push(
    `  ${previous}:${' '.repeat(Math.max(1, 43 - previous.length))}${us(steps.previous)}  (this build ${(steps.current.min / steps.previous.min).toFixed(2)}×)`,
  );
const parts = await partFns(REPO, current);
const p = await time(2000, parts.fns);
await parts.close();
const sum = steps.current.min + p.read.min + p.issue.min + p.claim.min + p.json.min;
lines.push(
  `The rest of a step outside HTTP, each part alone (authId ${parts.sizes.authId} B, request body ${parts.sizes.body} B):`,
  `  authId read (verify, open):                  ${us(p.read)}`,
  `  authId issue (seal, sign):                   ${us(p.issue)}`,
  `  single-use claim (embedded store):           ${us(p.claim)}`,
  `  JSON of the request body and the answer:     ${us(p.json)}`,
  `  with the runner step, at least:              ${sum.toFixed(1)} µs of CPU a step beyond its HTTP round trip`,
);
process.stdout.write(lines.join('\n') + '\n');
