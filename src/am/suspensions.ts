/**
 * Suspended journeys (Email Suspend): the journey's persisted XState snapshot, with its start options,
 * is stored server-side under the SHA-256 hash of a random 128-bit id; only the e-mailed link holds
 * the id itself. Taking it is atomic and single-use, so of many concurrent resumes exactly one
 * continues. A newer suspension for the same account can make older ones invalid. The link is built
 * from CAIRN_PUBLIC_URL, never from the Host header.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SuspendedJourneyStore } from '../stores/types.js';
import type { AuthIdState, SuspensionPort } from './authenticate.js';

export interface SuspendedRecord {
  state: AuthIdState;
  journeyId: string;
  /** The account the link was sent for, when known (`_id`), for supersession. */
  subject?: string;
  createdAt: number;
}

export interface SuspensionOptions {
  store: SuspendedJourneyStore;
  publicUrl: string;
  /** Path of the hosted page the link opens. */
  pagePath: string;
  defaultMinutes: number;
  supersede: boolean;
  now: () => number;
}

const ID = /^[A-Za-z0-9_-]{22,64}$/;
export const suspensionKey = (id: string): string => createHash('sha256').update(id).digest('base64url');

export function createSuspensions(options: SuspensionOptions): SuspensionPort {
  const { store, now } = options;
  return {
    async suspend(state, info) {
      const id = randomBytes(16).toString('base64url'); // 128 bits
      const subject = info.subject;
      if (subject && options.supersede) await store.deleteBySubject(subject, info.journeyId);
      const minutes = info.durationMinutes ?? options.defaultMinutes;
      const t = now();
      const record: SuspendedRecord = { state, journeyId: info.journeyId, ...(subject ? { subject } : {}), createdAt: t };
      await store.put(suspensionKey(id), record, t + minutes * 60_000, subject ? { subject, scope: info.journeyId } : undefined);
      return id;
    },
    async take(id) {
      if (!ID.test(id)) return undefined;
      return (await store.take<SuspendedRecord>(suspensionKey(id)))?.state;
    },
    resumeUri(id, journeyId) {
      const q = new URLSearchParams({ suspendedId: id, authIndexType: 'service', authIndexValue: journeyId });
      return `${options.publicUrl}${options.pagePath}?${q.toString()}`;
    },
  };
}
