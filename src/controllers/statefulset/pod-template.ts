// The objects a MyStatefulSet creates for an ordinal: its pod (at a given revision's template) and
// the PVCs of its volumeClaimTemplates, plus the identity and storage checks that decide whether an
// existing pod needs repair. Pure; every function returns new objects and never mutates its input.
// upstream: pkg/controller/statefulset/stateful_set_utils.go (newStatefulSetPod,
// newVersionedStatefulSetPod, getPersistentVolumeClaims, updateStorage, initIdentity,
// updateIdentity, identityMatches, storageMatches); pkg/controller/controller_utils.go GetPodFromTemplate.
import type { PersistentVolumeClaim, Pod, PodTemplateSpec, Volume } from '../../api/core.ts';
import type { ObjectMeta } from '../../api/meta.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import { controllerRef } from '../shared/ownership.ts';
import {
  getOrdinal,
  getPersistentVolumeClaimName,
  getPodName,
  getStartOrdinal,
  parentNameAndOrdinal,
  podIndexLabel,
  statefulSetOwner,
  statefulSetPodNameLabel,
  statefulSetRevisionLabel,
} from './identity.ts';
import { updateStrategyOf } from './strategy.ts';

export interface ClaimForPod {
  /** The volumeClaimTemplate's name, which is also the pod volume's name. */
  readonly templateName: string;
  readonly claim: PersistentVolumeClaim;
}

/**
 * The PVCs of the pod at `ordinal`, one per volumeClaimTemplate in template order: named
 * `<claim>-<set>-<ordinal>`, labelled with the template's labels overlaid by selector.matchLabels
 * (matchLabels win), without owner references (the retention policy adds them once the claim is
 * seen). Upstream builds a map, so its creation order is random; ours is template order.
 */
export function getPersistentVolumeClaims(set: MyStatefulSet, ordinal: number): readonly ClaimForPod[] {
  return (set.spec.volumeClaimTemplates ?? []).map((template) => {
    const templateName = template.metadata.name ?? '';
    const { labels, annotations, finalizers } = template.metadata;
    const matchLabels = set.spec.selector.matchLabels;
    const metadata: ObjectMeta = {
      name: getPersistentVolumeClaimName(set, templateName, ordinal),
      namespace: set.metadata.namespace,
      // upstream: a template without labels gets the matchLabels map itself (possibly nil).
      labels: labels !== undefined ? { ...labels, ...matchLabels } : matchLabels,
      ...(annotations !== undefined ? { annotations } : {}),
      ...(finalizers !== undefined ? { finalizers } : {}),
    };
    const claim: PersistentVolumeClaim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata,
      spec: template.spec,
    };
    return { templateName, claim };
  });
}

/**
 * The pod's volumes with one PVC volume per claim template (named after the template) first,
 * followed by the other volumes, a same-named template volume being replaced (upstream updateStorage).
 */
export function withClaimVolumes(set: MyStatefulSet, ordinal: number, volumes: readonly Volume[] | undefined): readonly Volume[] {
  const claims = getPersistentVolumeClaims(set, ordinal);
  const claimVolumes: Volume[] = claims.map(({ templateName, claim }) => ({
    name: templateName,
    persistentVolumeClaim: { claimName: claim.metadata.name ?? '' },
  }));
  const names = new Set(claims.map((c) => c.templateName));
  return [...claimVolumes, ...(volumes ?? []).filter((volume) => !names.has(volume.name))];
}

/**
 * The pod for `ordinal` from `template` (the set's template at some revision): template labels,
 * annotations and finalizers, a controller reference to the set, `generateName: <set>-` (as
 * GetPodFromTemplate leaves it), the identity labels, `hostname: <pod>`, `subdomain: serviceName`
 * (both only at creation: they are never repaired) and the claim volumes.
 */
export function newStatefulSetPod(set: MyStatefulSet, template: PodTemplateSpec, ordinal: number): Pod {
  const name = getPodName(set, ordinal);
  const meta = template.metadata;
  const { subdomain: _templateSubdomain, ...templateSpec } = template.spec;
  const serviceName = set.spec.serviceName ?? '';
  const volumes = withClaimVolumes(set, ordinal, templateSpec.volumes);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      generateName: `${set.metadata.name ?? ''}-`,
      namespace: set.metadata.namespace,
      labels: { ...meta?.labels, [statefulSetPodNameLabel]: name, [podIndexLabel]: String(ordinal) },
      ...(meta?.annotations !== undefined && Object.keys(meta.annotations).length > 0 ? { annotations: { ...meta.annotations } } : {}),
      ...(meta?.finalizers !== undefined && meta.finalizers.length > 0 ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [controllerRef(statefulSetOwner(set))],
    },
    spec: {
      ...templateSpec,
      hostname: name,
      // An empty serviceName clears a template subdomain, as upstream assigns "" (omitted on the wire).
      ...(serviceName !== '' ? { subdomain: serviceName } : {}),
      ...(volumes.length > 0 ? { volumes } : {}),
    },
  };
}

