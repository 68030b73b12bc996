import { describe, expect, it } from 'vitest';
import { emailTemplateNode as node } from '../../src/nodes/email-template.js';
import type { NodeResult } from '../../src/nodes/types.js';
import { auditsOf, configFor, mailsOf, makeNodeContext } from '../support/node-context.js';
import { ALICE, outcomeOf, testbed } from './identity-fixtures.js';

describe('Email Template Node (EmailTemplateNode)', () => {
  const config = configFor(node, { emailTemplateName: 'welcome' });

  it('declares AM type, name, defaults and outcomes; the template name is required', () => {
    expect([node.type, node.displayName]).toEqual(['EmailTemplateNode', 'Email Template Node']);
    expect(config).toEqual({ emailTemplateName: 'welcome', emailAttribute: 'mail', identityAttribute: 'userName' });
    expect(node.outcomes).toEqual([
      { id: 'EMAIL_SENT', displayName: 'Email Sent' },
      { id: 'EMAIL_NOT_SENT', displayName: 'Email Not Sent' },
    ]);
    expect(() => configFor(node, {})).toThrow(/emailTemplateName/);
  });

  it('EMAIL_SENT: asks for the template to the user, without password, security answers or resume link', async () => {
    const t = await testbed();
    const result = await node.process(
      makeNodeContext({ config, shared: { username: 'Alice' }, services: t.services, request: { clientIp: '192.0.2.1' } }),
    );
    expect(outcomeOf(result)).toBe('EMAIL_SENT');
    const mails = mailsOf(result);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      type: 'mail',
      template: 'welcome',
      to: ALICE.mail,
      locales: ['en'],
      object: { _id: ALICE._id, givenName: 'Alice' },
    });
    expect(mails[0]).not.toHaveProperty('resumeLinkField');
    const object = mails[0]?.object ?? {};
    for (const hidden of ['password', 'passwordSet', 'kbaInfo', 'resumeURI']) expect(object).not.toHaveProperty(hidden);
    expect(auditsOf(result)).toEqual([{ event: 'email.queued', fields: expect.objectContaining({ userId: ALICE._id, template: 'welcome' }) }]);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result); // plain data
  });

  it('EMAIL_NOT_SENT without a user or an address, and beyond the per-account limit', async () => {
    const t = await testbed();
    const results: NodeResult[] = [];
    const run = async (shared: Record<string, unknown>, ip = '192.0.2.1') => {
      const result = await node.process(makeNodeContext({ config, shared, services: t.services, request: { clientIp: ip } }));
      results.push(result);
      return outcomeOf(result);
    };
    expect(await run({ username: 'nobody' })).toBe('EMAIL_NOT_SENT');
    expect(await run({})).toBe('EMAIL_NOT_SENT');
    expect(await run({ username: 'nomail' })).toBe('EMAIL_NOT_SENT');
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) sent.push(await run({ _id: ALICE._id }, `198.51.100.${i}`));
    expect(sent).toEqual(['EMAIL_SENT', 'EMAIL_SENT', 'EMAIL_SENT', 'EMAIL_SENT', 'EMAIL_SENT', 'EMAIL_NOT_SENT']);
    expect(results.flatMap(mailsOf)).toHaveLength(5);
    expect(
      results
        .flatMap(auditsOf)
        .filter((e) => e.event === 'email.skipped')
        .map((e) => e.fields['reason']),
    ).toEqual(['no-account', 'no-account', 'no-recipient', 'rate-limited-account']);
  });
});
