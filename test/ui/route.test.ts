// Which journey the address asks for (query or XUI hash route), the API URL, and links between journeys.
import { describe, expect, it } from 'vitest';
import { apiUrl, journeyHref, parseRoute, withLocale, withoutSuspendedId, type JourneyRoute } from '../../ui/src/core/route.js';

const journey = (search: string, hash = ''): JourneyRoute => {
  const route = parseRoute(search, hash);
  if (route.kind !== 'journey') throw new Error(`expected a journey route, got ${JSON.stringify(route)}`);
  return route;
};

describe('parseRoute', () => {
  it('defaults to the Login journey', () => {
    expect(parseRoute('', '')).toEqual({ kind: 'journey', journey: 'Login' });
  });

  it('reads the journey, goto and locale from the query', () => {
    expect(journey('?authIndexType=service&authIndexValue=ResetPassword&goto=%2Fapp%3Fa%3D1&locale=fr')).toEqual({
      kind: 'journey',
      journey: 'ResetPassword',
      goto: '/app?a=1',
      locale: 'fr',
    });
  });

  it('reads the e-mailed link of a suspended journey', () => {
    expect(journey('?suspendedId=YGJ1o1snV96U6u7XT8SaHhX4Cv8&authIndexType=service&authIndexValue=ResetPassword')).toEqual({
      kind: 'journey',
      journey: 'ResetPassword',
      suspendedId: 'YGJ1o1snV96U6u7XT8SaHhX4Cv8',
    });
  });

  it('follows AM XUI hash routes, which win over the query (in-page description links)', () => {
    expect(journey('', '#/service/Login').journey).toBe('Login');
    expect(journey('?authIndexValue=ResetPassword&suspendedId=abc', '#/service/Registration')).toEqual({ kind: 'journey', journey: 'Registration' });
    expect(journey('', '#/service/My%20Journey?goto=%2Fx')).toEqual({ kind: 'journey', journey: 'My Journey', goto: '/x' });
  });

  it('recognises the landing page', () => {
    expect(parseRoute('?locale=fr', '#/success')).toEqual({ kind: 'success', locale: 'fr' });
  });

  it('refuses malformed journeys, index types and realms instead of calling the API with them', () => {
    expect(parseRoute('?authIndexValue=%3Cscript%3E', '')).toMatchObject({ kind: 'invalid', problem: 'journey' });
    expect(parseRoute('?authIndexType=module&authIndexValue=DataStore', '')).toMatchObject({ kind: 'invalid', problem: 'authIndexType' });
    expect(parseRoute('?realm=..%2Fx', '')).toMatchObject({ kind: 'invalid', problem: 'realm' });
  });

  it('drops a malformed suspendedId and locale rather than forwarding them', () => {
    expect(journey('?suspendedId=a%20b&locale=%22x')).toEqual({ kind: 'journey', journey: 'Login' });
  });

  it('keeps a sub-realm, normalised', () => {
    expect(journey('?realm=/alpha').realm).toBe('/alpha');
    expect(journey('?realm=root').realm).toBeUndefined();
  });
});

describe('apiUrl', () => {
  it('builds the AM authenticate URL with the route parameters and the page language', () => {
    const route = journey('?authIndexValue=Login&goto=https%3A%2F%2Fapp.example%2F');
    expect(apiUrl('/am', route, { resume: false, locale: 'fr' })).toBe(
      '/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=Login&goto=https%3A%2F%2Fapp.example%2F&locale=fr',
    );
  });

  it('sends suspendedId only on the resuming call', () => {
    const route = journey('?suspendedId=abc&authIndexValue=ResetPassword');
    expect(apiUrl('/am/', route, { resume: true })).toBe(
      '/am/json/realms/root/authenticate?suspendedId=abc&authIndexType=service&authIndexValue=ResetPassword',
    );
    expect(apiUrl('/am', route, { resume: false })).not.toContain('suspendedId');
  });

  it('passes ForceAuth through, so an OAuth prompt=login runs the journey despite a session', () => {
    const route = journey('?authIndexValue=Login&ForceAuth=true&goto=%2Fam%2Foauth2%2Fauthorize%2Fabc');
    expect(route.forceAuth).toBe(true);
    expect(apiUrl('/am', route, { resume: false })).toBe(
      '/am/json/realms/root/authenticate?authIndexType=service&authIndexValue=Login&goto=%2Fam%2Foauth2%2Fauthorize%2Fabc&ForceAuth=true',
    );
    expect(journey('?authIndexValue=Login&ForceAuth=false').forceAuth).toBeUndefined();
  });

  it('spells sub-realms as AM does', () => {
    expect(apiUrl('/am', journey('?realm=/alpha/beta'), { resume: false })).toMatch(
      /^\/am\/json\/realms\/root\/realms\/alpha\/realms\/beta\/authenticate\?/,
    );
  });
});

describe('links and address bar', () => {
  it('links to another journey keeping goto and locale but never suspendedId', () => {
    expect(journeyHref('ResetPassword', { goto: '/app', locale: 'fr' })).toBe(
      '?authIndexType=service&authIndexValue=ResetPassword&goto=%2Fapp&locale=fr',
    );
  });

  it('removes suspendedId from the search string and sets the locale', () => {
    expect(withoutSuspendedId('?suspendedId=abc&authIndexType=service&authIndexValue=ResetPassword')).toBe(
      '?authIndexType=service&authIndexValue=ResetPassword',
    );
    expect(withoutSuspendedId('?suspendedId=abc')).toBe('');
    expect(withLocale('?authIndexValue=Login&locale=en', 'fr')).toBe('?authIndexValue=Login&locale=fr');
  });
});
