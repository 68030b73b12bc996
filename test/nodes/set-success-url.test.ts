import { describe, expect, it } from 'vitest';
import { setSuccessUrlNode as node } from '../../src/nodes/set-success-url.js';
import { configFor, makeNodeContext } from '../support/node-context.js';

describe('Success URL (SetSuccessUrlNode)', () => {
  it('requires a non-empty successUrl (AM export form accepted)', () => {
    expect([node.type, node.displayName]).toEqual(['SetSuccessUrlNode', 'Success URL']);
    expect(configFor(node, { successUrl: 'https://www.forgerock.com/' })).toEqual({ successUrl: 'https://www.forgerock.com/' });
    expect(() => configFor(node, {})).toThrow(/successUrl/);
    expect(() => configFor(node, { successUrl: '' })).toThrow();
  });

  it('writes shared.successUrl and continues without callbacks', async () => {
    const shared: Record<string, unknown> = { username: 'alice' };
    const result = await node.process(makeNodeContext({ config: configFor(node, { successUrl: 'https://app.example/home' }), shared }));
    expect(result).toEqual({ kind: 'outcome', outcome: 'outcome' });
    expect(shared).toEqual({ username: 'alice', successUrl: 'https://app.example/home' });
  });
});
