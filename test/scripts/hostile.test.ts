/**
 * Hostile scripts in the real sandbox: each fails its own execution within its limits, is logged and
 * audited, reaches nothing of the host, leaves nothing behind for the next execution, and does not
 * stop other scripts from answering meanwhile.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ScriptFailure } from '../../src/scripts/realm.js';
import { runRequest, scriptOf, testEngine } from './support.js';

// The run-time budget is generous for the well-behaved scripts on a busy machine; the hostile ones never end.
const t = testEngine({ workers: 2, limits: { cpuMs: 1500, outputBytes: 32 * 1024 } });
afterAll(() => t.close());

async function failure(source: string, engine: 'next' | 'legacy' = 'next'): Promise<ScriptFailure> {
  const script = scriptOf(source, engine);
  t.add(script);
  try {
    await t.engine.run(runRequest(script));
  } catch (e) {
    expect(e).toBeInstanceOf(ScriptFailure);
    return e as ScriptFailure;
  }
  throw new Error('the script did not fail');
}

const ok = scriptOf(`nodeState.putShared('n', (nodeState.get('n') || 0) + 1); action.goTo('true');`);
t.add(ok);

describe('hostile scripts', () => {
  it('an infinite loop is stopped by its CPU budget, even one that swallows errors', async () => {
    const loop = scriptOf(`while (true) {}`);
    t.add(loop);
    await expect(t.engine.run(runRequest(loop))).rejects.toMatchObject({ kind: 'cpu' });
    expect(t.audits).toContainEqual({ event: 'script.failed', fields: expect.objectContaining({ scriptId: loop.meta._id, reason: 'cpu' }) });
    // The interrupt cannot be caught.
    expect((await failure(`for (;;) { try { while (true) {} } catch (e) {} }`)).kind).toBe('cpu');
  });

  it('while a script spins, the other sandbox thread keeps answering', async () => {
    // A budget the loop cannot exhaust during this test: it is still spinning when the others answer.
    const slow = testEngine({ workers: 2, limits: { cpuMs: 600_000, wallMs: 600_000 } });
    const loop = scriptOf(`while (true) {}`);
    slow.add(loop);
    slow.add(ok);
    let settled = false;
    const looping = slow.engine.run(runRequest(loop)).finally(() => (settled = true));
    looping.catch(() => undefined);
    for (let i = 0; i < 3; i++) {
      const r = await slow.engine.run(runRequest(ok, { shared: { n: i } }));
      expect(r.shared.n).toBe(i + 1);
    }
    expect(settled).toBe(false);
    // Shutting the sandbox down stops the spinning thread too.
    await slow.close();
    await expect(looping).rejects.toMatchObject({ kind: 'cpu' });
  });

  it('a memory bomb hits its memory budget; the same script runs again afterwards', async () => {
    // ArrayBuffer contents are outside QuickJS's own accounting: the thread's memory cap stops them.
    const bomb = scriptOf(`var a = []; if (!nodeState.get('small')) { while (true) a.push(new ArrayBuffer(8 * 1024 * 1024)); } action.goTo('true');`);
    t.add(bomb);
    await expect(t.engine.run(runRequest(bomb))).rejects.toMatchObject({ kind: 'memory' });
    const again = await t.engine.run(runRequest(bomb, { shared: { small: true } }));
    expect(again.outcome).toBe('true');
    // Ordinary objects count against the script's own budget; whichever limit comes first ends it.
    expect(['memory', 'cpu']).toContain((await failure(`var a = []; while (true) a.push({ n: a.length, s: 'abc' + a.length });`)).kind);
    expect((await failure(`function f() { return f() + 1; } f();`)).kind).toBe('memory');
    expect((await failure(`var s = 'x'; while (true) s = s + s;`)).message).toMatch(/string too long|out of memory/);
  });

  it('nothing of the host is reachable: no process, require, timers, fetch or file system', async () => {
    const probe = scriptOf(`
      var found = {};
      try { found.process = typeof this.constructor.constructor('return process')(); } catch (e) { found.process = e.name; }
      try { found.viaFunction = typeof Function('return this')().process; } catch (e) { found.viaFunction = e.name; }
      try { require('child_process'); found.require = 'loaded'; } catch (e) { found.require = e.message; } found.setTimeout = typeof setTimeout; found.fetch = typeof fetch;
      found.module = typeof module; found.Buffer = typeof Buffer; found.std = typeof std; found.os = typeof os;
      found.host = typeof host; found.globalKeys = Object.getOwnPropertyNames(globalThis).filter(function (k) { return /process|require|host|^std$|^os$|Deno|Bun|fetch/i.test(k); });
      nodeState.putShared('found', found);
      action.goTo('true');`);
    t.add(probe);
    const r = await t.engine.run(runRequest(probe));
    expect(r.shared.found).toEqual({
      process: 'ReferenceError',
      viaFunction: 'undefined',
      require: 'require("child_process"): library scripts are not supported by Cairn yet.',
      setTimeout: 'undefined',
      fetch: 'undefined',
      module: 'undefined',
      Buffer: 'undefined',
      std: 'undefined',
      os: 'undefined',
      host: 'undefined',
      globalKeys: [],
    });
  });

  it('prototype pollution of the bindings and intrinsics does not outlive its execution', async () => {
    const polluter = scriptOf(`
      Object.prototype.polluted = 'yes';
      Array.prototype.push = function () { return 'hijacked'; };
      JSON.parse = function () { return { hijacked: true }; };
      nodeState.__proto__.get = function () { return 'hijacked'; };
      Object.getPrototypeOf(callbacksBuilder).nameCallback = function () {};
      leaked = 'from the polluter';
      globalThis.leakedToo = 'x';
      try { Object.prototype.toString = function () { return 'hijacked'; }; } catch (e) { nodeState.putShared('refused', e.name); }
      var o = {}; o.toString = function () { return 'own'; };
      nodeState.putShared('own', String(o));
      action.goTo('true');`);
    const checker = scriptOf(`
      var a = []; a.push(1);
      nodeState.putShared('clean', {
        polluted: ({}).polluted, push: a.length, parse: JSON.parse('{"a":1}').a, get: nodeState.get('marker'),
        leaked: typeof leaked, leakedToo: typeof globalThis.leakedToo, toString: Object.prototype.toString.call([]) });
      action.goTo('true');`);
    t.add(polluter);
    t.add(checker);
    const polluted = await t.engine.run(runRequest(polluter));
    expect(polluted.shared).toEqual({ refused: 'TypeError', own: 'own' });
    // Run the checker on both workers, so it lands where the polluter ran.
    for (let i = 0; i < 4; i++) {
      const r = await t.engine.run(runRequest(checker, { shared: { marker: 'm' } }));
      expect(r.shared.clean).toEqual({
        polluted: undefined,
        push: 1,
        parse: 1,
        get: 'm',
        leaked: 'undefined',
        leakedToo: 'undefined',
        toString: '[object Array]',
      });
    }
    const again = await t.engine.run(runRequest(polluter));
    expect(again.shared.own).toBe('own');
  });

  it('huge log output fails the script at its output budget, even when it swallows the error', async () => {
    expect((await failure(`while (true) logger.error('x'.repeat(1000));`)).kind).toBe('output');
    expect((await failure(`for (var i = 0; i < 100000; i++) { try { logger.info('spam ' + i); } catch (e) {} } action.goTo('true');`)).kind).toBe(
      'output',
    );
    expect((await failure(`nodeState.putShared('big', 'x'.repeat(100000)); action.goTo('true');`)).kind).toBe('output');
    const logged = t.logs.filter((l) => l.message.startsWith('x')).reduce((n, l) => n + l.message.length, 0);
    expect(logged).toBe(0); // a failed execution's log lines are not written
  });

  it('a binding call that never answers ends at the wall-clock limit', async () => {
    const slow = testEngine({ workers: 1, limits: { cpuMs: 100, wallMs: 300 }, host: () => new Promise<string>(() => {}) });
    const script = scriptOf(`openidm.read('managed/user/x'); action.goTo('true');`);
    slow.add(script);
    await expect(slow.engine.run(runRequest(script))).rejects.toThrow(/took too long/);
    // The worker is still usable afterwards.
    slow.add(ok);
    expect((await slow.engine.run(runRequest(ok))).outcome).toBe('true');
    await slow.close();
  });
});
