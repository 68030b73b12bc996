/**
 * The pool of sandbox worker threads. Scripts never run on the server's event loop: a script that
 * spins until its CPU budget runs out delays only its own journey. Each worker runs one execution at
 * a time; executions wait in a bounded queue. The pool answers the workers' host calls (users, HTTP)
 * and, as a last resort, terminates a worker that does not come back in time and starts a new one.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { ScriptEngineKind } from './model.js';
import { ScriptFailure } from './realm.js';
import type { HostReply, HostRequest, RunReply, RunRequest, WarmRequest, WorkerData } from './worker.js';

export interface PoolOptions {
  workers: number;
  memoryBytes: number;
  /** Realms kept compiled per worker (least recently used beyond this are dropped). */
  maxRealms?: number;
  /** Executions waiting for a worker beyond this are refused at once. */
  maxQueue?: number;
  log?: (line: string) => void;
}

export interface PoolExecution {
  key: string;
  source: string;
  engine: ScriptEngineKind;
  filename: string;
  input: string;
  cpuMs: number;
  outputBytes: number;
  /** Wall-clock budget for the whole execution, host calls included. */
  wallMs: number;
  /** Answers a binding call that needs the server; resolves JSON text or rejects with a message for the script. */
  onHost(op: string, args: unknown): Promise<string | null>;
}

interface Slot {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
  ready: Promise<void>;
  /** The execution the worker is running; cleared (undefined) when it answers or dies. */
  busy?:
    | {
        id: number;
        exec: PoolExecution;
        resolve: (r: { output: string; compiledNow: boolean }) => void;
        reject: (e: Error) => void;
        timer: NodeJS.Timeout;
      }
    | undefined;
  dead: boolean;
}

/** Grace beyond an execution's own budgets before its worker is terminated. */
const BACKSTOP_GRACE_MS = 2_000;

function workerUrl(): URL {
  const here = new URL(import.meta.url);
  if (!here.pathname.endsWith('.ts')) return new URL('./worker.js', here);
  // Running from the TypeScript sources (tests): the worker thread needs the compiled file.
  const built = new URL('../../dist/scripts/worker.js', here);
  if (!existsSync(fileURLToPath(built))) throw new Error('The script sandbox worker runs from dist/: run `npm run build` first.');
  return built;
}

export class SandboxPool {
  private readonly slots: Slot[] = [];
  private readonly queue: { exec: PoolExecution; resolve: (r: { output: string; compiledNow: boolean }) => void; reject: (e: Error) => void }[] = [];
  private nextId = 1;
  private closed = false;
  readonly stats = { executions: 0, compiled: 0, terminated: 0, refused: 0 };

  constructor(private readonly options: PoolOptions) {}

  run(exec: PoolExecution): Promise<{ output: string; compiledNow: boolean }> {
    if (this.closed) return Promise.reject(new ScriptFailure('script', 'The script sandbox is shut down.'));
    return new Promise((resolve, reject) => {
      const free = this.freeSlot();
      if (free) return this.dispatch(free, { exec, resolve, reject });
      if (this.queue.length >= (this.options.maxQueue ?? 1000)) {
        this.stats.refused++;
        return reject(new ScriptFailure('script', 'Too many scripts are waiting for the sandbox.'));
      }
      this.queue.push({ exec, resolve, reject });
    });
  }

  /** Starts every worker and has each compile these scripts in its idle time, before their first step. */
  warm(scripts: WarmRequest['warm']): void {
    if (this.closed || scripts.length === 0) return;
    while (this.slots.filter((s) => !s.dead).length < this.options.workers) this.spawn();
    for (const slot of this.slots) void slot.ready.then(() => slot.worker.postMessage({ warm: scripts } satisfies WarmRequest));
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.reject(new ScriptFailure('script', 'The script sandbox is shut down.'));
    await Promise.all(this.slots.map((s) => s.worker.terminate().catch(() => 0)));
    this.slots.length = 0;
  }

  private freeSlot(): Slot | undefined {
    const idle = this.slots.find((s) => !s.busy && !s.dead);
    if (idle) return idle;
    if (this.slots.filter((s) => !s.dead).length < this.options.workers) return this.spawn();
    return undefined;
  }

