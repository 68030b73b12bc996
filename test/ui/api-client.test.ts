// The pages' API client against a real loopback AM fake (test/support/fake-am.ts): request shape and
// the classification of every answer a person must understand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { classify, createApiClient, type FetchLike } from '../../ui/src/core/api.js';
import { buildSubmission, initialValues } from '../../ui/src/core/form-model.js';
import { apiUrl, parseRoute, type JourneyRoute } from '../../ui/src/core/route.js';
import { startFakeAm, type FakeAm } from '../support/fake-am.js';

const nodeFetch: FetchLike = (url, init) => fetch(url, init);
const route = (search: string): JourneyRoute => parseRoute(search, '') as JourneyRoute;

describe('api client against the fake AM', () => {
  let am: FakeAm;
  const api = createApiClient({ fetch: nodeFetch, timeoutMs: 5_000 });
  beforeAll(async () => {
    am = await startFakeAm({ users: { demo: 'Ch4ng3it!' }, suspendedIds: ['link-1'] });
  });
  afterAll(() => am.close());

  it('starts a journey with an empty body and AM headers, then signs in', async () => {
    const login = route('?authIndexValue=Login');
    const start = await api.send(apiUrl(am.baseUrl, login, { resume: false, locale: 'fr' }), undefined, false);
    if (start.kind !== 'step') throw new Error(`expected a step, got ${start.kind}`);
    const first = am.requests.at(-1);
    expect(first?.body).toBe('');
    expect(first?.query).toMatchObject({ authIndexType: 'service', authIndexValue: 'Login', locale: 'fr' });
    expect(first?.headers['accept-api-version']).toBe('protocol=1.0,resource=2.1');

    const values = initialValues(start.step);
    values.set('IDToken1', 'demo');
    values.set('IDToken2', 'Ch4ng3it!');
    const done = await api.send(apiUrl(am.baseUrl, login, { resume: false }), buildSubmission(start.step, values), false);
    expect(done).toEqual({ kind: 'success', successUrl: '/am/console', realm: '/' });
    expect(am.requests.at(-1)?.headers['content-type']).toBe('application/json');
  });

  it('classifies a wrong password as a failed journey', async () => {
    const login = route('?authIndexValue=Login');
    const start = await api.send(apiUrl(am.baseUrl, login, { resume: false }), undefined, false);
    if (start.kind !== 'step') throw new Error('expected a step');
    const values = new Map<string, unknown>([
      ['IDToken1', 'demo'],
      ['IDToken2', 'wrong'],
    ]);
    expect(await api.send(apiUrl(am.baseUrl, login, { resume: false }), buildSubmission(start.step, values), false)).toEqual({
      kind: 'failure',
      reason: 'failed',
      status: 401,
      message: 'Login failure',
    });
  });

  it('classifies an unknown authId as a timed-out journey (errorCode 110)', async () => {
    const outcome = await api.send(apiUrl(am.baseUrl, route(''), { resume: false }), { authId: 'gone', callbacks: [] }, false);
    expect(outcome).toMatchObject({ kind: 'failure', reason: 'timeout', status: 401 });
  });

  it('resumes an e-mailed link once; the second use is an expired link', async () => {
    const link = route('?suspendedId=link-1&authIndexType=service&authIndexValue=ResetPassword');
    const first = await api.send(apiUrl(am.baseUrl, link, { resume: true }), undefined, true);
    expect(first).toMatchObject({ kind: 'step', step: { header: 'Change password' } });
    expect(am.requests.at(-1)?.rawQuery).toMatch(/^suspendedId=link-1&authIndexType=service&authIndexValue=ResetPassword/);
    expect(await api.send(apiUrl(am.baseUrl, link, { resume: true }), undefined, true)).toMatchObject({
      kind: 'failure',
      reason: 'link-expired',
      status: 401,
    });
  });

  it('classifies an unknown journey', async () => {
    expect(await api.send(apiUrl(am.baseUrl, route('?authIndexValue=Nope'), { resume: false }), undefined, false)).toEqual({
      kind: 'failure',
      reason: 'unknown-journey',
      status: 400,
      message: 'No Configuration found',
    });
  });

  it('reports a server that is not there as unreachable', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(await api.send(`http://127.0.0.1:${port}/am/json/realms/root/authenticate`, undefined, false)).toEqual({
      kind: 'failure',
      reason: 'unreachable',
      status: 0,
      message: '',
    });
  });
});

describe('classify', () => {
  it('treats any body with authId and callbacks as a step, whatever the status', () => {
    expect(classify(200, { authId: 'a', callbacks: [] }, false).kind).toBe('step');
  });
  it('treats a 2xx without authId as success, even without tokenId (noSession)', () => {
    expect(classify(200, { successUrl: '/x', realm: '/' }, false)).toEqual({ kind: 'success', successUrl: '/x', realm: '/' });
    expect(classify(200, {}, false)).toEqual({ kind: 'success', successUrl: '' });
  });
  it('maps server errors and non-JSON answers to a generic server failure', () => {
    expect(classify(500, { code: 500, message: 'Internal Server Error' }, false)).toMatchObject({ reason: 'server' });
    expect(classify(502, undefined, false)).toMatchObject({ reason: 'server', message: '' });
    expect(classify(200, undefined, false)).toMatchObject({ reason: 'server' });
  });
});
