import { describe, expect, it } from 'vitest';
import { attributeCollectorNode } from '../../src/nodes/attribute-collector.js';
import { choiceCollectorNode } from '../../src/nodes/choice-collector.js';
import { messageNode } from '../../src/nodes/message.js';
import { setSuccessUrlNode } from '../../src/nodes/set-success-url.js';
import type { NodeDescriptor } from '../../src/nodes/types.js';
import { validatedPasswordNode } from '../../src/nodes/validated-password.js';
import { validatedUsernameNode } from '../../src/nodes/validated-username.js';
import { configFor } from '../support/node-context.js';

/** Node configs as AM/AIC export them (reference §4.1–§4.2, HAR and frodo exports), noise keys stripped. */
const exported: [NodeDescriptor, Record<string, unknown>][] = [
  [validatedUsernameNode, { usernameAttribute: 'userName', validateInput: true }],
  [validatedUsernameNode, { usernameAttribute: 'userName', validateInput: false, autocompleteValues: [] }],
  [validatedPasswordNode, { passwordAttribute: 'password', validateInput: true }],
  [
    attributeCollectorNode,
    {
      attributesToCollect: ['givenName', 'sn', 'mail', 'preferences/marketing', 'preferences/updates'],
      identityAttribute: 'userName',
      required: true,
      validateInputs: true,
    },
  ],
  [attributeCollectorNode, { attributesToCollect: ['mail'], identityAttribute: 'mail', validateInputs: false, required: true }],
  [choiceCollectorNode, { defaultChoice: 'one', choices: ['one', 'two', 'three'], prompt: 'Choice?' }],
  [setSuccessUrlNode, { successUrl: 'https://www.forgerock.com/' }],
  [messageNode, { message: { en: 'Continue?' }, messageYes: { en: 'Yes' }, messageNo: { en: 'No' }, stateField: 'choice' }],
];

describe('node config schemas accept AM exports and nothing unknown', () => {
  it.each(exported.map(([d, c]) => [d.type, d, c] as const))('%s', (_type, descriptor, config) => {
    expect(configFor(descriptor, config)).toMatchObject(config);
    expect(() => configFor(descriptor, { ...config, unknownSetting: 1 })).toThrow(/additional properties/);
  });

  it('every schema documents its properties with a description', () => {
    for (const [descriptor] of exported) {
      const props = (descriptor.configSchema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
      for (const [name, schema] of Object.entries(props)) expect(schema['description'], `${descriptor.type}.${name}`).toBeTypeOf('string');
    }
  });
});