/** A revision (its full `<set>-<hash>` name) and the template it holds. */
export interface TemplateRevision {
  readonly name: string;
  readonly template: PodTemplateSpec;
}

/**
 * Which revision a (re)created pod is built at (upstream newVersionedStatefulSetPod):
 * - RollingUpdate: index (ordinal − start) < partition → current, else update.
 * - OnDelete → update (currentRevision never advances, so deleted pods come back updated).
 * - Source quirk kept: `type: RollingUpdate` with no `rollingUpdate` block (the API defaults one
 *   only when `type` itself was empty) compares the index with status.currentReplicas instead.
 */
export function revisionForOrdinal(set: MyStatefulSet, ordinal: number): 'current' | 'update' {
  const strategy = updateStrategyOf(set);
  const index = ordinal - getStartOrdinal(set);
  if (strategy.rollingUpdate === undefined) {
    if (strategy.type === 'RollingUpdate' && index < (set.status?.currentReplicas ?? 0)) return 'current';
    return 'update';
  }
  // upstream does not check the type here; validation forbids rollingUpdate with OnDelete.
  return index < strategy.rollingUpdate.partition ? 'current' : 'update';
}

/** The pod for `ordinal`, labelled `controller-revision-hash: <revision name>` (upstream newVersionedStatefulSetPod). */
export function newVersionedStatefulSetPod(
  set: MyStatefulSet,
  current: TemplateRevision,
  update: TemplateRevision,
  ordinal: number,
): Pod {
  const revision = revisionForOrdinal(set, ordinal) === 'current' ? current : update;
  const pod = newStatefulSetPod(set, revision.template, ordinal);
  return { ...pod, metadata: { ...pod.metadata, labels: { ...pod.metadata.labels, [statefulSetRevisionLabel]: revision.name } } };
}

/** Name, namespace and pod-name label agree with the ordinal the name carries. */
export function identityMatches(set: MyStatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentNameAndOrdinal(pod.metadata.name ?? '');
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.name === getPodName(set, ordinal) &&
    (pod.metadata.namespace ?? '') === (set.metadata.namespace ?? '') &&
    pod.metadata.labels?.[statefulSetPodNameLabel] === pod.metadata.name
  );
}

/** Every claim template has a same-named volume pointing at `<claim>-<set>-<ordinal>`. */
export function storageMatches(set: MyStatefulSet, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  // Later volumes with one name win, as upstream indexes them into a map.
  const volumes = new Map((pod.spec.volumes ?? []).map((volume) => [volume.name, volume]));
  return (set.spec.volumeClaimTemplates ?? []).every((template) => {
    const name = template.metadata.name ?? '';
    return volumes.get(name)?.persistentVolumeClaim?.claimName === getPersistentVolumeClaimName(set, name, ordinal);
  });
}

export interface StatefulPodRepair {
  /** The pod as UpdateStatefulPod would write it back. */
  readonly pod: Pod;
  /** Name, namespace, `pod-name` and `pod-index` labels were rewritten (upstream updateIdentity). */
  readonly identityRepaired: boolean;
  /** Claim volumes were put back (upstream updateStorage); the API rejects this on update. */
  readonly storageRepaired: boolean;
}

/**
 * The identity and storage half of UpdateStatefulPod. hostname and subdomain are not touched:
 * upstream sets them only at creation.
 */
export function repairStatefulPod(set: MyStatefulSet, pod: Pod): StatefulPodRepair {
  let repaired = pod;
  const identityRepaired = !identityMatches(set, pod);
  const ordinal = getOrdinal(pod);
  if (identityRepaired) {
    const name = getPodName(set, ordinal);
    repaired = {
      ...repaired,
      metadata: {
        ...repaired.metadata,
        name,
        namespace: set.metadata.namespace,
        labels: { ...repaired.metadata.labels, [statefulSetPodNameLabel]: name, [podIndexLabel]: String(ordinal) },
      },
    };
  }
  const storageRepaired = !storageMatches(set, repaired);
  if (storageRepaired) {
    repaired = { ...repaired, spec: { ...repaired.spec, volumes: withClaimVolumes(set, ordinal, repaired.spec.volumes) } };
  }
  return { pod: repaired, identityRepaired, storageRepaired };
}
