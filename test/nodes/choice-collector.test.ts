import { describe, expect, it } from 'vitest';
import { outcomesOf } from '../../src/nodes/types.js';
import { choiceCollectorNode as node } from '../../src/nodes/choice-collector.js';
import { callbacksOf, clientAnswer, configFor, makeNodeContext } from '../support/node-context.js';

describe('Choice Collector (ChoiceCollectorNode)', () => {
  const config = configFor(node, { defaultChoice: 'two', choices: ['one', 'two', 'three'], prompt: 'Choice?' });

  it('validates its config: choices required, non-empty, unique; defaultChoice among them', () => {
    expect([node.type, node.displayName]).toEqual(['ChoiceCollectorNode', 'Choice Collector']);
    expect(() => configFor(node, { defaultChoice: 'a' })).toThrow(/choices/);
    expect(() => configFor(node, { choices: [], defaultChoice: 'a' })).toThrow();
    expect(() => configFor(node, { choices: ['a', 'a'], defaultChoice: 'a' })).toThrow();
    expect(node.checkConfig?.(config)).toEqual([]);
    expect(node.checkConfig?.(configFor(node, { choices: ['a', 'b'], defaultChoice: 'c' }))).toEqual([
      { pointer: '/defaultChoice', message: 'Default choice "c" is not one of the choices' },
    ]);
  });

  it('derives one outcome per choice', () => {
    expect(outcomesOf(node, config)).toEqual([
      { id: 'one', displayName: 'one' },
      { id: 'two', displayName: 'two' },
      { id: 'three', displayName: 'three' },
    ]);
  });

  it('sends a ChoiceCallback with the default pre-selected, and follows the chosen choice', async () => {
    const sent = callbacksOf(await node.process(makeNodeContext({ config })));
    expect(sent).toEqual([
      {
        type: 'ChoiceCallback',
        output: [
          { name: 'prompt', value: 'Choice?' },
          { name: 'choices', value: ['one', 'two', 'three'] },
          { name: 'defaultChoice', value: 1 },
        ],
        input: [{ name: 'IDToken1', value: 1 }],
      },
    ]);
    expect(await node.process(makeNodeContext({ config, callbacks: clientAnswer(sent, { IDToken1: 2 }) }))).toEqual({
      kind: 'outcome',
      outcome: 'three',
    });
    expect(await node.process(makeNodeContext({ config, callbacks: clientAnswer(sent, {}) }))).toEqual({ kind: 'outcome', outcome: 'two' });
    expect(await node.process(makeNodeContext({ config, callbacks: clientAnswer(sent, { IDToken1: '0' }) }))).toEqual({
      kind: 'outcome',
      outcome: 'one',
    });
  });

  it('takes a single choice without asking', async () => {
    const single = configFor(node, { choices: ['only'], defaultChoice: 'only' });
    expect(await node.process(makeNodeContext({ config: single }))).toEqual({ kind: 'outcome', outcome: 'only' });
  });
});
