import { describe, expect, it } from 'vitest';
import { accountLockoutNode } from '../../src/nodes/account-lockout.js';
import { attributePresentDecisionNode } from '../../src/nodes/attribute-present-decision.js';
import { createObjectNode } from '../../src/nodes/create-object.js';
import { dataStoreDecisionNode } from '../../src/nodes/data-store-decision.js';
import { emailSuspendNode } from '../../src/nodes/email-suspend.js';
import { emailTemplateNode } from '../../src/nodes/email-template.js';
import { identifyExistingUserNode } from '../../src/nodes/identify-existing-user.js';
import { identityStoreDecisionNode } from '../../src/nodes/identity-store-decision.js';
import { incrementLoginCountNode } from '../../src/nodes/increment-login-count.js';
import { patchObjectNode } from '../../src/nodes/patch-object.js';
import { queryFilterDecisionNode } from '../../src/nodes/query-filter-decision.js';
import { requiredAttributesDecisionNode } from '../../src/nodes/required-attributes-decision.js';
import { retryLimitDecisionNode } from '../../src/nodes/retry-limit-decision.js';
import type { NodeDescriptor } from '../../src/nodes/types.js';
import { configFor } from '../support/node-context.js';

const SUSPEND_MESSAGE = { en: 'An email has been sent to the address you entered. Click the link in that email to proceed.' };

/** Identity node configs as AM/AIC export them (reference §3.1, §4.1–§4.2), noise keys stripped. */
const exported: [NodeDescriptor, Record<string, unknown>][] = [
  [identifyExistingUserNode, { identifier: 'userName', identityAttribute: 'mail' }],
  [identifyExistingUserNode, { identifier: '', identityAttribute: 'mail' }],
  [
    emailSuspendNode,
    {
      emailSuspendMessage: SUSPEND_MESSAGE,
      emailTemplateName: 'resetPassword',
      identityAttribute: 'mail',
      emailAttribute: 'mail',
      objectLookup: true,
    },
  ],
  [
    emailSuspendNode,
    {
      emailSuspendMessage: SUSPEND_MESSAGE,
      emailTemplateName: 'registration',
      identityAttribute: 'userName',
      emailAttribute: 'mail',
      objectLookup: false,
    },
  ],
  [emailTemplateNode, { emailTemplateName: 'welcome', emailAttribute: 'mail', identityAttribute: 'userName' }],
  [patchObjectNode, { identityResource: 'managed/alpha_user', identityAttribute: 'mail', patchAsObject: false, ignoredFields: [] }],
  [patchObjectNode, { patchAsObject: true, ignoredFields: ['userName'], identityAttribute: 'userName', identityResource: 'managed/user' }],
  [createObjectNode, { identityResource: 'managed/alpha_user' }],
  [dataStoreDecisionNode, {}],
  [identityStoreDecisionNode, { minimumPasswordLength: 8, mixedCaseForPasswordChangeMessages: false, useUniversalIdForUsername: false }],
  [retryLimitDecisionNode, { retryLimit: 5, incrementUserAttributeOnFailure: true }],
  [accountLockoutNode, { lockAction: 'LOCK' }],
  [incrementLoginCountNode, { identityAttribute: 'userName' }],
  [attributePresentDecisionNode, { presentAttribute: 'password', identityAttribute: 'userName' }],
  [
    queryFilterDecisionNode,
    { queryFilter: '!(/preferences pr) or /preferences/marketing eq false or /preferences/updates eq false', identityAttribute: 'userName' },
  ],
  [requiredAttributesDecisionNode, { identityResource: 'managed/alpha_user' }],
];

describe('identity node config schemas accept AM exports and nothing unknown', () => {
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
