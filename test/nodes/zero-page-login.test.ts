/**
 * Zero Page Login Collector: credentials from headers (RFC 2047 decoded), AM's outcomes, and Cairn's
 * referer rule — a request with a Referer must come from the allow-list, whatever "Allow without
 * referer" says; one without a Referer is allowed when that setting is on.
 */
import { describe, expect, it } from 'vitest';
import { decodeMimeWords, zeroPageLoginNode as node } from '../../src/nodes/zero-page-login.js';
import { configFor, makeNodeContext } from '../support/node-context.js';
import { outcomeOf } from './identity-fixtures.js';

const CREDENTIALS = { 'x-openam-username': 'bjensen', 'x-openam-password': 'Secret-123' };

async function run(headers: Record<string, string>, config: Record<string, unknown> = {}) {
  const shared: Record<string, unknown> = {};
  const transient: Record<string, unknown> = {};
  const result = await node.process(makeNodeContext({ config: configFor(node, config), shared, transient, request: { headers } }));
  return { outcome: outcomeOf(result), shared, transient };
}

describe('Zero Page Login Collector (ZeroPageLoginNode)', () => {
  it("declares AM's type, name, defaults and outcomes", () => {
    expect([node.type, node.displayName]).toEqual(['ZeroPageLoginNode', 'Zero Page Login Collector']);
    expect(configFor(node)).toEqual({
      usernameHeader: 'X-OpenAM-Username',
      passwordHeader: 'X-OpenAM-Password',
      allowWithoutReferer: true,
      referrerWhiteList: [],
    });
    expect(node.outcomes).toEqual([
      { id: 'true', displayName: 'Has Credentials' },
      { id: 'false', displayName: 'No Credentials' },
    ]);
  });

  it('takes the headers into shared username and transient password', async () => {
    const r = await run(CREDENTIALS);
    expect(r).toEqual({ outcome: 'true', shared: { username: 'bjensen' }, transient: { password: 'Secret-123' } });
    expect((await run({ 'x-openam-username': 'only-name' })).shared).toEqual({ username: 'only-name' });
    expect(await run({})).toEqual({ outcome: 'false', shared: {}, transient: {} });
  });

  it('reads headers named in the config, whatever their case', async () => {
    const r = await run({ 'x-user': 'bjensen', 'x-pass': 'pw' }, { usernameHeader: 'X-User', passwordHeader: 'X-PASS' });
    expect(r.outcome).toBe('true');
    expect(r.transient).toEqual({ password: 'pw' });
  });

  it('decodes RFC 2047 encoded words as AM does', () => {
    expect(decodeMimeWords('=?UTF-8?B?w6lsw6hudQ==?=')).toBe('élènu');
    expect(decodeMimeWords('=?ISO-8859-1?Q?Andr=E9_Dupont?=')).toBe('André Dupont');
    expect(decodeMimeWords('=?UTF-8?Q?a?= =?UTF-8?Q?b?=')).toBe('ab');
    expect(decodeMimeWords('plain text')).toBe('plain text');
    expect(decodeMimeWords('=?KOI8-R?B?abc?=')).toBe('=?KOI8-R?B?abc?=');
  });

  it('refuses credentials sent from a page that is not allowed, even with AM’s defaults', async () => {
    const from = (referer: string, config: Record<string, unknown> = {}) => run({ ...CREDENTIALS, referer }, config).then((r) => r.outcome);
    expect(await from('https://evil.example/login')).toBe('false');
    const allowList = { referrerWhiteList: ['https://app.example.com', 'https://portal.example.com/login.html'] };
    expect(await from('https://app.example.com/any/page?x=1', allowList)).toBe('true');
    expect(await from('https://portal.example.com/login.html', allowList)).toBe('true');
    expect(await from('https://portal.example.com/other.html', allowList)).toBe('false');
    expect(await from('https://app.example.com.evil.example/', allowList)).toBe('false');
    expect(await from('http://app.example.com/', allowList)).toBe('false');
  });

  it('allows requests without a Referer only when "allow without referer" is on', async () => {
    expect((await run(CREDENTIALS, { allowWithoutReferer: false })).outcome).toBe('false');
    expect((await run(CREDENTIALS, { allowWithoutReferer: true })).outcome).toBe('true');
  });
});
