/**
 * The one place the self-service adapter reads inside a persisted journey (the runner's XState
 * snapshot): which node the process waits at, that node's local state (what a KBA stage asked), the
 * shared state (IDM's success additions, the account a code was mailed for) and the callbacks waiting
 * for an answer. Processes are flat journeys (no inner trees): the machine's value is the node's id.
 */
import type { Callback } from '../../callbacks/types.js';
import type { PersistedJourney } from '../../journeys/runner.js';

export interface SnapshotView {
  nodeId: string;
  local: Record<string, unknown>;
  shared: Record<string, unknown>;
  pending: Callback[];
}

export function viewOf(snapshot: PersistedJourney): SnapshotView {
  const value = snapshot.machine.value;
  const nodeId = typeof value === 'string' ? value : '';
  const context = snapshot.machine.context;
  return { nodeId, local: context.local[nodeId] ?? {}, shared: context.shared, pending: context.pending ?? [] };
}
