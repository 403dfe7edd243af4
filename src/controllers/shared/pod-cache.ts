// What the operator keeps of a Pod in its cache. Every Pod in the cluster is cached (one shared informer, asked
// for by all four controllers), and the workload controllers read little of it: identity and
// ownership (store key, indexes, claim, event handlers, deletes and the UID-guarded patches), the
// labels (selectors, revision hashes, StatefulSet identity), creation and deletion time, the node it
// is on, the Ready condition and the phase, and for the ReplicaSet's scale-down ranking the
// pod-deletion-cost annotation and the container restart counts. Most of a pod's bytes are its
// spec (containers, env, probes, resources, the projected token volume), its other annotations, its
// other conditions and its container statuses (image IDs, states), and the kubelet rewrites the
// status on every probe transition; dropping them on ingest keeps a large cluster small.
//
// ONE EXCEPTION keeps the whole spec and every annotation: a pod no controller owns that carries a
// pod-template-hash label. That is the pod-local half of deployment/orphaned-pods.ts
// isOrphanedPodOf, and for such pods the MyDeployment controller rebuilds a pod template from the
// cached pod (shared/template-from-pod.ts templateFromPod: the whole spec but nodeName, the labels
// and every annotation), compares it with its own template (podMatchesTemplate) and POSTs it as
// the template of an old MyReplicaSet (deployment/sync.ts createForOrphanedPods →
// execute.ts createReplicaSet). A trimmed spec there would create a MyReplicaSet with a broken
// template. The test is on the pod alone and is re-evaluated on every watch event, so a pod that
// loses its controller reference (orphan delete of an apps/v1 Deployment: the garbage collector
// patches it) arrives whole with that MODIFIED event, and one adopted later is trimmed again.
//
// Safe otherwise because no cached pod is ever written back: pod writes are POSTs of pods built
// from templates, DELETEs by namespace/name with a UID precondition, and merge / strategic-merge
// patches whose bodies carry only metadata.uid and the field they set (ownership.ts adoptPatch and
// releasePatch, daemonset/object-manager.ts hashLabelPatch). The one PUT of a pod
// (statefulset/object-manager.ts updatePod) sends a copy statefulset/execute.ts updateStatefulPod
// has just read live (getPod), never the cached one; from the cached pod it takes namespace, name
// and uid only.
//
// managedFields are dropped before this runs (runtime/informer/reflector.ts dropManagedFields,
// applied by runtime/informer/informer.ts to every informer, then `trim`); rebuilding the metadata
// here drops them too. The result is a new object; the input is never modified.
//
// Every controller that asks for the pods informer must pass this very function
// (`informerFor(pods, indexers, podForCache)`): runtime/informer/informer.ts refuses a second
// caller with another trim (or none).
import type { Container, Pod, PodSpec, PodStatus, Volume } from '../../api/core.ts';
import type { ObjectMeta } from '../../api/meta.ts';
import { controllerOf, isRecord } from '../../api/meta.ts';
import { podTemplateHashLabel } from '../../api/deployment-annotations.ts';
import { podDeletionCostAnnotation } from '../replicaset/pods-to-delete.ts';

/**
 * A pod the MyDeployment controller may take over from an apps/v1 Deployment and rebuild a template
 * from: controlled by nobody, with a non-empty pod-template-hash label (the checks of
 * deployment/orphaned-pods.ts isOrphanedPodOf that depend on the pod alone).
 */
export function mayServeAsTemplate(pod: Pod): boolean {
  return controllerOf(pod) === undefined && (pod.metadata.labels?.[podTemplateHashLabel] ?? '') !== '';
}

export function podForCache(pod: Pod): Pod {
  const whole = mayServeAsTemplate(pod);
  return {
    ...(pod.apiVersion !== undefined ? { apiVersion: pod.apiVersion } : {}),
    ...(pod.kind !== undefined ? { kind: pod.kind } : {}),
    metadata: metadataForCache(pod.metadata, whole),
    spec: whole ? pod.spec : specForCache(pod.spec),
    ...(pod.status !== undefined ? { status: statusForCache(pod.status) } : {}),
  };
}

