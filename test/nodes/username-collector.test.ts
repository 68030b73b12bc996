import { describe, expect, it } from 'vitest';
import { usernameCollectorNode as node } from '../../src/nodes/username-collector.js';
import { callbacksOf, clientAnswer, configFor, makeNodeContext } from '../support/node-context.js';

describe('Username Collector (UsernameCollectorNode)', () => {
  it('has no configuration', () => {
    expect([node.type, node.displayName]).toEqual(['UsernameCollectorNode', 'Username Collector']);
    expect(configFor(node, {})).toEqual({});
    expect(() => configFor(node, { prompt: 'x' })).toThrow();
  });

  it('asks with NameCallback("User Name") until a non-blank name comes back, then sets shared.username', async () => {
    const config = configFor(node);
    const shared: Record<string, unknown> = {};
    const sent = callbacksOf(await node.process(makeNodeContext({ config, shared })));
    expect(sent).toEqual([{ type: 'NameCallback', output: [{ name: 'prompt', value: 'User Name' }], input: [{ name: 'IDToken1', value: '' }] }]);
    expect(callbacksOf(await node.process(makeNodeContext({ config, shared, callbacks: clientAnswer(sent, { IDToken1: '' }) })))).toEqual(sent);
    const done = await node.process(makeNodeContext({ config, shared, callbacks: clientAnswer(sent, { IDToken1: 'bob' }) }));
    expect(done).toEqual({ kind: 'outcome', outcome: 'outcome' });
    expect(shared).toEqual({ username: 'bob' });
  });

  it('asks in the request language, as AM localises its stock prompts', async () => {
    const sent = callbacksOf(await node.process(makeNodeContext({ config: configFor(node), shared: {}, locales: ['fr-FR', 'en'] })));
    expect(sent[0]?.output).toEqual([{ name: 'prompt', value: 'Nom d’utilisateur' }]);
  });
});
