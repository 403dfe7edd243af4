// What `kubectl my migrate` writes in place of the object it orphan-deletes, and what it refuses to
// move. The specs mean the same on both sides (README "Intended differences from apps/v1": none), so
// a conversion is the live spec under the other apiVersion and kind; only our extension fields
// (docs/rollout-control.md) have no apps/v1 counterpart. Pure.
import type { KubeObject, ObjectMeta } from '../../api/meta.ts';
import { controllerOf, isBeingDeleted, isRecord } from '../../api/meta.ts';
import type { Resource } from '../../api/resources.ts';
import { apiVersionOf } from '../../api/resources.ts';
import type { MyDaemonSetSpec, MyDeploymentSpec, MyReplicaSet, MyStatefulSetSpec } from '../../api/workloads.ts';
import { lastAppliedAnnotation, revisionAnnotation } from '../../api/deployment-annotations.ts';
import { appsV1, objectLabel, type Api, type Workload } from './kinds.ts';

/**
 * Set on DaemonSets by the API server from spec.templateGeneration (upstream: pkg/apis/apps/v1
 * conversion.go). Copied to a new DaemonSet it would set that DaemonSet's template generation, and
 * upstream counts a pod whose `pod-template-generation` label equals it as updated whatever its
 * template (pkg/controller/daemon/util IsPodUpdated): a stale number could keep old pods forever.
 */
export const templateGenerationAnnotation = 'deprecated.daemonset.template.generation';

/** Why the migration cannot go ahead, before anything is written. */
export class MigrationRefused extends Error {
  override readonly name = 'MigrationRefused';
}

/**
 * The refusals that need only the object: one being deleted, one another controller owns (its owner
 * would recreate or re-adopt it), a paused Deployment going to MyDeployment, and a workload using
 * our extension fields going back to apps/v1. Undefined when none applies.
 */
export function refusal(source: Workload, res: Resource, to: Api): string | undefined {
  const label = objectLabel(res, source.obj.metadata.name ?? '');
  if (isBeingDeleted(source.obj)) return `${label} is being deleted`;
  const owner = controllerOf(source.obj);
  if (owner !== undefined) return `${label} is controlled by ${owner.kind}/${owner.name}: migrate its owner instead`;
  if (to === appsV1) {
    const used = extensionFieldsInUse(source);
    if (used.length > 0) {
      return `${label} uses fields apps/v1 ${source.kind} lacks: ${used.join(', ')}; remove them from its spec before migrating to apps/v1`;
    }
    return undefined;
  }
  // A paused rollout may be half done and would stay paused under our kind: the orphaned pods of
  // the current template are adopted only once MyDeployment may create a MyReplicaSet, which a
  // paused Deployment never does (upstream: deployment_controller.go syncDeployment, sync.go
  // getNewReplicaSet with createIfNotExisted false).
  if (source.kind === 'Deployment' && source.obj.spec.paused === true) {
    return `${label} is paused: resume it (kubectl rollout resume deployment/${source.obj.metadata.name ?? ''}) before migrating`;
  }
  return undefined;
}

/**
 * Our extension fields (docs/rollout-control.md) set to a value that does something. `paused:
 * false`, `autoRollback: false` and `partition: 0` mean what their absence means (`kubectl my
 * rollout resume` writes `paused: false`) and are dropped by the conversion instead.
 */
export function extensionFieldsInUse(source: Workload): string[] {
  const spec = source.obj.spec;
  const used: string[] = [];
  if (source.kind !== 'Deployment') {
    if (spec.paused === true) used.push('spec.paused');
    if (spec.progressDeadlineSeconds !== undefined) used.push('spec.progressDeadlineSeconds');
  }
  if (spec.autoRollback === true) used.push('spec.autoRollback');
  if (source.kind === 'DaemonSet') {
    const rollingUpdate = source.obj.spec.updateStrategy?.rollingUpdate;
    if ((rollingUpdate?.partition ?? 0) > 0) used.push('spec.updateStrategy.rollingUpdate.partition');
    if (rollingUpdate?.selector !== undefined) used.push('spec.updateStrategy.rollingUpdate.selector');
  }
  return used;
}

