/**
 * AM's script bindings, both engines, run in the real sandbox (worker threads, QuickJS): state,
 * callbacks built on one step and read back on the next, actions, logging, utils, environment, and
 * the Java classes legacy scripts reach.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { answer, runRequest, scriptOf, testEngine } from './support.js';

const t = testEngine({ env: { ESV_GREETING: 'hello', ESV_CONFIG: '{"level":3}' } });
afterAll(() => t.close());

async function run(source: string, engine: 'next' | 'legacy', overrides: Parameters<typeof runRequest>[1] = {}) {
  const script = scriptOf(source, engine);
  t.add(script);
  return { script, result: await t.engine.run(runRequest(script, overrides)) };
}

describe('next-generation bindings', () => {
  it('builds callbacks, then reads them back on the next step', async () => {
    const source = `
      if (callbacks.isEmpty()) {
        callbacksBuilder.nameCallback('Who are you?', 'guest');
        callbacksBuilder.passwordCallback('Secret', false);
        callbacksBuilder.choiceCallback('Colour', ['red', 'green'], 1, false);
        callbacksBuilder.confirmationCallback(0, ['Go', 'Stop'], 0);
        callbacksBuilder.hiddenValueCallback('nonce', 'n-1');
        callbacksBuilder.textOutputCallback(1, 'Careful');
        action.withHeader('Tell us').withDescription('Two questions');
      } else {
        var name = callbacks.getNameCallbacks().get(0);
        nodeState.putShared('name', name).putTransient('secret', callbacks.getPasswordCallbacks()[0]);
        nodeState.putShared('colour', callbacks.getChoiceCallbacks().get(0)[0]);
        nodeState.putShared('go', callbacks.getConfirmationCallbacks().get(0));
        nodeState.putShared('nonce', callbacks.getHiddenValueCallbacks().get('nonce'));
        action.goTo(name === 'alice' ? 'known' : 'unknown');
      }`;
    const first = await run(source, 'next');
    expect(first.result.header).toBe('Tell us');
    expect(first.result.description).toBe('Two questions');
    const cbs = first.result.callbacks!;
    expect(cbs.map((c) => c.type)).toEqual([
      'NameCallback',
      'PasswordCallback',
      'ChoiceCallback',
      'ConfirmationCallback',
      'HiddenValueCallback',
      'TextOutputCallback',
    ]);
    expect(cbs[0]).toEqual({
      type: 'NameCallback',
      output: [{ name: 'prompt', value: 'Who are you?' }],
      input: [{ name: 'IDToken1', value: 'guest' }],
    });
    expect(cbs[2]!.output).toEqual([
      { name: 'prompt', value: 'Colour' },
      { name: 'choices', value: ['red', 'green'] },
      { name: 'defaultChoice', value: 1 },
    ]);
    expect(cbs[5]!.output).toEqual([
      { name: 'message', value: 'Careful' },
      { name: 'messageType', value: '1' },
    ]);

    const returned = answer(cbs, ['alice', 's3cret', 0, 1, 'n-1-signed']);
    const second = await t.engine.run(runRequest(first.script, { callbacks: returned }));
    expect(second.outcome).toBe('known');
    expect(second.shared).toEqual({ name: 'alice', colour: 0, go: 1, nonce: 'n-1-signed' });
    expect(second.transient).toEqual({ secret: 's3cret' });
  });

  it('reads state through nodeState (transient first), merges, removes and lists keys', async () => {
    const { result } = await run(
      `var attrs = nodeState.get('objectAttributes');
       var merged = nodeState.getObject('objectAttributes');
       nodeState.putShared('seen', [attrs.get('mail'), merged.mail, merged.get('givenName'), nodeState.isDefined('missing'), nodeState.get('missing')]);
       nodeState.mergeShared({ objectAttributes: { sn: 'Jensen' }, extra: 1 });
       nodeState.remove('drop');
       nodeState.putShared('keys', nodeState.keys().size());
       action.goTo('true').withErrorMessage('not an error here');`,
      'next',
      {
        shared: { objectAttributes: { givenName: 'Barbara', mail: 'shared@example.com' }, drop: 1 },
        transient: { objectAttributes: { mail: 'transient@example.com' } },
      },
    );
    expect(result.outcome).toBe('true');
    expect(result.errorMessage).toBe('not an error here');
    expect(result.shared.seen).toEqual(['transient@example.com', 'transient@example.com', 'Barbara', false, null]);
    expect(result.shared.objectAttributes).toEqual({ givenName: 'Barbara', mail: 'shared@example.com', sn: 'Jensen' });
    expect(result.shared.extra).toBe(1);
    expect('drop' in result.shared).toBe(false);
  });

  it('refuses to read state the node did not declare as input', async () => {
    const script = scriptOf(`nodeState.get('secret'); action.goTo('true');`, 'next');
    t.add(script);
    await expect(t.engine.run(runRequest(script, { inputs: ['username'], shared: { secret: 1 } }))).rejects.toThrow(/not one of the script inputs/);
  });

  it('logs into the server log with placeholders and the request id; request data, realm, script name, env, utils', async () => {
    const { result, script } = await run(
      `logger.info('hello {} from {}', 'world', scriptName);
       logger.error('escaped \\\\{} stays');
       var env = systemEnv.getProperty('esv.greeting');
       var hidden = systemEnv.getProperty('PATH');
       var cfg = systemEnv.getObject('esv.config');
       var b64 = utils.base64.encode('user:pass');
       var digest = utils.crypto.subtle.digest('SHA-256', utils.types.stringToBytes('abc'));
       nodeState.putShared('out', {
         env: env, hidden: hidden, level: cfg.level, b64: b64, back: utils.base64.decode(b64),
         uuid: /^[0-9a-f-]{36}$/.test(utils.crypto.randomUUID()), digest: digest.length,
         agent: requestHeaders.get('User-Agent').get(0), tree: requestParameters.get('authIndexValue')[0],
         realm: realm, session: existingSession.get('Principal'), resumed: resumedFromSuspend });
       outcome = 'true';`,
      'next',
    );
    expect(result.outcome).toBe('true');
    expect(result.shared.out).toEqual({
      env: 'hello',
      hidden: null,
      level: 3,
      b64: 'dXNlcjpwYXNz',
      back: 'user:pass',
      uuid: true,
      digest: 32,
      agent: 'vitest',
      tree: 'TestJourney',
      realm: '/',
      session: 'bjensen',
      resumed: false,
    });
    const mine = t.logs.filter((l) => l.fields.scriptId === script.meta._id);
    expect(mine.map((l) => [l.level, l.message])).toEqual([
      ['info', `hello world from ${script.meta.name}`],
      ['error', 'escaped {} stays'],
    ]);
    expect(mine[0]!.fields).toMatchObject({ reqId: 'req-test-1', journey: 'TestJourney', node: 'node-1' });
  });

  it('fails naming a callback type Cairn does not have', async () => {
    const script = scriptOf(`callbacksBuilder.deviceProfileCallback(true, false, 'x');`, 'next');
    t.add(script);
    await expect(t.engine.run(runRequest(script))).rejects.toThrow(/deviceProfileCallback is not supported by Cairn/);
  });
});

describe('compilation', () => {
  it('compiles a script once per version and thread, not per step', async () => {
    const one = testEngine({ workers: 1 });
    const script = scriptOf(`nodeState.putShared('n', (nodeState.get('n') || 0) + 1); action.goTo('true');`);
    one.add(script);
    let shared: Record<string, unknown> = {};
    for (let i = 0; i < 5; i++) shared = (await one.engine.run(runRequest(script, { shared }))).shared;
    expect(shared.n).toBe(5);
    expect(one.pool.stats).toMatchObject({ executions: 5, compiled: 1 });
    await one.close();
  });
});

describe('legacy bindings', () => {
  it('sends Java callbacks with Action.send and reads them back with their getters', async () => {
    const source = `
      var fr = JavaImporter(org.forgerock.openam.auth.node.api.Action, javax.security.auth.callback.NameCallback,
        javax.security.auth.callback.PasswordCallback, javax.security.auth.callback.ChoiceCallback,
        javax.security.auth.callback.TextOutputCallback, com.sun.identity.authentication.callbacks.HiddenValueCallback);
      if (callbacks.isEmpty()) {
        action = fr.Action.send(
          new fr.TextOutputCallback(fr.TextOutputCallback.WARNING, 'Hello'),
          new fr.NameCallback('User Name'),
          new fr.PasswordCallback('Password', false),
          new fr.ChoiceCallback('Mode', ['a', 'b'], 0, false),
          new fr.HiddenValueCallback('token')
        ).withHeader('Sign in').build();
      } else {
        var user = callbacks.get(1).getName();
        var password = String(new java.lang.String(callbacks.get(2).getPassword()));
        var choice = callbacks.get(3).getSelectedIndexes()[0];
        sharedState.put('username', user);
        transientState.put('password', password);
        sharedState.put('mode', ['a', 'b'][choice]);
        sharedState.put('token', callbacks.get(4).getValue());
        outcome = user.equals('bjensen') ? 'true' : 'false';
      }`;
    const first = await run(source, 'legacy');
    expect(first.result.header).toBe('Sign in');
    const cbs = first.result.callbacks!;
    expect(cbs.map((c) => c.type)).toEqual(['TextOutputCallback', 'NameCallback', 'PasswordCallback', 'ChoiceCallback', 'HiddenValueCallback']);
    expect(cbs[0]!.output[1]).toEqual({ name: 'messageType', value: '1' });
    const second = await t.engine.run(runRequest(first.script, { callbacks: answer(cbs, [undefined, 'bjensen', 'pa55word', 1, 'tok']) }));
    expect(second.outcome).toBe('true');
    expect(second.shared).toEqual({ username: 'bjensen', mode: 'b', token: 'tok' });
    expect(second.transient).toEqual({ password: 'pa55word' });
  });

  it('gives nodeState values as JsonValue, sharedState as a Java map, and Action.goTo with a built action', async () => {
    const { result } = await run(
      `var level = nodeState.get('level').asInteger() + 1;
       var mode = nodeState.get('mode');
       var missing = nodeState.get('missing');
       var JsonValue = org.forgerock.json.JsonValue;
       var built = JsonValue.json(JsonValue.object(JsonValue.field('a', 1), JsonValue.field('b', [1, 2])));
       sharedState.put('level', level);
       sharedState.put('text', mode.asString() + '|' + (missing === null) + '|' + sharedState.get('objectAttributes').get('mail') + '|' + built.get('b').get(1).asInteger());
       sharedState.put('asString', String(nodeState.get('objectAttributes')));
       action = org.forgerock.openam.auth.node.api.Action.goTo('next').withErrorMessage('why').build();`,
      'legacy',
      { shared: { level: 2, mode: 'shared only', objectAttributes: { mail: 'b@example.com' } } },
    );
    expect(result.outcome).toBe('next');
    expect(result.errorMessage).toBe('why');
    expect(result.shared.level).toBe(3);
    expect(result.shared.text).toBe('shared only|true|b@example.com|2');
    expect(result.shared.asString).toBe('{"mail":"b@example.com"}');
  });

  it('enforces declared outputs as AM does', async () => {
    const script = scriptOf(`sharedState.put('a', 1); outcome = 'true';`, 'legacy');
    t.add(script);
    await expect(t.engine.run(runRequest(script, { outputs: ['a', 'b'] }))).rejects.toThrow(/did not provide all declared outputs/);
    const ok = await t.engine.run(runRequest(script, { outputs: ['a'], shared: { keep: true } }));
    expect(ok.shared).toEqual({ keep: true, a: 1 });
  });

  it('fails naming a Java class that is not shimmed, and keeps working Java helpers', async () => {
    const bad = scriptOf(
      `var fr = JavaImporter(org.forgerock.openam.auth.node.api.Action, com.example.Unknown); var x = new fr.Unknown(); outcome = 'true';`,
      'legacy',
    );
    t.add(bad);
    await expect(t.engine.run(runRequest(bad))).rejects.toThrow(/Java class com\.example\.Unknown is not available in Cairn/);
    const { result } = await run(
      `var uuid = java.util.UUID.randomUUID().toString();
       var encoded = java.util.Base64.getEncoder().encodeToString('a:b');
       var n = java.lang.Integer.parseInt('42');
       var list = new java.util.ArrayList(); list.add('x');
       sharedState.put('java', [uuid.length, encoded, n, list.size(), String(list)]);
       outcome = 'true';`,
      'legacy',
    );
    expect(result.shared.java).toEqual([36, 'YTpi', 42, 1, '[x]']);
  });

  it('sets a legacy script outcome from inside an IIFE, as real scripts do', async () => {
    const { result } = await run(`(function () { outcome = 'true'; sharedState.put('ok', 1); }());`, 'legacy');
    expect(result.outcome).toBe('true');
    expect(result.shared.ok).toBe(1);
  });

  it('fails a script that sets no outcome', async () => {
    const script = scriptOf(`var x = 1;`, 'legacy');
    t.add(script);
    await expect(t.engine.run(runRequest(script))).rejects.toThrow(/set no outcome and sent no callbacks/);
  });
});
