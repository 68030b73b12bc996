import { describe, expect, it } from 'vitest';
import { passwordCollectorNode as node } from '../../src/nodes/password-collector.js';
import { callbacksOf, clientAnswer, configFor, makeNodeContext } from '../support/node-context.js';

describe('Password Collector (PasswordCollectorNode)', () => {
  it('has no configuration', () => {
    expect([node.type, node.displayName]).toEqual(['PasswordCollectorNode', 'Password Collector']);
    expect(configFor(node, {})).toEqual({});
  });

  it('asks with PasswordCallback("Password") until non-blank, then sets transient.password only', async () => {
    const config = configFor(node);
    const shared: Record<string, unknown> = {};
    const transient: Record<string, unknown> = {};
    const sent = callbacksOf(await node.process(makeNodeContext({ config, shared, transient })));
    expect(sent).toEqual([{ type: 'PasswordCallback', output: [{ name: 'prompt', value: 'Password' }], input: [{ name: 'IDToken1', value: '' }] }]);
    expect(callbacksOf(await node.process(makeNodeContext({ config, transient, callbacks: clientAnswer(sent, { IDToken1: '' }) })))).toEqual(sent);
    const done = await node.process(makeNodeContext({ config, shared, transient, callbacks: clientAnswer(sent, { IDToken1: 'pa55word' }) }));
    expect(done).toEqual({ kind: 'outcome', outcome: 'outcome' });
    expect(transient).toEqual({ password: 'pa55word' });
    expect(shared).toEqual({});
  });
});
