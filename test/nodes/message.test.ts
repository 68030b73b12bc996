import { describe, expect, it } from 'vitest';
import { messageNode as node } from '../../src/nodes/message.js';
import { callbacksOf, clientAnswer, configFor, makeNodeContext } from '../support/node-context.js';

describe('Message Node (MessageNode)', () => {
  it('declares AM type, name, defaults, outcomes and that it sends several callbacks', () => {
    expect([node.type, node.displayName]).toEqual(['MessageNode', 'Message Node']);
    expect(configFor(node)).toEqual({ message: { en: 'Default message' }, messageYes: { en: 'Yes' }, messageNo: { en: 'No' } });
    expect(node.outcomes).toEqual([
      { id: 'true', displayName: 'True' },
      { id: 'false', displayName: 'False' },
    ]);
    expect(node.multipleCallbacks).toBe(true);
    expect(() => configFor(node, { message: 'plain string' })).toThrow();
  });

  it('sends TextOutputCallback("0", message) + ConfirmationCallback([yes,no], default 1), localised', async () => {
    const config = configFor(node, {
      message: { en: 'Continue?', fr: 'Continuer ?' },
      messageYes: { en: 'Yes', fr: 'Oui' },
      messageNo: { en: 'No', fr: 'Non' },
    });
    const sent = callbacksOf(await node.process(makeNodeContext({ config, locales: ['fr-CA', 'en'] })));
    expect(sent).toEqual([
      {
        type: 'TextOutputCallback',
        output: [
          { name: 'message', value: 'Continuer ?' },
          { name: 'messageType', value: '0' },
        ],
      },
      {
        type: 'ConfirmationCallback',
        output: [
          { name: 'prompt', value: '' },
          { name: 'messageType', value: 0 },
          { name: 'options', value: ['Oui', 'Non'] },
          { name: 'optionType', value: -1 },
          { name: 'defaultOption', value: 1 },
        ],
        input: [{ name: 'IDToken1', value: 0 }],
      },
    ]);
    const english = callbacksOf(await node.process(makeNodeContext({ config, locales: ['de'] })));
    expect(english[0]?.output[0]?.value).toBe('Continue?');
  });

  it('uses the English defaults when the maps are empty', async () => {
    const config = configFor(node, { message: {}, messageYes: {}, messageNo: {} });
    const sent = callbacksOf(await node.process(makeNodeContext({ config })));
    expect(sent[0]?.output[0]?.value).toBe('Default message');
    expect(sent[1]?.output[2]?.value).toEqual(['Yes', 'No']);
  });

  it('outcome true iff index 0; stateField receives the index', async () => {
    const config = configFor(node, { stateField: 'answer' });
    const sent = callbacksOf(await node.process(makeNodeContext({ config })));
    const shared: Record<string, unknown> = {};
    expect(await node.process(makeNodeContext({ config, shared, callbacks: clientAnswer(sent, { IDToken2: 0 }) }))).toEqual({
      kind: 'outcome',
      outcome: 'true',
    });
    expect(shared).toEqual({ answer: 0 });
    expect(await node.process(makeNodeContext({ config, shared, callbacks: clientAnswer(sent, { IDToken2: '1' }) }))).toEqual({
      kind: 'outcome',
      outcome: 'false',
    });
    expect(shared).toEqual({ answer: 1 });
  });

  it('without stateField leaves shared state alone', async () => {
    const config = configFor(node);
    const sent = callbacksOf(await node.process(makeNodeContext({ config })));
    const shared: Record<string, unknown> = {};
    await node.process(makeNodeContext({ config, shared, callbacks: clientAnswer(sent, { IDToken2: 1 }) }));
    expect(shared).toEqual({});
  });
});
