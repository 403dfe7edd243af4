// The pod template a ReplicaSet's pod was created from, read back from the pod: what the API server
// and its admission plugins added on creation is taken away, so the result can be compared with a
// template (pod-template-defaults.ts templatesEquivalent) or serve as the template of a ReplicaSet
// adopting the pod. Used when a MyDeployment takes over the pods an apps/v1 Deployment left behind
// (deployment/orphaned-pods.ts). Pure; the pod is never modified.
//
// upstream (k8s.io/kubernetes v1.36.3), what a pod gets that its template did not have:
// - pkg/controller/controller_utils.go GetPodFromTemplate: labels, annotations and finalizers of
//   the template, a generated name, the owner reference; the ReplicaSet's template carries the
//   pod-template-hash label on top of the Deployment's;
// - plugin/pkg/admission/serviceaccount/admission.go: serviceAccountName `default` when unset, the
//   `kube-api-access-<random>` projected token volume and its read-only mount at
//   /var/run/secrets/kubernetes.io/serviceaccount in every container, and the service account's
//   imagePullSecrets when the pod has none;
// - plugin/pkg/admission/defaulttolerationseconds/admission.go: NoExecute tolerations of the
//   not-ready and unreachable taints for 300 s, unless the pod tolerates those taints already;
// - plugin/pkg/admission/priority/admission.go: priority and preemptionPolicy resolved from
//   priorityClassName (a template cannot set other values: admission refuses them), and the
//   cluster's global default PriorityClass name when the pod names none;
// - pkg/apis/core/v1/defaults.go SetDefaults_Pod: enableServiceLinks, requests from limits, host
//   ports (withPodTemplateDefaults applies these to both sides of a comparison);
// - the scheduler: nodeName; the kubelet: status; other controllers and webhooks: labels and
//   annotations (e.g. topology.kubernetes.io/zone).
//
// What cannot be told from a pod and is not undone: mutating webhooks, LimitRanger's default
// resources, RuntimeClass overhead and scheduling, PodNodeSelector, PodTolerationRestriction,
// ExtendedResourceToleration, AlwaysPullImages, and a not-ready/unreachable toleration time other
// than the default 300 s (kube-apiserver --default-not-ready-toleration-seconds). A pod they changed
// does not match its template: it is treated as made from another one.
import type { Container, Pod, PodSpec, PodTemplateSpec, Toleration, Volume } from '../../api/core.ts';
import { isRecord } from '../../api/meta.ts';
import { podTemplateHashLabel } from '../../api/deployment-annotations.ts';
import { templatesEquivalent } from './pod-template-defaults.ts';

/** serviceaccount admission: DefaultServiceAccountName. */
const defaultServiceAccountName = 'default';
/** serviceaccount admission: ServiceAccountVolumeName, followed by `-<random>`. */
const tokenVolumePrefix = 'kube-api-access-';
/** serviceaccount admission: DefaultAPITokenMountPath. */
const tokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
/** defaulttolerationseconds: the taints and kube-apiserver's default toleration time. */
const defaultTolerationTaints: ReadonlySet<string> = new Set(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);
const defaultTolerationSeconds = 300;

/** The projected token volume the serviceaccount admission adds. */
function isTokenVolume(volume: Volume): boolean {
  const projected = volume.projected;
  return (
    volume.name.startsWith(tokenVolumePrefix) &&
    isRecord(projected) &&
    Array.isArray(projected.sources) &&
    projected.sources.some((source: unknown) => isRecord(source) && isRecord(source.serviceAccountToken))
  );
}

function withoutMountsOf(container: Container, volumes: ReadonlySet<string>): Container {
  const { volumeMounts: mounts, ...rest } = container;
  if (!Array.isArray(mounts)) return container;
  const kept = mounts.filter((mount: unknown) => !(isRecord(mount) && typeof mount.name === 'string' && volumes.has(mount.name) && mount.mountPath === tokenMountPath));
  // Lists that end up empty are left out, as the API server omits them.
  return kept.length === 0 ? rest : { ...rest, volumeMounts: kept };
}

/** The token volume and its mounts taken out. */
function withoutServiceAccountToken(spec: PodSpec): PodSpec {
  const { volumes, ...rest } = spec;
  const tokenVolumes = new Set((volumes ?? []).filter(isTokenVolume).map((volume) => volume.name));
  if (tokenVolumes.size === 0) return spec;
  const kept = (volumes ?? []).filter((volume) => !tokenVolumes.has(volume.name));
  let out: PodSpec = kept.length === 0 ? rest : { ...rest, volumes: kept };
  out = { ...out, containers: spec.containers.map((container) => withoutMountsOf(container, tokenVolumes)) };
  if (spec.initContainers !== undefined) out = { ...out, initContainers: spec.initContainers.map((container) => withoutMountsOf(container, tokenVolumes)) };
  return out;
}