function metadataForCache(metadata: ObjectMeta, allAnnotations: boolean): ObjectMeta {
  // name + namespace: the store key (informer/store.ts objectKey), the namespace index, owner
  //   lookups (shared/owner-lookup.ts), DELETE and PATCH by name (shared/pod-control.ts,
  //   shared/claim.ts, daemonset/object-manager.ts), Events' texts; the name is a StatefulSet pod's
  //   identity and ordinal (statefulset/identity.ts, pod-template.ts identityMatches).
  // uid: replaceAll / applyWatchEvent (informer/store.ts), the UID preconditions of deletes and
  //   patches (pod-control.ts, ownership.ts, daemonset/object-manager.ts), DaemonSet deletion
  //   expectations (shared/dependent-events.ts), StatefulSet claim owner refs (pvc-retention.ts via
  //   statefulset/pod-control.ts), updateStatefulPod's "same pod" check, ReplicaSet ranking ties
  //   (replicaset/pods-to-delete.ts) and related-pod dedup (replicaset/pod-sets.ts).
  // resourceVersion: relist deltas (informer/store.ts replaceAll) and resync filtering in every
  //   pod handler (shared/dependent-events.ts onUpdate).
  // creationTimestamp: ordering (daemonset/daemon-pods.ts podByCreationTimestampAndPhase,
  //   replicaset/pods-to-delete.ts, deployment/orphaned-pods.ts byCreation).
  // deletionTimestamp: isBeingDeleted everywhere (api/meta.ts; pod-state.ts isPodActive /
  //   isPodTerminating, claims, handlers, manage, rolling updates).
  // labels: every selector match (claim.ts, ownership.ts, owner-lookup.ts), the revision hash
  //   (daemonset/daemon-pods.ts isPodUpdated, history.ts; statefulset/identity.ts getPodRevision),
  //   the StatefulSet pod-name label (identityMatches), fullyLabeledReplicas (replicaset/status.ts),
  //   pod-template-hash (deployment/orphaned-pods.ts), labelsEqual in the handlers.
  // ownerReferences (whole): the controller index (informer/store.ts), controllerOf /
  //   resolveControllerRef / isControlledBy, and controllerRefsEqual compares every field of the
  //   controller reference (shared/owner-lookup.ts).
  // annotations: only controller.kubernetes.io/pod-deletion-cost (replicaset/pods-to-delete.ts
  //   podDeletionCost) — unless the pod may serve as a template (all of them: template-from-pod.ts).
  const { name, namespace, uid, resourceVersion, creationTimestamp, deletionTimestamp, labels, ownerReferences, annotations } = metadata;
  const kept = allAnnotations ? annotations : deletionCostOnly(annotations);
  return {
    ...(name !== undefined ? { name } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    ...(uid !== undefined ? { uid } : {}),
    ...(resourceVersion !== undefined ? { resourceVersion } : {}),
    ...(creationTimestamp !== undefined ? { creationTimestamp } : {}),
    ...(deletionTimestamp !== undefined ? { deletionTimestamp } : {}),
    ...(labels !== undefined ? { labels } : {}),
    ...(ownerReferences !== undefined ? { ownerReferences } : {}),
    ...(kept !== undefined ? { annotations: kept } : {}),
  };
}

function deletionCostOnly(annotations: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> | undefined {
  const cost = annotations?.[podDeletionCostAnnotation];
  return cost === undefined ? undefined : { [podDeletionCostAnnotation]: cost };
}

function specForCache(spec: PodSpec): PodSpec {
  // nodeName: the DaemonSet's nodeName index (daemonset/controller.ts) and nodeNameOfPod
  //   (daemonset/pod-template.ts), bound-first ordering and unbound pods of vanished nodes
  //   (daemonset/daemon-pods.ts), ReplicaSet ranking (replicaset/pods-to-delete.ts).
  // affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution: the node an unbound
  //   daemon pod is meant for (daemonset/pod-template.ts nodeNameOfPod reads its matchFields).
  //   Preferred terms and pod (anti-)affinity are read by nobody.
  // volumes, each as { name, persistentVolumeClaim }: statefulset/pod-template.ts storageMatches
  //   reads volume.name and persistentVolumeClaim.claimName. repairStatefulPod also rebuilds the
  //   list from the cached pod, but only the repaired pod's namespace, name and uid are used (the
  //   PUT goes to a fresh GET: statefulset/execute.ts updateStatefulPod).
  // initContainers, each as { name, restartPolicy }: which init containers are sidecars
  //   (replicaset/pods-to-delete.ts maxContainerRestarts).
  // containers, each as { name }: read by nobody here; the field is required by the Pod type, and
  //   names keep the list's length and identities truthful for a reader that counts them.
  const { nodeName, affinity, volumes, initContainers } = spec;
  const required = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return {
    containers: (spec.containers ?? []).map(nameOnly),
    ...(nodeName !== undefined ? { nodeName } : {}),
    ...(required !== undefined ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: required } } } : {}),
    ...(volumes !== undefined ? { volumes: volumes.map(claimVolumeOnly) } : {}),
    ...(initContainers !== undefined ? { initContainers: initContainers.map(sidecarFieldsOnly) } : {}),
  };
}

