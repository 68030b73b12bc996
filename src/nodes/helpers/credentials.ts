/**
 * The credential check shared by Data Store Decision and Identity Store Decision: `shared.username`
 * (else `objectAttributes.userName`) and `transient.password`, checked by the identity service for the
 * user whose userName it is, under the attempt budgets of the requesting client (its address and device
 * cookie). An unknown user, a wrong password and a spent budget do the same work there. On a match, the Retry Limit
 * counts of the account are cleared under all its names (AM clears them on success).
 */
import type { ManagedObject } from '../../identity/ports.js';
import type { NodeContext } from '../types.js';
import { getObjectAttribute } from './object-attributes.js';
import { clearRetryCounts, retryAccountOf, type CounterAccount } from './counter-keys.js';

export type CredentialVerdict =
  | { verdict: 'match'; object: ManagedObject }
  | { verdict: 'mismatch' }
  | { verdict: 'throttled' }
  /** No password was given; nothing was evaluated. */
  | { verdict: 'blank' };

export async function checkCredentials(ctx: NodeContext<unknown>): Promise<CredentialVerdict> {
  const resource = ctx.journey.identityResource;
  const password = ctx.transient['password'];
  if (typeof password !== 'string' || password === '') return { verdict: 'blank' };
  // `username`, else the collected userName (AIC's UpdatePassword has it from Get Session Data).
  const rawUsername = ctx.shared['username'] ?? getObjectAttribute(ctx.shared, 'userName');
  const username = typeof rawUsername === 'string' ? rawUsername.trim() : '';

  const { clientIp, deviceCookie } = ctx.request;
  const check = await ctx.services.identity.checkPassword(resource, { attribute: 'userName', value: username }, password, {
    ...(clientIp ? { clientIp } : {}),
    ...(deviceCookie ? { deviceCookie } : {}),
  });
  if (check.verdict !== 'match') return check;
  const { object } = check;

  const accounts: CounterAccount[] = [
    { kind: 'id', value: object._id },
    { kind: 'user', value: username },
  ];
  if (typeof object['userName'] === 'string') accounts.push({ kind: 'user', value: object['userName'] });
  const before = retryAccountOf(ctx.shared);
  if (before) accounts.push(before);
  await clearRetryCounts(ctx.services.counters, accounts);
  return { verdict: 'match', object };
}
