// The pod a MyDaemonSet creates for a node, and the node a daemon pod belongs to. Pure: the CR's
// template is read, never modified.
// upstream: pkg/controller/daemon/util/daemonset_util.go (AddOrUpdateDaemonPodTolerations,
// CreatePodTemplate, ReplaceDaemonSetPodNodeNameNodeAffinity, GetTargetNodeName),
// pkg/controller/controller_utils.go GetPodFromTemplate (shared/pod-from-template.ts), daemon_controller.go syncNodes.
import type { Affinity, Pod, PodSpec, PodTemplateSpec, Toleration } from '../../api/core.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import { controllerRevisionHashLabel } from '../history/revisions.ts';
import { controllerRef } from '../shared/ownership.ts';
import { getPodFromTemplate } from '../shared/pod-from-template.ts';
import { addOrUpdateToleration } from '../shared/tolerations.ts';
import { daemonSetOwner } from './spec-defaults.ts';

/** `<ds>-`, or the bare name when that cannot prefix a pod name (moved to shared/ for MyReplicaSet). */
export { getPodsPrefix as podNamePrefix } from '../shared/pod-from-template.ts';

/** The field key node-binding affinity selects on. */
export const nodeNameField = 'metadata.name';

/**
 * Tolerations every daemon pod gets, in this order, so node problems neither evict it (NoExecute)
 * nor keep it off a node (NoSchedule). All `Exists`, no value, no tolerationSeconds.
 */
export const defaultDaemonTolerations: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

/** Only host-network pods may run before the node's network is up. */
export const hostNetworkToleration: Toleration = {
  key: 'node.kubernetes.io/network-unavailable',
  operator: 'Exists',
  effect: 'NoSchedule',
};

/**
 * Results per template spec. nodeShouldRunDaemonPod asks for every node, twice per sync (a fifth of
 * a sync's planning CPU at 1000 nodes before this, bench/); cached objects are never mutated, so
 * the spec object identifies its result, and a new MyDaemonSet version brings a new key.
 */
const daemonTolerationsCache = new WeakMap<PodSpec, PodSpec>();

/** upstream: AddOrUpdateDaemonPodTolerations. Returns a new spec (shared between calls: never mutate it). */
export function withDaemonTolerations(spec: PodSpec): PodSpec {
  const cached = daemonTolerationsCache.get(spec);
  if (cached !== undefined) return cached;
  const defaults = spec.hostNetwork === true ? [...defaultDaemonTolerations, hostNetworkToleration] : defaultDaemonTolerations;
  const tolerations = defaults.reduce<readonly Toleration[]>(addOrUpdateToleration, spec.tolerations ?? []);
  const result = { ...spec, tolerations };
  daemonTolerationsCache.set(spec, result);
  return result;
}

/**
 * upstream: CreatePodTemplate. The template with the default tolerations and the
 * `controller-revision-hash` label. (The deprecated `pod-template-generation` label is not set:
 * nothing maintains the annotation it comes from on a custom resource.)
 */
export function daemonPodTemplate(ds: MyDaemonSet, hash: string): PodTemplateSpec {
  const template = ds.spec.template;
  const labels = { ...(template.metadata?.labels ?? {}), ...(hash === '' ? {} : { [controllerRevisionHashLabel]: hash }) };
  return { metadata: { ...template.metadata, labels }, spec: withDaemonTolerations(template.spec) };
}

/**
 * upstream: ReplaceDaemonSetPodNodeNameNodeAffinity. All required node selector terms give way to
 * one term selecting the node by name; preferred terms and pod (anti-)affinity stay.
 */
export function replaceDaemonSetPodNodeNameNodeAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const nodeSelector = {
    nodeSelectorTerms: [{ matchFields: [{ key: nodeNameField, operator: 'In' as const, values: [nodeName] }] }],
  };
  const required = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return {
    ...affinity,
    nodeAffinity: {
      ...affinity?.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: { ...required, ...nodeSelector },
    },
  };
}

/**
 * The pod to create on `nodeName`: template labels (+ hash), annotations and finalizers, our
 * controller reference, the default tolerations and node-binding affinity; `nodeName` stays empty
 * so the scheduler binds it.
 */
export function newDaemonPod(ds: MyDaemonSet, nodeName: string, hash: string): Pod {
  const pod = getPodFromTemplate(daemonPodTemplate(ds, hash), ds, controllerRef(daemonSetOwner(ds)));
  return { ...pod, spec: { ...pod.spec, affinity: replaceDaemonSetPodNodeNameNodeAffinity(pod.spec.affinity, nodeName) } };
}

/**
 * upstream: GetTargetNodeName. `spec.nodeName`, else the single value of the first `metadata.name In`
 * matchFields requirement of the required node affinity. Undefined when neither exists, or that
 * first requirement has other than one value: such pods belong to no node and are ignored.
 */
export function nodeNameOfPod(pod: Pod): string | undefined {
  if ((pod.spec.nodeName ?? '') !== '') return pod.spec.nodeName;
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const req of term.matchFields ?? []) {
      if (req.key === nodeNameField && req.operator === 'In') {
        const values = req.values ?? [];
        return values.length === 1 ? values[0] : undefined;
      }
    }
  }
  return undefined;
}