function nameOnly(container: Container): Container {
  return { name: container.name };
}

function sidecarFieldsOnly(container: Container): Container {
  const { name, restartPolicy } = container;
  return { name, ...(restartPolicy !== undefined ? { restartPolicy } : {}) };
}

function claimVolumeOnly(volume: Volume): Volume {
  const { name, persistentVolumeClaim } = volume;
  return { name, ...(persistentVolumeClaim !== undefined ? { persistentVolumeClaim } : {}) };
}

function statusForCache(status: PodStatus): PodStatus {
  // phase: terminal / active / created / pending / running (shared/pod-state.ts,
  //   statefulset/replica-state.ts, daemonset/manage.ts, replicaset/pods-to-delete.ts,
  //   deployment/recreate.ts oldPodsRunning).
  // conditions of type Ready only, whole and in their order: podReadyCondition takes the first
  //   Ready (shared/pod-state.ts: status, lastTransitionTime for minReadySeconds; also
  //   shared/ready-recheck.ts), podReadyTime the first Ready+True (replicaset/pods-to-delete.ts);
  //   keeping every Ready condition and dropping the others leaves both answers unchanged.
  // containerStatuses / initContainerStatuses, each as { name, restartCount }: maxContainerRestarts
  //   (replicaset/pods-to-delete.ts), which reads nothing else of them and skips non-objects.
  const { phase, conditions } = status;
  const ready = conditions?.filter((condition) => condition.type === 'Ready');
  const containerStatuses = restartCountsOnly(status.containerStatuses);
  const initContainerStatuses = restartCountsOnly(status.initContainerStatuses);
  return {
    ...(phase !== undefined ? { phase } : {}),
    ...(ready !== undefined && ready.length > 0 ? { conditions: ready } : {}),
    ...(containerStatuses !== undefined ? { containerStatuses } : {}),
    ...(initContainerStatuses !== undefined ? { initContainerStatuses } : {}),
  };
}

/** Container statuses are not in our Pod type: kept as the JSON they are, two fields of each. */
function restartCountsOnly(statuses: unknown): readonly Record<string, unknown>[] | undefined {
  if (!Array.isArray(statuses)) return undefined;
  return statuses.filter(isRecord).map(({ name, restartCount }) => ({
    ...(name !== undefined ? { name } : {}),
    ...(restartCount !== undefined ? { restartCount } : {}),
  }));
}
