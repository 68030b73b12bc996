/**
 * The embedded store shared by several OS processes, as the one-worker-per-core deployment runs it:
 * concurrent creates of one userName (exactly one wins), a writer killed with SIGKILL (every write
 * it acknowledged is there, one at a time and in group commits), 50 takes of one suspended journey (one succeeds), 50 claims of
 * one step (one wins) and 50 increments of one counter (exactly 50) spread over processes. The children run test/stores/fixtures/
 * store-worker.mjs against src/stores compiled by tsc into a private directory for this run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/stores/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKER = fileURLToPath(new URL('./fixtures/store-worker.mjs', import.meta.url));

interface Worker {
  child: ChildProcess;
  lines: string[];
  stderr: () => string;
  /** Resolves once `done(lines)` holds; rejects if the child exits first or `ms` pass. */
  until(done: (lines: string[]) => boolean, ms?: number): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let buildDir: string;
let storeModule: string;
let dataDir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // A private build (under node_modules so the children resolve `lmdb`), independent of dist/.
  await mkdir(join(ROOT, 'node_modules/.cache'), { recursive: true });
  buildDir = await mkdtemp(join(ROOT, 'node_modules/.cache/cairn-store-test-'));
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      join(ROOT, 'src/stores/index.ts'),
      ...['--outDir', buildDir, '--rootDir', join(ROOT, 'src'), '--module', 'NodeNext', '--moduleResolution', 'NodeNext'],
      ...['--target', 'ES2022', '--skipLibCheck', '--types', 'node', '--resolveJsonModule', '--esModuleInterop'],
    ],
    { encoding: 'utf8', timeout: 110_000 },
  );
  const entry = join(buildDir, 'stores/index.js');
  // tsc emits despite type errors elsewhere; only a missing output is fatal.
  if (!existsSync(entry)) throw new Error(`compiling src/stores failed:\n${tsc.stdout}\n${tsc.stderr}`);
  storeModule = pathToFileURL(entry).href;
}, 120_000);

afterAll(async () => {
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
});

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cairn-store-mp-'));
});

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      c.kill('SIGKILL');
      await new Promise((r) => c.once('close', r));
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

function startWorker(...args: string[]): Worker {
  const child = spawn(process.execPath, [WORKER, storeModule, dataDir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  let partial = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    waiters.forEach((w) => w());
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => {
      waiters.forEach((w) => w());
      resolve({ code, signal });
    });
  });
  const until = (done: (l: string[]) => boolean, ms = 20_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`worker ${args.join(' ')}: timed out; stderr: ${err}`)), ms);
      const finish = (e?: Error): void => {
        clearTimeout(timer);
        waiters.delete(check);
        if (e) reject(e);
        else resolve();
      };
      const check = (): void => {
        if (done(lines)) finish();
        else if (child.exitCode !== null || child.signalCode !== null) {
          finish(new Error(`worker ${args.join(' ')} exited (${child.exitCode ?? child.signalCode}); stderr: ${err}`));
        }
      };
      waiters.add(check);
      check();
    });
  return { child, lines, stderr: () => err, until, exit };
}

/** Starts the workers, waits until all are READY, then releases them together. */
async function runTogether(workers: Worker[]): Promise<void> {
  await Promise.all(workers.map((w) => w.until((l) => l.includes('READY'))));
  for (const w of workers) w.child.stdin?.end('go\n');
}

const lastJson = <T>(w: Worker): T => JSON.parse(w.lines[w.lines.length - 1] ?? 'null') as T;

