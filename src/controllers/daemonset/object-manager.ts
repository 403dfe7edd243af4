// The writes (and the two live reads) a MyDaemonSet sync makes, as one small seam the executor
// owns, so its rules can be tested without an API server. realObjectManager issues them with the
// KubeClient. None of them PUTs a cached copy: each is a create, a delete or a patch of fields
// the controller owns, guarded by the object's UID or by the resourceVersion of a fresh read.
// upstream: pkg/controller/controller_utils.go RealPodControl (CreatePods, DeletePod, PatchPod),
// pkg/controller/daemon/update.go (snapshot, dedupCurHistories, cleanupHistory, constructHistory).
import type { ControllerRevision, Pod } from '../../api/core.ts';
import type { KubeObject, WorkloadCondition } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import { controllerRevisions, pods } from '../../api/resources.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import { myDaemonSets } from '../../api/workloads.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import { marshalLikeGo } from '../history/go-json.ts';
import { controllerRevisionHashLabel } from '../history/revisions.ts';
import { patchStatusFields, updateConditions } from '../shared/status-writer.ts';
import type { DaemonSetStatusFields } from './status.ts';

export interface DaemonSetObjectManager {
  /** POST; AlreadyExists when the name `<ds>-<hash>` is taken. */
  createRevision(revision: ControllerRevision): Promise<ControllerRevision>;
  /** A live read (not the cache): what holds the name a create found taken. */
  getRevision(namespace: string, name: string): Promise<ControllerRevision>;
  /** Sets the revision's `controller-revision-hash` label (it had none). */
  labelRevision(revision: ControllerRevision, hash: string): Promise<void>;
  /** Sets `revision` (the number) of an existing revision: a rollback to its template. */
  renumberRevision(revision: ControllerRevision, revisionNumber: number): Promise<void>;
  /** DELETE with a UID precondition: NotFound or Conflict when the revision we meant is gone. */
  deleteRevision(revision: ControllerRevision): Promise<void>;
  /** Sets the pod's `controller-revision-hash` label (dedup of equal revisions). */
  relabelPod(pod: Pod, hash: string): Promise<void>;
  /** POST of a pod with generateName; resolves to the pod as created (with its name). */
  createPod(pod: Pod): Promise<Pod>;
  /** DELETE with a UID precondition: NotFound or Conflict when the pod we meant is gone. */
  deletePod(pod: Pod): Promise<void>;
  /** A live read (not the cache): the collision count as it is now. */
  getDaemonSet(namespace: string, name: string): Promise<MyDaemonSet>;
  /** Writes status.collisionCount on `live`, failing with a conflict if it changed since that read. */
  bumpCollisionCount(live: MyDaemonSet, collisionCount: number): Promise<void>;
  /**
   * Merge patch of these status fields; every other status field (conditions above all) is kept.
   * Resolves to the MyDaemonSet as written (its resourceVersion conditions the next write).
   */
  patchStatus(ds: MyDaemonSet, status: DaemonSetStatusFields): Promise<MyDaemonSet>;
  /** status.conditions as `update` computes them from the current ones (updateConditions). */
  writeConditions(
    ds: MyDaemonSet,
    update: (conditions: readonly WorkloadCondition[] | undefined) => readonly WorkloadCondition[] | undefined,
  ): Promise<void>;
  /**
   * One merge patch of `status` (if any) and of status.conditions as `update` computes them from
   * the current ones, conditional on the resourceVersion they were computed from: updateConditions'
   * semantics (on conflict read again and recompute; the fields go again as they are). When
   * `update` finds nothing to change, `status` alone is patched, as patchStatus does. Resolves to
   * the MyDaemonSet as written, undefined when nothing was (or the object was replaced meanwhile).
   */
  writeStatusAndConditions(
    ds: MyDaemonSet,
    status: DaemonSetStatusFields | undefined,
    update: (conditions: readonly WorkloadCondition[] | undefined) => readonly WorkloadCondition[] | undefined,
  ): Promise<MyDaemonSet | undefined>;
}

/**
 * A merge patch setting only the hash label. metadata.uid rides along as a precondition (as
 * upstream's adopt patch does): a same-named object recreated since our read has another UID,
 * which the API server refuses to change, so the patch fails instead of labelling a stranger.
 */
function hashLabelPatch(obj: KubeObject, hash: string): unknown {
  return { metadata: { uid: obj.metadata.uid, labels: { [controllerRevisionHashLabel]: hash } } };
}

export function realObjectManager(client: KubeClient, signal: AbortSignal): DaemonSetObjectManager {
  const mergePatch = async <T extends KubeObject>(resource: Resource<T>, obj: KubeObject, body: unknown): Promise<void> => {
    await client.patch(resource, obj.metadata.namespace, obj.metadata.name ?? '', 'merge', body, { signal });
  };
  const deleteWithUid = async (resource: Resource, obj: KubeObject): Promise<void> => {
    await client.delete(resource, obj.metadata.namespace, obj.metadata.name ?? '', { uid: obj.metadata.uid, signal });
  };
  return {
    // Go's bytes: the API server keeps `data` as sent and re-encodes it on every later patch
    // (renumbering, adoption, the garbage collector's owner-reference patch); any other bytes make
    // those patches fail as "data: field is immutable" (see go-json.ts).
    createRevision: (revision) => client.create(controllerRevisions, revision, { signal, encode: marshalLikeGo }),
    getRevision: (namespace, name) => client.get(controllerRevisions, namespace, name, signal),
    labelRevision: (revision, hash) => mergePatch(controllerRevisions, revision, hashLabelPatch(revision, hash)),
    renumberRevision: (revision, revisionNumber) =>
      mergePatch(controllerRevisions, revision, { metadata: { uid: revision.metadata.uid }, revision: revisionNumber }),
    deleteRevision: (revision) => deleteWithUid(controllerRevisions, revision),
    relabelPod: (pod, hash) => mergePatch(pods, pod, hashLabelPatch(pod, hash)),
    createPod: (pod) => client.create(pods, pod, { signal }),
    deletePod: (pod) => deleteWithUid(pods, pod),
    getDaemonSet: (namespace, name) => client.get(myDaemonSets, namespace, name, signal),
    // upstream bumps with UpdateStatus of the DaemonSet it just read; the resourceVersion of that
    // read makes this patch just as conditional, so a count someone else moved is never bumped twice.
    async bumpCollisionCount(live, collisionCount) {
      const body = { metadata: { resourceVersion: live.metadata.resourceVersion }, status: { collisionCount } };
      await client.patch(myDaemonSets, live.metadata.namespace, live.metadata.name ?? '', 'merge', body, { subresource: 'status', signal });
    },
    patchStatus: (ds, status) => patchStatusFields(client, myDaemonSets, ds, status, signal),
    async writeConditions(ds, update) {
      await updateConditions(client, myDaemonSets, ds, update, signal);
    },
    // updateConditions with the status fields riding along: one write instead of a patch and a
    // conditions write whenever a sync moves both (most syncs of a rollout: progress moves the
    // counts and Progressing's lastUpdateTime), and a rollback's record and its condition land
    // together or not at all.
    // One conditional request for both (upstream writes the whole status in one UpdateStatus).
    writeStatusAndConditions: (ds, status, update) => updateConditions(client, myDaemonSets, ds, update, signal, status),
  };
}