  private spawn(): Slot {
    const channel = new MessageChannel();
    const flag = new SharedArrayBuffer(4);
    const data: WorkerData = { port: channel.port2, flag, memoryBytes: this.options.memoryBytes, maxRealms: this.options.maxRealms ?? 256 };
    const worker = new Worker(workerUrl(), { workerData: data, transferList: [channel.port2], resourceLimits: { maxOldGenerationSizeMb: 256 } });
    worker.unref();
    let markReady: () => void = () => {};
    const slot: Slot = { worker, port: channel.port1, flag: new Int32Array(flag), ready: new Promise((r) => (markReady = r)), dead: false };
    channel.port1.unref();
    channel.port1.on('message', (req: HostRequest) => this.answerHost(slot, req));
    worker.on('message', (m: RunReply | { ready: true }) => {
      if ('ready' in m) return markReady();
      this.finish(slot, m);
    });
    const down = (why: string): void => {
      if (slot.dead) return;
      slot.dead = true;
      const busy = slot.busy;
      slot.busy = undefined;
      if (busy) {
        clearTimeout(busy.timer);
        busy.reject(new ScriptFailure('cpu', why));
      }
      this.slots.splice(this.slots.indexOf(slot), 1);
      this.drain();
    };
    worker.on('error', (e) => {
      this.options.log?.(`script sandbox worker failed: ${e.message}`);
      down('The script sandbox worker failed.');
    });
    worker.on('exit', () => down('The script sandbox worker stopped.'));
    this.slots.push(slot);
    return slot;
  }

  private dispatch(
    slot: Slot,
    job: { exec: PoolExecution; resolve: (r: { output: string; compiledNow: boolean }) => void; reject: (e: Error) => void },
  ): void {
    const id = this.nextId++;
    const { exec } = job;
    const timer = setTimeout(
      () => {
        // The worker did not come back: stop it, whatever it is doing.
        this.stats.terminated++;
        this.options.log?.(`script sandbox: terminating a worker that ran ${exec.filename} past its budget`);
        const busy = slot.busy;
        slot.busy = undefined;
        busy?.reject(new ScriptFailure('cpu', `The script did not stop within ${exec.wallMs + BACKSTOP_GRACE_MS} ms and its worker was terminated.`));
        slot.dead = true;
        this.slots.splice(this.slots.indexOf(slot), 1);
        void slot.worker.terminate();
        this.drain();
      },
      exec.cpuMs + exec.wallMs + BACKSTOP_GRACE_MS,
    );
    timer.unref();
    slot.busy = { id, exec, resolve: job.resolve, reject: job.reject, timer };
    this.stats.executions++;
    const req: RunRequest = {
      exec: id,
      key: exec.key,
      source: exec.source,
      engine: exec.engine,
      filename: exec.filename,
      input: exec.input,
      cpuMs: exec.cpuMs,
      outputBytes: exec.outputBytes,
      wallMs: exec.wallMs,
    };
    void slot.ready.then(() => {
      if (slot.busy?.id === id) slot.worker.postMessage(req);
    });
  }

  private finish(slot: Slot, reply: RunReply): void {
    const busy = slot.busy;
    if (!busy || busy.id !== reply.exec) return;
    clearTimeout(busy.timer);
    slot.busy = undefined;
    if (reply.ok) {
      if (reply.compiledNow) this.stats.compiled++;
      busy.resolve({ output: reply.output, compiledNow: reply.compiledNow });
    } else {
      busy.reject(new ScriptFailure(reply.kind as ScriptFailure['kind'], reply.message));
    }
    this.drain();
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const slot = this.freeSlot();
      if (!slot) return;
      this.dispatch(slot, this.queue.shift()!);
    }
  }

  private answerHost(slot: Slot, req: HostRequest): void {
    const busy = slot.busy;
    const reply = (r: HostReply): void => {
      slot.port.postMessage(r);
      Atomics.store(slot.flag, 0, 1);
      Atomics.notify(slot.flag, 0);
    };
    if (!busy || busy.id !== req.exec) return reply({ call: req.call, ok: false, message: 'The execution is over.' });
    let args: unknown;
    try {
      args = JSON.parse(req.args);
    } catch {
      return reply({ call: req.call, ok: false, message: 'Malformed binding call.' });
    }
    busy.exec.onHost(req.op, args).then(
      (value) => reply({ call: req.call, ok: true, value }),
      (e: unknown) => reply({ call: req.call, ok: false, message: e instanceof Error ? e.message : String(e) }),
    );
  }
}