describe('embedded store across processes', () => {
  it('two processes creating the same userName concurrently: exactly one wins', async () => {
    for (let round = 0; round < 4; round++) {
      const a = startWorker('create-user', `Race-${round}`);
      const b = startWorker('create-user', `RACE-${round}`);
      await runTogether([a, b]);
      const exits = await Promise.all([a.exit, b.exit]);
      expect(
        exits.map((e) => e.code),
        a.stderr() + b.stderr(),
      ).toEqual([0, 0]);
      const results = [lastJson<{ ok: boolean; id?: string; code?: string }>(a), lastJson<{ ok: boolean; id?: string; code?: string }>(b)];
      const winners = results.filter((r) => r.ok);
      expect(winners).toHaveLength(1);
      expect(results.find((r) => !r.ok)?.code).toBe('store.unique_constraint');

      const store = await openStore({ dataDir, sweepIntervalMs: 0 });
      try {
        expect((await store.objects.findUnique('managed/user', 'userName', `race-${round}`))?._id).toBe(winners[0]?.id);
      } finally {
        await store.close();
      }
    }
  });

  it('a writer of sessions and counters killed with SIGKILL loses none of the writes it acknowledged', async () => {
    const w = startWorker('write-volatile', '1000000');
    await runTogether([w]);
    await w.until((l) => l.filter((x) => x.startsWith('ACK ')).length >= 200);
    w.child.kill('SIGKILL');
    expect((await w.exit).signal).toBe('SIGKILL');
    const acked = w.lines.filter((x) => x.startsWith('ACK ')).map((x) => x.slice(4).split(' ').map(Number));
    const store = await openStore({ dataDir, sweepIntervalMs: 0 });
    try {
      const missing = [];
      for (const [i] of acked) if ((await store.sessions.get(`session-${i}`)) === undefined) missing.push(i);
      expect(missing).toEqual([]);
      // The counter holds at least the last acknowledged count (one more write may have landed unacknowledged).
      expect(await store.counters.get('volatile-counter')).toBeGreaterThanOrEqual((acked.at(-1) as number[])[1] as number);
    } finally {
      await store.close();
    }
  });

  it('a writer killed with SIGKILL loses none of the writes it acknowledged', async () => {
    const w = startWorker('write-many', '1000000');
    await runTogether([w]);
    await w.until((l) => l.filter((x) => x.startsWith('ACK ')).length >= 200);
    w.child.kill('SIGKILL');
    const exit = await w.exit;
    expect(exit.signal).toBe('SIGKILL');
    expect(w.lines).not.toContain('DONE');
    const acked = w.lines.filter((x) => x.startsWith('ACK ')).map((x) => x.slice(4));
    expect(acked.length).toBeGreaterThanOrEqual(200);

    const store = await openStore({ dataDir, sweepIntervalMs: 0 });
    try {
      const missing: string[] = [];
      for (const id of acked) if ((await store.objects.read('managed/user', id)) === undefined) missing.push(id);
      expect(missing).toEqual([]);
      // The unique index was written in the same transactions: the last acknowledged name is taken.
      const last = await store.objects.read('managed/user', acked[acked.length - 1] as string);
      expect((await store.objects.findUnique('managed/user', 'userName', String(last?.userName)))?._id).toBe(last?._id);
      // And the store still works after the crash.
      await store.objects.create('managed/user', { userName: 'after-crash' });
    } finally {
      await store.close();
    }
  });

  it('group commits keep every acknowledged write through SIGKILL, and a refused write fails alone', async () => {
    const w = startWorker('write-grouped', '1000000', '32');
    await runTogether([w]);
    await w.until((l) => l.filter((x) => x.startsWith('ACK ')).length >= 500);
    w.child.kill('SIGKILL');
    expect((await w.exit).signal).toBe('SIGKILL');
    const acked = w.lines.filter((x) => x.startsWith('ACK ')).map((x) => x.split(' ') as [string, string, string]);
    const refused = w.lines.filter((x) => x.startsWith('REFUSED '));
    // Every 10th write reused a name: those (and only those) were refused, with the unique-key code.
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r).toMatch(/^REFUSED \d*9 store\.unique_constraint$/);
    expect(acked.every(([, , i]) => Number(i) % 10 !== 9)).toBe(true);

    const store = await openStore({ dataDir, sweepIntervalMs: 0 });
    try {
      const missing: string[] = [];
      for (const [, id, i] of acked) {
        const o = await store.objects.read('managed/user', id);
        if (o?.seq !== Number(i)) missing.push(id);
      }
      expect(missing).toEqual([]);
      // No refused write left anything behind: each reused name belongs to the write that first had it.
      for (const r of refused) {
        const i = Number(r.split(' ')[1]);
        const owner = await store.objects.findUnique('managed/user', 'userName', `grouped-${i - 9}`);
        if (owner) expect(owner.seq).toBe(i - 9);
      }
    } finally {
      await store.close();
    }
  });

  it('50 concurrent takes of one suspended journey from two processes: exactly one gets it', async () => {
    const store = await openStore({ dataDir, sweepIntervalMs: 0 });
    try {
      await store.suspended.put('hash-1', { journeyId: 'ResetPassword' }, Date.now() + 3_600_000);
    } finally {
      await store.close();
    }
    const workers = [startWorker('take', 'hash-1', '25'), startWorker('take', 'hash-1', '25')];
    await runTogether(workers);
    await Promise.all(workers.map((w) => w.exit));
    const taken = workers.map((w) => lastJson<{ taken: number }>(w).taken);
    expect(taken.reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('50 concurrent claims of one step from two processes: exactly one wins', async () => {
    const at = String(Date.now() + 3_600_000);
    const workers = [startWorker('claim', 'step:jti-1', '25', at), startWorker('claim', 'step:jti-1', '25', at)];
    await runTogether(workers);
    await Promise.all(workers.map((w) => w.exit));
    expect(workers.map((w) => lastJson<{ won: number }>(w).won).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it('50 concurrent increments from three processes: exactly 50, each count returned once', async () => {
    const workers = [startWorker('increment', 'rate:ip', '17'), startWorker('increment', 'rate:ip', '17'), startWorker('increment', 'rate:ip', '16')];
    await runTogether(workers);
    await Promise.all(workers.map((w) => w.exit));
    const counts = workers.flatMap((w) => lastJson<{ counts: number[] }>(w).counts).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const store = await openStore({ dataDir, sweepIntervalMs: 0 });
    try {
      expect(await store.counters.get('rate:ip')).toBe(50);
    } finally {
      await store.close();
    }
  });
});
