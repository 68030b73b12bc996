/**
 * Small secondary indexes on the key/value store, built only from its primitives (get,
 * insertIfAbsent, compareAndSet, delete): a list of member keys under one index key, each member
 * with its own expiry. Adding retries on a lost compare-and-set, so concurrent writers on several
 * instances never drop each other's members; the entry lives as long as its longest-lived member.
 */
import type { KeyValueStore } from '../stores/types.js';

interface Member {
  k: string;
  /** Epoch ms; null for never. */
  x: number | null;
}

interface IndexValue {
  m: Member[];
}

/** More attempts than concurrent writers of one index can plausibly cause (one grant, one account). */
const ATTEMPTS = 16;

const live = (members: readonly Member[], now: number): Member[] => members.filter((m) => m.x === null || m.x > now);

function lifetime(members: readonly Member[]): { expiresAt?: number } {
  if (members.some((m) => m.x === null)) return {};
  return { expiresAt: Math.max(...members.map((m) => m.x as number)) };
}

/** A member already listed until at least this close to the asked expiry is not rewritten (saves a write per re-save). */
const SLACK_MS = 24 * 3_600_000;

export async function addMember(kv: KeyValueStore, key: string, member: string, expiresAt: number | null, now: number): Promise<void> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const entry = await kv.get<IndexValue>(key);
    const listed = entry?.value.m.find((m) => m.k === member);
    if (listed && (listed.x === null || (expiresAt !== null && listed.x >= expiresAt - SLACK_MS))) return;
    const kept = live(entry?.value.m ?? [], now).filter((m) => m.k !== member);
    const members = [...kept, { k: member, x: expiresAt }];
    const written = entry
      ? await kv.compareAndSet<IndexValue>(key, entry.version, { m: members }, lifetime(members))
      : await kv.insertIfAbsent<IndexValue>(key, { m: members }, lifetime(members));
    if (written) return;
  }
  throw new Error(`index ${key}: too many concurrent writers`);
}

/** The live members of an index. */
export async function members(kv: KeyValueStore, key: string, now: number): Promise<string[]> {
  const entry = await kv.get<IndexValue>(key);
  return live(entry?.value.m ?? [], now).map((m) => m.k);
}
