// Reporting our own writes to the consistency store (runtime/consistency.ts): an object manager
// tells which resource it wrote and the resourceVersion the API server answered, so the next sync
// of the owner waits for caches that hold that write. upstream: RealPodControl.OnWrite and the
// StatefulSet's StatefulPodControlObjectManager, both feeding consistencyStore.WroteAt.
import { isRecord } from '../../api/meta.ts';
import type { ConsistencyStore } from '../../runtime/consistency.ts';
import type { SyncDeferral } from './workload-reconciler.ts';

/** Called with the resourceVersion the API server gave each successful write. */
export type WriteObserver<Resource extends string> = (resource: Resource, resourceVersion: string | undefined) => void;

/**
 * The resourceVersion of an object in a response body; undefined for a Status or anything else
 * (a DELETE answers the object while it is terminating, a Status once it is gone).
 */
export function resourceVersionOf(body: unknown): string | undefined {
  if (!isRecord(body) || body.kind === 'Status' || !isRecord(body.metadata)) return undefined;
  const rv = body.metadata.resourceVersion;
  return typeof rv === 'string' ? rv : undefined;
}

/**
 * upstream EnsureReady as WorkloadSync.defer wants it: why to put off the sync of `key`, or
 * undefined once every cache holds what the previous sync of the key wrote.
 */
export function deferUntilWritesSeen(consistency: ConsistencyStore, key: string): SyncDeferral | undefined {
  const lag = consistency.ensureReady(key);
  return lag === undefined ? undefined : { message: 'cache older than our last write, deferring sync', fields: { ...lag } };
}
