/**
 * emailValidation's codes. While a process waits for its e-mailed code, its journey snapshot is stored
 * server-side (the suspended-journey store) under the SHA-256 of the flow id and a random 128-bit code;
 * only the e-mailed link holds the code. Taking it is atomic and single-use: of many concurrent posts of
 * one code, one gets the journey. The record expires with the token. A newer code for the same account and
 * process replaces the older ones (CAIRN_NEWER_LINK_SUPERSEDES). Known and unknown accounts cost the same store work.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PersistedJourney } from '../../journeys/runner.js';
import type { SuspendedJourneyStore } from '../../stores/types.js';

export interface EmailCodes {
  /** Stores the snapshot and returns the code for the link. */
  issue(flowId: string, snapshot: PersistedJourney, options: { subject?: string; scope: string; ttlMs: number }): Promise<string>;
  /** The stored snapshot, at most once; undefined for a wrong, used or expired code. */
  take(flowId: string, code: string): Promise<PersistedJourney | undefined>;
}

const CODE = /^[A-Za-z0-9_-]{22}$/;
const keyOf = (flowId: string, code: string): string => createHash('sha256').update(`${flowId}.${code}`).digest('base64url');

export function createEmailCodes(store: SuspendedJourneyStore, options: { now: () => number; supersede: boolean }): EmailCodes {
  return {
    async issue(flowId, snapshot, { subject, scope, ttlMs }) {
      const code = randomBytes(16).toString('base64url');
      // Nobody (an unknown account) is owned by the flow itself, so both paths do the same store work.
      const owner = subject ?? `flow:${flowId}`;
      if (options.supersede) await store.deleteBySubject(owner, scope);
      await store.put(keyOf(flowId, code), { snapshot }, options.now() + ttlMs, { subject: owner, scope });
      return code;
    },
    async take(flowId, code) {
      if (!CODE.test(code)) return undefined;
      return (await store.take<{ snapshot: PersistedJourney }>(keyOf(flowId, code)))?.snapshot;
    },
  };
}
