/**
 * Suspended journeys in lmdb's durable environment: `suspended` (hash of the suspended id → record,
 * expiry, owner) and `suspendedSubjects` (subject SEP scope SEP idHash → 1, so a newer suspension
 * can invalidate its owner's older ones). `take` reads and deletes in one write transaction: of any
 * number of concurrent takes, in any process, exactly one gets the record.
 */
import { checkKey, checkTime, toJsonObject } from '../records.js';
import type { SuspendedJourneyStore, SuspensionOwner } from '../types.js';
import { SEP, prefixRange, type Expire, type LmdbEnvironment } from './environment.js';

interface SuspendedEntry {
  record: Record<string, unknown>;
  expiresAt: number;
  subject?: string;
  scope?: string;
}

export function lmdbSuspensions(env: LmdbEnvironment): { store: SuspendedJourneyStore; expire: Expire } {
  const { now, commit, reindex } = env;
  const suspended = env.db<SuspendedEntry>('suspended'); // idHash → entry
  const suspendedSubjects = env.db<1>('suspendedSubjects'); // subject SEP scope SEP idHash → 1

  const suspendedLive = (e: SuspendedEntry | undefined): e is SuspendedEntry => e !== undefined && now() < e.expiresAt;
  const suspendedIndexKey = (subject: string, scope: string | undefined, idHash: string): string => `${subject}${SEP}${scope ?? ''}${SEP}${idHash}`;
  const removeSuspended = (idHash: string, e: SuspendedEntry): void => {
    suspended.removeSync(idHash);
    if (e.subject !== undefined) suspendedSubjects.removeSync(suspendedIndexKey(e.subject, e.scope, idHash));
    reindex('suspended', idHash, e.expiresAt, null);
  };

  const store: SuspendedJourneyStore = {
    async put(idHash, record, expiresAt, owner?: SuspensionOwner) {
      checkKey(idHash, 'suspension id');
      const entry: SuspendedEntry = { record: toJsonObject(record, 'The suspended record'), expiresAt: checkTime(expiresAt, 'expiry time') };
      if (owner !== undefined) {
        entry.subject = checkKey(owner.subject, 'subject');
        if (owner.scope !== undefined) entry.scope = checkKey(owner.scope, 'scope');
      }
      await commit(() => {
        const old = suspended.get(idHash);
        if (old !== undefined) removeSuspended(idHash, old);
        suspended.putSync(idHash, entry);
        if (entry.subject !== undefined) suspendedSubjects.putSync(suspendedIndexKey(entry.subject, entry.scope, idHash), 1);
        reindex('suspended', idHash, null, entry.expiresAt);
      });
    },

    async take<T>(idHash: string) {
      checkKey(idHash, 'suspension id');
      return commit(() => {
        const e = suspended.get(idHash);
        if (e === undefined) return undefined;
        removeSuspended(idHash, e);
        return suspendedLive(e) ? (e.record as T) : undefined;
      });
    },

    async deleteBySubject(subject, scope) {
      checkKey(subject, 'subject');
      const prefix = scope === undefined ? subject : `${subject}${SEP}${checkKey(scope, 'scope')}`;
      return commit(() => {
        let count = 0;
        for (const k of [...suspendedSubjects.getKeys(prefixRange(prefix))]) {
          const idHash = k.slice(k.lastIndexOf(SEP) + 1);
          const e = suspended.get(idHash);
          suspendedSubjects.removeSync(k);
          if (e === undefined) continue;
          if (suspendedLive(e)) count++;
          removeSuspended(idHash, e);
        }
        return count;
      });
    },
  };

  const expire: Expire = (key) => {
    const e = suspended.get(key);
    if (e === undefined || suspendedLive(e)) return false;
    removeSuspended(key, e);
    return true;
  };
  return { store, expire };
}
