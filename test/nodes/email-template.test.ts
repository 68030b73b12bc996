import { describe, expect, it } from 'vitest';
import { emailTemplateNode as node } from '../../src/nodes/email-template.js';
import { configFor, makeNodeContext } from '../support/node-context.js';
import { ALICE, outcomeOf, ports } from './identity-fixtures.js';

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

  it('EMAIL_SENT: queues the template to the user, without password, security answers or suspension', async () => {
    const p = ports();
    const result = await node.process(
      makeNodeContext({ config, shared: { username: 'Alice' }, services: p.services, request: { clientIp: '192.0.2.1' } }),
    );
    expect(outcomeOf(result)).toBe('EMAIL_SENT');
    expect(p.mail.queued).toHaveLength(1);
    expect(p.mail.queued[0]).toMatchObject({ template: 'welcome', to: ALICE.mail, locales: ['en'], object: { _id: ALICE._id, givenName: 'Alice' } });
    const object = p.mail.queued[0]?.object ?? {};
    for (const hidden of ['password', 'passwordSet', 'kbaInfo', 'resumeURI']) expect(object).not.toHaveProperty(hidden);
    expect(p.audit.events).toEqual([{ event: 'email.queued', fields: expect.objectContaining({ userId: ALICE._id, template: 'welcome' }) }]);
  });

  it('EMAIL_NOT_SENT without a user or an address, and beyond the per-account limit', async () => {
    const p = ports();
    const run = (shared: Record<string, unknown>, ip = '192.0.2.1') =>
      node.process(makeNodeContext({ config, shared, services: p.services, request: { clientIp: ip } })).then(outcomeOf);
    expect(await run({ username: 'nobody' })).toBe('EMAIL_NOT_SENT');
    expect(await run({})).toBe('EMAIL_NOT_SENT');
    expect(await run({ username: 'nomail' })).toBe('EMAIL_NOT_SENT');
    const sent: string[] = [];
    for (let i = 0; i < 6; i++) sent.push(await run({ _id: ALICE._id }, `198.51.100.${i}`));
    expect(sent).toEqual(['EMAIL_SENT', 'EMAIL_SENT', 'EMAIL_SENT', 'EMAIL_SENT', 'EMAIL_SENT', 'EMAIL_NOT_SENT']);
    expect(p.mail.queued).toHaveLength(5);
    expect(p.audit.events.filter((e) => e.event === 'email.skipped').map((e) => e.fields['reason'])).toEqual([
      'no-account',
      'no-account',
      'no-recipient',
      'rate-limited-account',
    ]);
  });
});