/** The spec an apps/v1 object takes: ours minus the extension fields, which refusal() found unused. */
function appsV1Spec(source: Workload): MyDaemonSetSpec | MyStatefulSetSpec | MyDeploymentSpec {
  switch (source.kind) {
    case 'Deployment': {
      const { autoRollback: _autoRollback, ...spec } = source.obj.spec;
      return spec;
    }
    case 'StatefulSet': {
      const { paused: _paused, progressDeadlineSeconds: _deadline, autoRollback: _autoRollback, ...spec } = source.obj.spec;
      return spec;
    }
    case 'DaemonSet': {
      const { paused: _paused, progressDeadlineSeconds: _deadline, autoRollback: _autoRollback, ...spec } = source.obj.spec;
      const strategy = spec.updateStrategy;
      if (strategy?.rollingUpdate === undefined) return spec;
      const { partition: _partition, selector: _selector, ...rollingUpdate } = strategy.rollingUpdate;
      return { ...spec, updateStrategy: { ...strategy, rollingUpdate } };
    }
  }
}

/**
 * kubectl apply's record of the last manifest, under the new apiVersion and kind, so the next
 * `kubectl apply` of the converted manifest computes its three-way patch as before; dropped when it
 * is not a JSON object (kubectl then warns once and writes a new one).
 */
function convertLastApplied(value: string, res: Resource): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!isRecord(parsed)) return undefined;
  return `${JSON.stringify({ ...parsed, apiVersion: apiVersionOf(res), kind: res.kind })}\n`;
}

/**
 * The metadata the new object keeps: name, namespace, labels and annotations. Not kept: what the API server and the controllers
 * own (uid, resourceVersion, generation, timestamps, managedFields), finalizers (they belong to
 * whoever watches the old kind), the Deployment revision annotation (the controller writes it from
 * its ReplicaSets) and a DaemonSet's template generation (templateGenerationAnnotation).
 */
function convertedMetadata(meta: ObjectMeta, res: Resource, dropped: readonly string[]): ObjectMeta {
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    if (dropped.includes(key)) continue;
    if (key === lastAppliedAnnotation) {
      const converted = convertLastApplied(value, res);
      if (converted !== undefined) annotations[key] = converted;
      continue;
    }
    annotations[key] = value;
  }
  return {
    name: meta.name,
    namespace: meta.namespace,
    ...(meta.labels ? { labels: { ...meta.labels } } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
}

export interface Converted extends KubeObject {
  readonly spec: unknown;
}

/**
 * The object to create as `res` (the other API's resource of the same kind) in place of `source`.
 * Its owner references are kept (none is a controller: refusal() saw to it), so whatever
 * garbage-collects the old object collects the new one.
 */
export function convertWorkload(source: Workload, res: Resource, to: Api): Converted {
  const meta = convertedMetadata(source.obj.metadata, res, [revisionAnnotation, templateGenerationAnnotation]);
  const owners = source.obj.metadata.ownerReferences ?? [];
  return {
    apiVersion: apiVersionOf(res),
    kind: res.kind,
    metadata: owners.length > 0 ? { ...meta, ownerReferences: [...owners] } : meta,
    spec: to === appsV1 ? appsV1Spec(source) : source.obj.spec,
  };
}

/**
 * An apps/v1 ReplicaSet in place of a MyDeployment's MyReplicaSet: same name, labels (the
 * pod-template-hash included), annotations (revision, change-cause…) and spec; not its owner
 * reference, which names the deleted MyDeployment (the garbage collector would delete a ReplicaSet
 * whose only owner is gone). Upstream's
 * ReplicaSet controller adopts the orphaned pods its selector matches, and its Deployment
 * controller adopts the ReplicaSet by its labels and takes it as its new ReplicaSet by template
 * equality (upstream: deployment/util FindNewReplicaSet, EqualIgnoreHash), so no pod is replaced.
 * Without it, upstream would create a ReplicaSet of its own hash and leave the orphans running.
 */
export function replicaSetFromMine(rs: MyReplicaSet, res: Resource): Converted {
  return {
    apiVersion: apiVersionOf(res),
    kind: res.kind,
    metadata: convertedMetadata(rs.metadata, res, []),
    spec: rs.spec,
  };
}
