// The writes a MyDeployment sync makes, as one small seam the executor owns (upstream calls
// dc.client.AppsV1() inline). realObjectManager issues them with the KubeClient and reports each
// resourceVersion the API server returns, so the next sync of the Deployment waits for caches
// that hold it (runtime/consistency.ts).
//
// No write can lose another client's change: the RS create is a POST; every patch of an RS or of
// the Deployment carries the resourceVersion it was computed from (a change since is a conflict,
// and the sync retries from fresh caches); the RS delete carries a UID precondition. Custom
// resources take no strategic-merge patch, so these are JSON merge patches, and the rollback a
// JSON patch (a merge patch would merge the old template's keys into the new one). The
// Deployment's status is PUT whole to /status, which drops metadata on a custom resource: the
// revision annotation is its own patch.
import type { PodTemplateSpec } from '../../api/core.ts';
import type { MyDeployment, MyDeploymentStatus, MyReplicaSet } from '../../api/workloads.ts';
import { apiVersion, myDeploymentKind, myDeployments, myReplicaSets } from '../../api/workloads.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import { revisionAnnotation } from './annotations.ts';

/** What a patch of an RS sets; the annotations are added or overwritten, never removed. */
export interface ReplicaSetPatch {
  readonly replicas?: number;
  readonly minReadySeconds?: number;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface DeploymentObjectManager {
  createReplicaSet(rs: MyReplicaSet): Promise<MyReplicaSet>;
  /**
   * A live read (not the cache) of the RS holding a name a create found taken. Its
   * resourceVersion is reported like a write's: it exists, so the next sync waits for a cache
   * that shows it.
   */
  getReplicaSet(namespace: string, name: string): Promise<MyReplicaSet>;
  /** Merge patch, failing with a conflict unless the RS is still at `resourceVersion`. */
  patchReplicaSet(rs: MyReplicaSet, resourceVersion: string | undefined, patch: ReplicaSetPatch): Promise<MyReplicaSet>;
  /** DELETE with a UID precondition, so a newer RS of the same name is never hit. */
  deleteReplicaSet(rs: MyReplicaSet): Promise<void>;
  /** Merge patch of the Deployment's revision annotation, conditional on `resourceVersion`. */
  setDeploymentRevision(d: MyDeployment, resourceVersion: string | undefined, revision: string): Promise<MyDeployment>;
  /**
   * JSON patch: `resourceVersion` set as a precondition (409 Conflict when the object moved on; a
   * `test` op would fail as 422), `metadata.annotations` replaced by `annotations` and, if given,
   * `spec.template` by `template`.
   */
  rollbackDeployment(
    d: MyDeployment,
    resourceVersion: string | undefined,
    template: PodTemplateSpec | undefined,
    annotations: Readonly<Record<string, string>>,
  ): Promise<MyDeployment>;
  /** PUT /status of the whole status at `resourceVersion` (UpdateStatus). */
  updateStatus(d: MyDeployment, resourceVersion: string | undefined, status: MyDeploymentStatus): Promise<MyDeployment>;
  /** Merge patch of /status setting only collisionCount, conditional on `resourceVersion`. */
  setCollisionCount(d: MyDeployment, resourceVersion: string | undefined, collisionCount: number): Promise<MyDeployment>;
}

/** The resources whose writes are reported, by their plural (the consistency store's keys). */
export type WrittenResource = 'myreplicasets' | 'mydeployments';

/** Called with the resourceVersion the API server gave each successful write. */
export type WriteObserver = (resource: WrittenResource, resourceVersion: string | undefined) => void;

export function realObjectManager(client: KubeClient, wrote: WriteObserver, signal: AbortSignal): DeploymentObjectManager {
  const reported = <T extends MyReplicaSet | MyDeployment>(resource: WrittenResource, obj: T): T => {
    wrote(resource, obj.metadata.resourceVersion);
    return obj;
  };
  const patchDeployment = async (d: MyDeployment, body: unknown, options: { readonly subresource?: string; readonly json?: boolean } = {}) =>
    reported(
      'mydeployments',
      await client.patch(myDeployments, d.metadata.namespace, d.metadata.name ?? '', options.json ? 'json' : 'merge', body, {
        subresource: options.subresource,
        signal,
      }),
    );
  return {
    createReplicaSet: async (rs) => reported('myreplicasets', await client.create(myReplicaSets, rs, { signal })),
    getReplicaSet: async (namespace, name) => reported('myreplicasets', await client.get(myReplicaSets, namespace, name, signal)),
    async patchReplicaSet(rs, resourceVersion, patch) {
      const spec = { replicas: patch.replicas, minReadySeconds: patch.minReadySeconds };
      const body = { metadata: { resourceVersion, annotations: patch.annotations }, spec };
      return reported('myreplicasets', await client.patch(myReplicaSets, rs.metadata.namespace, rs.metadata.name ?? '', 'merge', body, { signal }));
    },
    async deleteReplicaSet(rs) {
      // Not reported: a cache that still shows the RS only makes the next cleanup delete it again
      // (NotFound, which is success).
      await client.delete(myReplicaSets, rs.metadata.namespace, rs.metadata.name ?? '', { uid: rs.metadata.uid, signal });
    },
    setDeploymentRevision: (d, resourceVersion, revision) =>
      patchDeployment(d, { metadata: { resourceVersion, annotations: { [revisionAnnotation]: revision } } }),
    rollbackDeployment(d, resourceVersion, template, annotations) {
      const ops: unknown[] = [];
      if (resourceVersion !== undefined) ops.push({ op: 'replace', path: '/metadata/resourceVersion', value: resourceVersion });
      if (template !== undefined) ops.push({ op: 'replace', path: '/spec/template', value: template });
      ops.push({ op: 'add', path: '/metadata/annotations', value: annotations });
      return patchDeployment(d, ops, { json: true });
    },
    async updateStatus(d, resourceVersion, status) {
      // A cached object may lack apiVersion and kind (list items), which a PUT must carry.
      const body: MyDeployment = { ...d, apiVersion, kind: myDeploymentKind, metadata: { ...d.metadata, resourceVersion }, status };
      return reported('mydeployments', await client.update(myDeployments, body, { subresource: 'status', signal }));
    },
    setCollisionCount: (d, resourceVersion, collisionCount) =>
      patchDeployment(d, { metadata: { resourceVersion }, status: { collisionCount } }, { subresource: 'status' }),
  };
}

