// The writes a MyStatefulSet sync makes, as one small seam the executor owns (upstream:
// pkg/controller/statefulset/stateful_pod_control.go StatefulPodControlObjectManager, which also
// reports every write to the consistency store). realObjectManager issues them with the KubeClient
// and reports each written resourceVersion, so the next sync waits for caches that saw it.
//
// None can lose another client's fields: creates are POSTs; deletes carry a UID precondition;
// renumberRevision and patchStatus merge-patch only fields this controller owns; patchClaimStorage
// merge-patches one scalar (the storage request) with a UID precondition; the claim's
// ownerReferences and the set's conditions are lists a merge patch replaces whole, so those patches
// carry the resourceVersion the list was computed from (a change since is a conflict, not lost);
// updatePod PUTs a fresh read with its resourceVersion.
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../api/core.ts';
import type { OwnerReference, WorkloadCondition } from '../../api/meta.ts';
import { controllerRevisions, persistentVolumeClaims, pods } from '../../api/resources.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import { myStatefulSets } from '../../api/workloads.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import { marshalLikeGo } from '../history/go-json.ts';
import { reportedPodWrites } from '../shared/pod-control.ts';
import { reportedStatusWrites } from '../shared/status-writer.ts';
import type { WriteObserver as SharedWriteObserver } from '../shared/write-observer.ts';
import type { StatefulSetStatusFields } from './status.ts';

export interface StatefulSetObjectManager {
  createRevision(revision: ControllerRevision): Promise<ControllerRevision>;
  /** A live read (not the cache): what holds the name a create found taken. */
  getRevision(namespace: string, name: string): Promise<ControllerRevision>;
  /** Sets `revision` (the number) of an existing revision. */
  renumberRevision(revision: ControllerRevision, revisionNumber: number): Promise<ControllerRevision>;
  deleteRevision(revision: ControllerRevision): Promise<void>;
  createClaim(claim: PersistentVolumeClaim): Promise<PersistentVolumeClaim>;
  /** Replaces the claim's ownerReferences, failing with a conflict when its resourceVersion moved on. */
  patchClaimOwnerReferences(claim: PersistentVolumeClaim, ownerReferences: readonly OwnerReference[]): Promise<PersistentVolumeClaim>;
  /**
   * Sets spec.resources.requests.storage and nothing else, on the claim of this UID only (another
   * claim of the name makes the API server refuse: metadata.uid is immutable).
   */
  patchClaimStorage(claim: PersistentVolumeClaim, storage: string): Promise<PersistentVolumeClaim>;
  createPod(pod: Pod): Promise<Pod>;
  /** A live read (not the cache): the pod as it is now, after a conflicting write. */
  getPod(namespace: string, name: string): Promise<Pod>;
  /**
   * PUT of the whole pod, conditional on the resourceVersion it carries. Only ever given a copy
   * getPod just returned (repaired), never a cached one: see execute.ts updateStatefulPod.
   */
  updatePod(pod: Pod): Promise<Pod>;
  /** DELETE by name with a UID precondition, so a newer pod of the same name is never hit. */
  deletePod(pod: Pod): Promise<void>;
  /** Merge patch of these status fields; every other status field (conditions above all) is kept. */
  patchStatus(set: MyStatefulSet, status: StatefulSetStatusFields): Promise<void>;
  /** status.conditions as `update` computes them from the set's current ones (updateConditions). */
  writeConditions(set: MyStatefulSet, update: (conditions: readonly WorkloadCondition[] | undefined) => readonly WorkloadCondition[] | undefined): Promise<void>;
}

/** The resources whose writes are reported, by their plural (the consistency store's keys). */
export type WrittenResource = 'pods' | 'persistentvolumeclaims' | 'mystatefulsets';

/** Called with the resourceVersion the API server gave each successful write. */
export type WriteObserver = SharedWriteObserver<WrittenResource>;

export function realObjectManager(client: KubeClient, wrote: WriteObserver, signal: AbortSignal): StatefulSetObjectManager {
  return {
    // Go's bytes: the API server keeps `data` as sent and re-encodes it on every later patch
    // (renumbering on rollback, adoption, the garbage collector's owner-reference patch); other
    // bytes make those patches fail as "data: field is immutable" (see go-json.ts).
    createRevision: (revision) => client.create(controllerRevisions, revision, { signal, encode: marshalLikeGo }),
    getRevision: (namespace, name) => client.get(controllerRevisions, namespace, name, signal),
    renumberRevision: (revision, revisionNumber) =>
      client.patch(controllerRevisions, revision.metadata.namespace, revision.metadata.name ?? '', 'merge', { revision: revisionNumber }, {
        signal,
      }),
    async deleteRevision(revision) {
      await client.delete(controllerRevisions, revision.metadata.namespace, revision.metadata.name ?? '', {
        uid: revision.metadata.uid,
        signal,
      });
    },
    async createClaim(claim) {
      const created = await client.create(persistentVolumeClaims, claim, { signal });
      wrote('persistentvolumeclaims', created.metadata.resourceVersion);
      return created;
    },
    async patchClaimOwnerReferences(claim, ownerReferences) {
      // A JSON merge patch replaces the whole list; the resourceVersion makes it conditional.
      const body = { metadata: { resourceVersion: claim.metadata.resourceVersion, ownerReferences } };
      const patched = await client.patch(persistentVolumeClaims, claim.metadata.namespace, claim.metadata.name ?? '', 'merge', body, {
        signal,
      });
      wrote('persistentvolumeclaims', patched.metadata.resourceVersion);
      return patched;
    },
    async patchClaimStorage(claim, storage) {
      const body = claimStoragePatch(claim, storage);
      const patched = await client.patch(persistentVolumeClaims, claim.metadata.namespace, claim.metadata.name ?? '', 'merge', body, { signal });
      wrote('persistentvolumeclaims', patched.metadata.resourceVersion);
      return patched;
    },
    getPod: (namespace, name) => client.get(pods, namespace, name, signal),
    async updatePod(pod) {
      const updated = await client.update(pods, pod, { signal });
      wrote('pods', updated.metadata.resourceVersion);
      return updated;
    },
    ...reportedPodWrites(client, (resourceVersion) => wrote('pods', resourceVersion), signal, { reportDeletes: true }),
    ...reportedStatusWrites(client, myStatefulSets, (resourceVersion) => wrote('mystatefulsets', resourceVersion), signal),
  };
}

/**
 * The JSON merge patch raising a claim's storage request: that one field, and metadata.uid, which
 * only matches the claim planned for (the precondition upstream's controllers put in their patches,
 * e.g. controller_ref_manager.go ownerRefControllerPatch). Requests other than storage are kept.
 */
export function claimStoragePatch(claim: PersistentVolumeClaim, storage: string): object {
  return { metadata: { uid: claim.metadata.uid }, spec: { resources: { requests: { storage } } } };
}
