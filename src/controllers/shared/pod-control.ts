// Pod writes as upstream's RealPodControl makes them, for the executors and object managers of
// every kind: a DELETE that records its Event and tells a pod already gone from a failure, and the
// create and delete calls that report what they wrote to the consistency store.
// upstream: pkg/controller/controller_utils.go RealPodControl (CreatePods, DeletePod, OnWrite).
import type { Pod } from '../../api/core.ts';
import { pods } from '../../api/resources.ts';
import { errorMessage, isConflict, isNotFound } from '../../runtime/client/errors.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import type { EventType } from '../../runtime/events.ts';
import { resourceVersionOf } from './write-observer.ts';

/** Records an Event on the object being synced. */
export type EmitEvent = (type: EventType, reason: string, message: string) => void;

/**
 * A delete's NotFound, or its UID precondition failing (a newer object took the name): the object
 * we meant is gone, which is what the delete was for (upstream: DeletePod's NotFound is no error).
 */
export function alreadyGone(err: unknown): boolean {
  return isNotFound(err) || isConflict(err);
}

/**
 * upstream DeletePod: Normal SuccessfulDelete "Deleted pod: NAME" on success; Warning FailedDelete
 * "Error deleting: ERR" on a failure, unless the pod is already gone. The error is rethrown either
 * way: the caller lowers its expectations and decides what fails the sync.
 */
export async function deletePodWithEvents(deletePod: (pod: Pod) => Promise<void>, pod: Pod, event: EmitEvent): Promise<void> {
  try {
    await deletePod(pod);
    event('Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name ?? ''}`);
  } catch (err) {
    if (!alreadyGone(err)) event('Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
    throw err;
  }
}

export interface PodWrites {
  /** POST of a pod with generateName; resolves to the pod as created (with its name). */
  createPod(pod: Pod): Promise<Pod>;
  /** DELETE by name with a UID precondition, so a newer pod of the same name is never hit. */
  deletePod(pod: Pod): Promise<void>;
}

/**
 * Pod creates and deletes that report each resourceVersion written (RealPodControl.OnWrite).
 * `reportDeletes`: whether a delete's answer is reported too. Upstream's OnWrite reports creates
 * and patches only; a kind whose expectations already hold its syncs until the cache shows each
 * deletion (MyReplicaSet) leaves deletes out, or every sync after a scale-down would wait for
 * the pod cache a second time.
 */
export function reportedPodWrites(
  client: KubeClient,
  wrote: (resourceVersion: string | undefined) => void,
  signal: AbortSignal,
  { reportDeletes }: { readonly reportDeletes: boolean },
): PodWrites {
  return {
    async createPod(pod) {
      const created = await client.create(pods, pod, { signal });
      wrote(created.metadata.resourceVersion);
      return created;
    },
    async deletePod(pod) {
      const answer = await client.delete(pods, pod.metadata.namespace, pod.metadata.name ?? '', { uid: pod.metadata.uid, signal });
      // A graceful delete answers with the pod, now carrying deletionTimestamp: a kind without
      // delete expectations waits for the cache to show it terminating, or its next sync would
      // delete (and report) it again.
      if (reportDeletes) wrote(resourceVersionOf(answer));
    },
  };
}
