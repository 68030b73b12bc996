/**
 * The two informational reads IDM's End User UI makes at start, open to the anonymous headers:
 * `GET /openidm/info/uiconfig` (ui-configuration.json as IDM returns it) and
 * `GET /openidm/info/features?_queryFilter=…` (which self-service features are on, with their endpoints).
 * Features are named as the End User UI reads them (`passwordReset`, `retrieveUsername`, `registration`)
 * and as ui-configuration.json's flags name them (`forgotUsername`, `selfRegistration`).
 */
import { matchesFilter, parseQueryFilter, QueryFilterError } from '../../crest/query-filter.js';
import { crestError, type CrestErrorBody } from '../../crest/errors.js';
import type { SelfServiceSetup } from './config.js';

export interface Feature {
  name: string;
  enabled: boolean;
  endpoints: string[];
}

/** The features of the stock processes (and of any other process file, by its own name). */
export function featuresOf(setup: SelfServiceSetup): Feature[] {
  const on = (process: string): boolean => setup.processes.get(process)?.enabled === true;
  const feature = (name: string, process: string): Feature => ({ name, enabled: on(process), endpoints: [`selfservice/${process}`] });
  const stock = [
    feature('passwordReset', 'reset'),
    feature('retrieveUsername', 'username'),
    feature('forgotUsername', 'username'),
    feature('registration', 'registration'),
    feature('selfRegistration', 'registration'),
  ];
  const others = [...setup.processes.keys()].filter((p) => !['reset', 'username', 'registration'].includes(p)).map((p) => feature(p, p));
  return [...stock, ...others];
}

/** The answer to `GET info/features?_queryFilter=…`: a CREST query result, or the filter's 400. */
export function queryFeatures(setup: SelfServiceSetup, queryFilter: unknown): { status: number; body: unknown } {
  if (typeof queryFilter !== 'string') return error(crestError(400, 'A query needs _queryFilter (e.g. _queryFilter=true).'));
  let filter;
  try {
    filter = parseQueryFilter(queryFilter);
  } catch (e) {
    if (e instanceof QueryFilterError)
      return error(crestError(400, `Invalid _queryFilter: ${e.message}`, { position: e.position, excerpt: e.detail }));
    throw e;
  }
  const result = featuresOf(setup).filter((f) => matchesFilter(filter, f as unknown as Record<string, unknown>));
  return {
    status: 200,
    body: {
      result,
      resultCount: result.length,
      pagedResultsCookie: null,
      totalPagedResultsPolicy: 'NONE',
      totalPagedResults: -1,
      remainingPagedResults: -1,
    },
  };
}

function error(body: CrestErrorBody): { status: number; body: unknown } {
  return { status: body.code, body };
}