function isDefaultToleration(toleration: Toleration): boolean {
  return (
    defaultTolerationTaints.has(toleration.key ?? '') &&
    toleration.operator === 'Exists' &&
    toleration.effect === 'NoExecute' &&
    toleration.tolerationSeconds === defaultTolerationSeconds &&
    (toleration.value ?? '') === ''
  );
}

/**
 * What admission adds whatever the cluster holds, taken away. Applied to the pod and to the template
 * it is compared with alike: a template that spells one of these out makes the same pods as one that
 * leaves it to admission (`serviceAccountName: default`, the default tolerations), and priority and
 * preemptionPolicy follow from priorityClassName.
 */
function withoutAdmissionDefaults(spec: PodSpec): PodSpec {
  const { priority: _priority, preemptionPolicy: _preemptionPolicy, ...rest } = spec;
  let out: PodSpec = withoutServiceAccountToken(rest);
  const account = out.serviceAccountName ?? out.serviceAccount;
  if (account === defaultServiceAccountName || account === '') {
    const { serviceAccountName: _name, serviceAccount: _alias, ...withoutAccount } = out;
    out = withoutAccount;
  }
  const { tolerations, ...withoutTolerations } = out;
  if (tolerations !== undefined) {
    const kept = tolerations.filter((toleration) => !isDefaultToleration(toleration));
    out = kept.length === 0 ? withoutTolerations : { ...withoutTolerations, tolerations: kept };
  }
  if (out.enableServiceLinks === true) {
    const { enableServiceLinks: _links, ...withoutLinks } = out;
    out = withoutLinks;
  }
  return out;
}

function withoutHashLabel(labels: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (labels === undefined) return undefined;
  const { [podTemplateHashLabel]: _hash, ...rest } = labels;
  return Object.keys(rest).length === 0 ? undefined : rest;
}

/**
 * The template `pod` was made from, as far as the pod tells: its labels but pod-template-hash (those
 * another controller added stay: nothing marks them), its annotations, and its spec without nodeName
 * and without what admission adds regardless of the cluster's objects (serviceAccountName `default`
 * and its token volume, the 300 s default tolerations, priority, preemptionPolicy,
 * enableServiceLinks: true). Other metadata and the status are dropped.
 */
export function templateFromPod(pod: Pod): PodTemplateSpec {
  const { nodeName: _nodeName, ...spec } = pod.spec;
  const labels = withoutHashLabel(pod.metadata.labels);
  const annotations = pod.metadata.annotations;
  return {
    metadata: { ...(labels === undefined ? {} : { labels }), ...(annotations === undefined ? {} : { annotations: { ...annotations } }) },
    spec: withoutAdmissionDefaults(spec),
  };
}

function isSubset(inner: Readonly<Record<string, string>> | undefined, outer: Readonly<Record<string, string>> | undefined): boolean {
  return Object.entries(inner ?? {}).every(([key, value]) => outer?.[key] === value);
}

/**
 * Whether `pod` was created from `template` (a Deployment's: no pod-template-hash): the template's
 * labels and annotations are among the pod's (others may have added some), and the spec rebuilt by
 * templateFromPod is templatesEquivalent to the template's once both lose what admission adds. Two
 * admission additions depend on cluster objects and are accepted only when the template leaves the
 * field empty: the service account's imagePullSecrets and the global default priorityClassName.
 * Consequence: dropping a label, an annotation, all imagePullSecrets or the priorityClassName from
 * a template is not seen as a change of the pods.
 */
export function podMatchesTemplate(pod: Pod, template: PodTemplateSpec): boolean {
  const rebuilt = templateFromPod(pod);
  const wanted = withoutHashLabel(template.metadata?.labels);
  if (!isSubset(wanted, rebuilt.metadata?.labels) || !isSubset(template.metadata?.annotations, rebuilt.metadata?.annotations)) return false;
  const { imagePullSecrets, priorityClassName, ...rest } = rebuilt.spec;
  // Filled in from cluster objects when the template leaves them empty: then not compared.
  const spec: PodSpec = {
    ...rest,
    ...(isAbsentOrEmpty(template.spec.imagePullSecrets) ? {} : { imagePullSecrets }),
    ...(isAbsentOrEmpty(template.spec.priorityClassName) ? {} : { priorityClassName }),
  };
  const metadata = template.metadata;
  return templatesEquivalent({ metadata, spec }, { metadata, spec: withoutAdmissionDefaults(template.spec) });
}

function isAbsentOrEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}
