/**
 * Names of the counters journey nodes keep in the store (CounterPort), in one place so the nodes that
 * count (Retry Limit Decision, the e-mail nodes) and the nodes that clear counts (Identity Store and
 * Data Store Decision on a match) agree. Account parts are pseudonymised: no address or username in
 * clear in store keys or audit events.
 */
import type { CounterPort } from '../../identity/ports.js';
import { pseudonym } from '../../audit/pseudonym.js';

/** Retry Limit Decision counts failures per journey + node + account within this fixed window. */
export const RETRY_WINDOW_MS = 15 * 60_000;

/**
 * Lifetime of a retry generation (see retryCounterKey). Longer than RETRY_WINDOW_MS so that a
 * generation never restarts while counts made under it are still live.
 */
export const RETRY_GENERATION_WINDOW_MS = 24 * 60 * 60_000;

/** An account as counters name it: by `_id` when identified, else by the (case-insensitive) username. */
export type CounterAccount = { kind: 'id'; value: string } | { kind: 'user'; value: string };

const accountPart = (a: CounterAccount): string => `${a.kind}:${pseudonym(a.value)}`;

/**
 * The account a Retry Limit counts for: the identified object's `_id` (`shared._id`), else the
 * username typed so far (`shared.username`, case-insensitive). Undefined when neither is known.
 */
export function retryAccountOf(shared: Record<string, unknown>): CounterAccount | undefined {
  const id = shared['_id'];
  if (typeof id === 'string' && id !== '') return { kind: 'id', value: id };
  const username = shared['username'];
  if (typeof username === 'string' && username.trim() !== '') return { kind: 'user', value: username };
  return undefined;
}

/** The generation counter of an account's retry counts; bumping it starts every count afresh. */
export const retryGenerationKey = (account: CounterAccount): string => `retry:gen:${accountPart(account)}`;

/**
 * The failure counter of one Retry Limit node for one account. The key embeds the account's current
 * retry generation, so clearing an account's counts (a successful login) is one atomic increment of
 * its generation, without knowing which journeys and nodes counted. Old keys simply expire.
 */
export async function retryCounterKey(
  counters: CounterPort,
  journeyId: string,
  nodeId: string,
  subject: CounterAccount | { kind: 'run'; value: string },
): Promise<string> {
  if (subject.kind === 'run') return `retry:${journeyId}:${nodeId}:run:${subject.value}`;
  const generation = await counters.get(retryGenerationKey(subject));
  return `retry:${journeyId}:${nodeId}:${accountPart(subject)}:g${generation}`;
}

/**
 * Clears the retry counts of an account after a successful credential check, under every name the
 * counting nodes may have used for it (its `_id`, the username typed, the stored userName).
 */
export async function clearRetryCounts(counters: CounterPort, accounts: readonly CounterAccount[]): Promise<void> {
  const keys = new Set(accounts.filter((a) => a.value.trim() !== '').map(retryGenerationKey));
  await Promise.all([...keys].map((key) => counters.increment(key, RETRY_GENERATION_WINDOW_MS)));
}

/** Per-account e-mail counter, across templates: the account's `_id`, else the recipient or looked-up value. */
export const mailAccountKey = (account: string): string => `mail:account:${pseudonym(account)}`;

/** Per-client-address e-mail counter, across templates. */
export const mailClientKey = (clientIp: string): string => `mail:client:${clientIp}`;
