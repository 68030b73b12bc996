/**
 * Suspended journeys (Email Suspend): the journey's persisted XState snapshot, with its start options,
 * is stored server-side under the SHA-256 hash of a random 128-bit id; only the e-mailed link holds
 * the id itself. Taking it is atomic and single-use, so of many concurrent resumes exactly one
 * continues. A newer suspension for the same account can make older ones invalid. The link is built
 * from CAIRN_PUBLIC_URL, never from the Host header, and names the realm, which alone can take it.
 *
 * The journey's transient state (secrets: a password chosen before an e-mail verification, security
 * answers) survives the suspension, as AM's secure state does, but never in clear: it is sealed
 * (AES-256-GCM) with a key derived (HKDF-SHA256) from the id itself, so the store alone cannot open it.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { SuspendedJourneyStore } from '../stores/types.js';
import type { AuthIdState, SuspensionPort } from './authenticate.js';

export interface SuspendedRecord {
  /** The journey, its transient state emptied (see `sealed`). */
  state: AuthIdState;
  /** The transient state, sealed with a key derived from the id: iv ‖ ciphertext ‖ tag, base64url. */
  sealed?: string;
  journeyId: string;
  /** The account the link was sent for, when known (`_id`), for supersession. */
  subject?: string;
  /** The realm it was suspended in (`/alpha`); absent: root. It resumes there only. */
  realm?: string;
  createdAt: number;
}

export interface SuspensionOptions {
  store: SuspendedJourneyStore;
  publicUrl: string;
  /** Path of the hosted page the link opens. */
  pagePath: string;
  defaultMinutes: number;
  supersede: boolean;
  /** The realm these suspensions belong to (`/` or `/alpha`): its links say so, and only it takes them. */
  realm?: string;
  now: () => number;
}

const ID = /^[A-Za-z0-9_-]{22,64}$/;
export const suspensionKey = (id: string): string => createHash('sha256').update(id).digest('base64url');

const sealKey = (id: string): Buffer => Buffer.from(hkdfSync('sha256', id, '', 'cairn:suspended-transient', 32));

function seal(id: string, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealKey(id), iv);
  cipher.setAAD(Buffer.from(suspensionKey(id)));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

function unseal(id: string, sealed: string): Record<string, unknown> | undefined {
  try {
    const bytes = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', sealKey(id), bytes.subarray(0, 12), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(suspensionKey(id)));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    const text = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8');
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The state with its transient part taken out, and that part (when it holds anything). */
function splitTransient(state: AuthIdState): { bare: AuthIdState; transient?: Record<string, unknown> } {
  const machine = state.j.machine;
  const transient = machine.context.transient;
  if (!transient || Object.keys(transient).length === 0) return { bare: state };
  return { bare: { ...state, j: { ...state.j, machine: { ...machine, context: { ...machine.context, transient: {} } } } }, transient };
}

export function createSuspensions(options: SuspensionOptions): SuspensionPort {
  const { store, now } = options;
  const realm = options.realm ?? '/';
  // A realm's records are stored under a key of their own: another realm's link is not even found
  // there (so it is not used up), and stays valid in its realm.
  const keyOf = (id: string): string => (realm === '/' ? suspensionKey(id) : suspensionKey(`${realm}\u0000${id}`));
  return {
    async suspend(state, info) {
      const id = randomBytes(16).toString('base64url'); // 128 bits
      const subject = info.subject;
      if (subject && options.supersede) await store.deleteBySubject(subject, info.journeyId);
      const minutes = info.durationMinutes ?? options.defaultMinutes;
      const t = now();
      const { bare, transient } = splitTransient(state);
      const record: SuspendedRecord = {
        state: bare,
        ...(transient ? { sealed: seal(id, transient) } : {}),
        journeyId: info.journeyId,
        ...(subject ? { subject } : {}),
        ...(realm !== '/' ? { realm } : {}),
        createdAt: t,
      };
      await store.put(keyOf(id), record, t + minutes * 60_000, subject ? { subject, scope: info.journeyId } : undefined);
      return id;
    },
    async take(id) {
      if (!ID.test(id)) return undefined;
      const record = await store.take<SuspendedRecord>(keyOf(id));
      if (!record) return undefined;
      if (record.sealed === undefined) return record.state;
      const transient = unseal(id, record.sealed);
      if (!transient) return undefined;
      record.state.j.machine.context.transient = transient;
      return record.state;
    },
    resumeUri(id, journeyId) {
      // AM's resume links carry the realm (`?realm=/alpha&suspendedId=…`), so the page resumes where it began.
      const q = new URLSearchParams({ ...(realm !== '/' ? { realm } : {}), suspendedId: id, authIndexType: 'service', authIndexValue: journeyId });
      return `${options.publicUrl}${options.pagePath}?${q.toString()}`;
    },
  };
}
