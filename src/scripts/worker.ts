/**
 * A sandbox worker thread: keeps one compiled realm per script version (compiled on first use, never
 * per step) and runs one execution at a time. Bindings that need the server (users, HTTP) block the
 * script on a shared flag while the main thread answers over a dedicated port; random bytes and
 * digests are answered here. A runaway script is stopped by its CPU budget in QuickJS, and, should
 * that ever fail, the pool terminates the whole worker.
 */
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { QuickJSWASMModule } from 'quickjs-emscripten-core';
import { createRealmSync, quickjs, ScriptFailure, type Realm } from './realm.js';
import type { ScriptEngineKind } from './model.js';

export interface WorkerData {
  port: MessagePort;
  flag: SharedArrayBuffer;
  memoryBytes: number;
  maxRealms: number;
}

export interface RunRequest {
  exec: number;
  key: string;
  source: string;
  engine: ScriptEngineKind;
  filename: string;
  input: string;
  cpuMs: number;
  outputBytes: number;
  /** Milliseconds from now after which a host call is abandoned. */
  wallMs: number;
}

/** Scripts to compile ahead of their first step, one at a time between executions. */
export interface WarmRequest {
  warm: Pick<RunRequest, 'key' | 'source' | 'engine' | 'filename'>[];
}

export type RunReply = { exec: number; ok: true; output: string; compiledNow: boolean } | { exec: number; ok: false; kind: string; message: string };

export interface HostRequest {
  exec: number;
  call: number;
  op: string;
  args: string;
}
export type HostReply = { call: number; ok: true; value: string | null } | { call: number; ok: false; message: string };

const DIGESTS: Record<string, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512', MD5: 'md5' };

function digestName(name: unknown): string {
  const n = DIGESTS[String(name).toUpperCase()];
  if (!n) throw new Error(`Unsupported digest algorithm ${String(name)} (SHA-1, SHA-256, SHA-384, SHA-512).`);
  return n;
}

/** Host operations answered inside the worker. */
function localOp(op: string, args: unknown): string | null | undefined {
  const a = (args ?? {}) as Record<string, unknown>;
  switch (op) {
    case 'randomUUID':
      return JSON.stringify(randomUUID());
    case 'random': {
      const count = Math.min(65536, Math.max(0, Math.floor(Number(a.count) || 0)));
      return JSON.stringify([...randomBytes(count)]);
    }
    case 'digest':
      return JSON.stringify([
        ...createHash(digestName(a.algorithm))
          .update(Buffer.from(a.data as number[]))
          .digest(),
      ]);
    case 'hmac':
      return JSON.stringify([
        ...createHmac(digestName(a.hash ?? 'SHA-256'), Buffer.from(a.key as number[]))
          .update(Buffer.from(a.data as number[]))
          .digest(),
      ]);
    default:
      return undefined;
  }
}

async function main(): Promise<void> {
  const data = workerData as WorkerData;
  // Every realm of this thread shares the cap: a few scripts' budgets, plus their compiled realms.
  const module: QuickJSWASMModule = await quickjs(256 * 1024 * 1024 + 2 * data.memoryBytes);
  const flag = new Int32Array(data.flag);
  const realms = new Map<string, Realm>();
  let nextCall = 1;

  const remote = (exec: number, op: string, args: string, deadline: number): string | null => {
    const call = nextCall++;
    Atomics.store(flag, 0, 0);
    data.port.postMessage({ exec, call, op, args } satisfies HostRequest);
    for (;;) {
      const got = receiveMessageOnPort(data.port);
      if (got) {
        const reply = got.message as HostReply;
        if (reply.call !== call) continue; // a late answer to a call that already timed out
        if (!reply.ok) throw new Error(reply.message);
        return reply.value;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`The call to ${op} took too long.`);
      Atomics.wait(flag, 0, 0, remaining);
      Atomics.store(flag, 0, 0);
    }
  };

  const realmFor = (req: RunRequest): { realm: Realm; compiledNow: boolean } => {
    const known = realms.get(req.key);
    if (known && !known.spoiled) {
      realms.delete(req.key); // re-insert: most recently used last
      realms.set(req.key, known);
      return { realm: known, compiledNow: false };
    }
    known?.dispose();
    realms.delete(req.key);
    const realm = createRealmSync(module, { source: req.source, engine: req.engine, filename: req.filename, memoryBytes: data.memoryBytes });
    realms.set(req.key, realm);
    if (realms.size > data.maxRealms) {
      const [oldest] = realms.keys();
      if (oldest !== undefined) {
        realms.get(oldest)?.dispose();
        realms.delete(oldest);
      }
    }
    return { realm, compiledNow: true };
  };

  const warmQueue: WarmRequest['warm'] = [];
  const warmNext = (): void => {
    const item = warmQueue.shift();
    if (!item) return;
    if (!realms.has(item.key)) {
      try {
        realmFor({ ...item, exec: 0, input: '', cpuMs: 0, outputBytes: 0, wallMs: 0 });
      } catch {
        /* a script that does not compile is reported by validation, and again when it runs */
      }
    }
    setImmediate(warmNext); // executions that arrived meanwhile go first
  };

  parentPort?.on('message', (msg: RunRequest | WarmRequest) => {
    if ('warm' in msg) {
      const idle = warmQueue.length === 0;
      warmQueue.push(...msg.warm);
      if (idle) setImmediate(warmNext);
      return;
    }
    const req = msg;
    let reply: RunReply;
    try {
      const { realm, compiledNow } = realmFor(req);
      const deadline = Date.now() + req.wallMs;
      const output = realm.run(req.input, {
        cpuMs: req.cpuMs,
        outputBytes: req.outputBytes,
        host: (op, args) => {
          const local = localOp(op, JSON.parse(args));
          return local !== undefined ? local : remote(req.exec, op, args, deadline);
        },
      });
      reply = { exec: req.exec, ok: true, output, compiledNow };
    } catch (e) {
      reply =
        e instanceof ScriptFailure
          ? { exec: req.exec, ok: false, kind: e.kind, message: e.message }
          : { exec: req.exec, ok: false, kind: 'script', message: (e as Error)?.message ?? String(e) };
    }
    parentPort?.postMessage(reply);
  });
  parentPort?.postMessage({ ready: true });
}

void main();
