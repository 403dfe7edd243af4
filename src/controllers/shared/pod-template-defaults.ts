// The API server's defaulting of a pod template, so that a template as written in a manifest can be
// compared with one that kube-controller-manager stored (a ControllerRevision's data, an apps/v1
// ReplicaSet's template) or rebuilt from a running pod: our custom resources' schema applies only the
// declarative defaults (`protocol: TCP`, `terminationMessagePath`…), never the conditional ones
// (`imagePullPolicy` from the image tag), so a template we hold and the same template defaulted by
// apps/v1 differ while meaning the same pods. Pure; inputs are never modified.
//
// upstream (k8s.io/kubernetes v1.36.3):
// - pkg/apis/apps/v1/zz_generated.defaults.go SetObjectDefaults_DaemonSet (and the StatefulSet and
//   Deployment ones, identical for the template): which defaulter runs on which part of a template,
//   and the declarative `+default` values inlined there (ports' protocol, fileKeyRef.optional, grpc
//   service, iscsi, rbd, azureDisk and scaleIO fields);
// - pkg/apis/core/v1/defaults.go SetDefaults_PodSpec, SetDefaults_Container, SetDefaults_Probe,
//   SetDefaults_HTTPGetAction, SetDefaults_Volume, SetDefaults_*VolumeSource,
//   SetDefaults_ServiceAccountTokenProjection, SetDefaults_ObjectFieldSelector,
//   SetDefaults_PersistentVolumeClaimSpec, SetDefaults_ResourceList;
// - pkg/apis/core/v1/conversion.go Convert_v1_PodSpec_To_core_PodSpec and back: serviceAccount is
//   an alias of serviceAccountName, so every stored template carries both;
// - pkg/apis/core/v1/defaults.go SetDefaults_Pod: the defaults only a Pod gets (requests from
//   limits, enableServiceLinks, host ports under hostNetwork). They are applied here too: two
//   templates equal after them make equal pods, and a template rebuilt from a pod (template-from-pod.ts)
//   carries them. Host ports under hostNetwork were template defaults before v1.28 (feature gate
//   DefaultHostNetworkHostPortsInPodTemplates), so revisions stored by older clusters have them.
//
// Not applied: SetDefaults_Pod's pod-level resources (defaultPodRequests, defaultHugePagePodLimits:
// they aggregate container requests the way the scheduler does; rare in templates).
import type { PodTemplateSpec } from '../../api/core.ts';
import { isRecord } from '../../api/meta.ts';
import { defaultImagePullPolicy } from './image-reference.ts';
import { quantityFromJson } from './quantity.ts';
import { podTemplatesSemanticallyEqual } from './semantic-equality.ts';

type Json = Readonly<Record<string, unknown>>;

/** Go's zero value for a string field (`== ""`): absent, null or empty. */
function noString(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** Go's nil pointer: absent or null. */
function nil(value: unknown): boolean {
  return value === undefined || value === null;
}

/** Go's zero value for an int field (`== 0`). */
function zero(value: unknown): boolean {
  return value === undefined || value === null || value === 0;
}

/** `obj` with `key` set to `value` where `unset` says Go would default it. */
function withDefault(obj: Json, key: string, unset: (value: unknown) => boolean, value: unknown): Json {
  return unset(obj[key]) ? { ...obj, [key]: value } : obj;
}

/** Applies `fn` to `obj[key]` when it is an object. */
function under(obj: Json, key: string, fn: (member: Json) => Json): Json {
  const member = obj[key];
  return isRecord(member) ? { ...obj, [key]: fn(member) } : obj;
}

/** Applies `fn` to each object item of the array `obj[key]`; other items stay as they are. */
function eachIn(obj: Json, key: string, fn: (item: Json) => Json): Json {
  const list = obj[key];
  if (!Array.isArray(list)) return obj;
  return { ...obj, [key]: list.map((item: unknown) => (isRecord(item) ? fn(item) : item)) };
}

/**
 * SetDefaults_ResourceList: every quantity rounded up to the milli scale ("0.0001" → "1m"). Only a
 * value finer than a milli is rewritten; the others keep their spelling (equality compares amounts).
 */
function roundedResourceList(list: Json): Json {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(list)) out[name] = roundedUpToMilli(value);
  return out;
}

function roundedUpToMilli(value: unknown): unknown {
  const q = quantityFromJson(value);
  if (q === undefined || q.exponent >= -3) return value;
  const divisor = 10n ** BigInt(-3 - q.exponent);
  // RoundUp goes away from zero.
  const millis = q.coefficient / divisor + (q.coefficient % divisor === 0n ? 0n : 1n);
  return `${q.negative ? '-' : ''}${millis}m`;
}

function roundedRequirements(resources: Json): Json {
  return under(under(resources, 'limits', roundedResourceList), 'requests', roundedResourceList);
}

/** SetDefaults_Pod: a container's limits fill in its missing requests (Pods only, not templates). */
function requestsFromLimits(resources: Json): Json {
  const limits = resources.limits;
  if (!isRecord(limits) || Object.keys(limits).length === 0) return resources;
  const requests = isRecord(resources.requests) ? resources.requests : {};
  return { ...resources, requests: { ...limits, ...requests } };
}

/** SetDefaults_HTTPGetAction. */
function defaultHttpGet(action: Json): Json {
  return withDefault(withDefault(action, 'path', noString, '/'), 'scheme', noString, 'HTTP');
}

/** SetDefaults_Probe, the HTTPGetAction under it and the grpc `service` default (""). */
function defaultProbe(probe: Json): Json {
  let out = withDefault(probe, 'timeoutSeconds', zero, 1);
  out = withDefault(out, 'periodSeconds', zero, 10);
  out = withDefault(out, 'successThreshold', zero, 1);
  out = withDefault(out, 'failureThreshold', zero, 3);
  out = under(out, 'httpGet', defaultHttpGet);
  return under(out, 'grpc', (grpc) => withDefault(grpc, 'service', nil, ''));
}

/** SetDefaults_ObjectFieldSelector. */
function defaultFieldRef(ref: Json): Json {
  return withDefault(ref, 'apiVersion', noString, 'v1');
}

type ContainerList = 'containers' | 'initContainers' | 'ephemeralContainers';

/**
 * SetDefaults_Container and what the generated defaulter does under a container; with the Pod-only
 * defaults of SetDefaults_Pod for regular and init containers (requests from limits, and host ports
 * when the pod uses the host's network).
 */
function defaultContainer(container: Json, list: ContainerList, hostNetwork: boolean): Json {
  const image = typeof container.image === 'string' ? container.image : '';
  let out = withDefault(container, 'imagePullPolicy', noString, defaultImagePullPolicy(image));
  out = withDefault(out, 'terminationMessagePath', noString, '/dev/termination-log');
  out = withDefault(out, 'terminationMessagePolicy', noString, 'File');
  const podDefaults = list !== 'ephemeralContainers';
  out = eachIn(out, 'ports', (port) => {
    const withProtocol = withDefault(port, 'protocol', noString, 'TCP');
    return podDefaults && hostNetwork ? withDefault(withProtocol, 'hostPort', zero, withProtocol.containerPort) : withProtocol;
  });
  out = eachIn(out, 'env', (env) =>
    under(env, 'valueFrom', (from) =>
      under(under(from, 'fieldRef', defaultFieldRef), 'fileKeyRef', (ref) => withDefault(ref, 'optional', nil, false)),
    ),
  );
  out = under(out, 'resources', (resources) => {
    const rounded = roundedRequirements(resources);
    return podDefaults ? requestsFromLimits(rounded) : rounded;
  });
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) out = under(out, probe, defaultProbe);
  return under(out, 'lifecycle', (lifecycle) =>
    under(under(lifecycle, 'postStart', (h) => under(h, 'httpGet', defaultHttpGet)), 'preStop', (h) => under(h, 'httpGet', defaultHttpGet)),
  );
}

/** Volume defaultMode for secret, configMap, downwardAPI and projected sources: 0644. */
const defaultMode = 0o644;

function defaultDownwardApiItems(source: Json): Json {
  return eachIn(source, 'items', (item) => under(item, 'fieldRef', defaultFieldRef));
}

/** SetDefaults_Volume and the source defaulters the generated defaulter calls under a volume. */
function defaultVolume(volume: Json): Json {
  // AllPtrFieldsNil(&VolumeSource): a volume naming no source is an emptyDir.
  const hasSource = Object.entries(volume).some(([key, value]) => key !== 'name' && !nil(value));
  let out = hasSource ? volume : { ...volume, emptyDir: {} };
  out = under(out, 'image', (image) =>
    withDefault(image, 'pullPolicy', noString, defaultImagePullPolicy(typeof image.reference === 'string' ? image.reference : '')),
  );
  out = under(out, 'hostPath', (source) => withDefault(source, 'type', nil, ''));
  out = under(out, 'secret', (source) => withDefault(source, 'defaultMode', nil, defaultMode));
  out = under(out, 'configMap', (source) => withDefault(source, 'defaultMode', nil, defaultMode));
  out = under(out, 'downwardAPI', (source) => defaultDownwardApiItems(withDefault(source, 'defaultMode', nil, defaultMode)));
  out = under(out, 'projected', (source) =>
    eachIn(withDefault(source, 'defaultMode', nil, defaultMode), 'sources', (projection) =>
      under(under(projection, 'downwardAPI', defaultDownwardApiItems), 'serviceAccountToken', (token) =>
        withDefault(token, 'expirationSeconds', nil, 3600),
      ),
    ),
  );
  out = under(out, 'iscsi', (source) => withDefault(source, 'iscsiInterface', noString, 'default'));
  out = under(out, 'rbd', (source) => {
    const pooled = withDefault(withDefault(source, 'pool', noString, 'rbd'), 'user', noString, 'admin');
    return withDefault(pooled, 'keyring', noString, '/etc/ceph/keyring');
  });
  out = under(out, 'azureDisk', (source) => {
    const cached = withDefault(withDefault(source, 'cachingMode', nil, 'ReadWrite'), 'fsType', nil, 'ext4');
    return withDefault(withDefault(cached, 'readOnly', nil, false), 'kind', nil, 'Shared');
  });
  out = under(out, 'scaleIO', (source) => withDefault(withDefault(source, 'storageMode', noString, 'ThinProvisioned'), 'fsType', noString, 'xfs'));
  return under(out, 'ephemeral', (ephemeral) =>
    under(ephemeral, 'volumeClaimTemplate', (claim) =>
      under(claim, 'spec', (spec) => under(withDefault(spec, 'volumeMode', nil, 'Filesystem'), 'resources', roundedRequirements)),
    ),
  );
}

/**
 * Convert_v1_PodSpec_To_core_PodSpec and back: serviceAccountName wins, the deprecated
 * serviceAccount fills it when it is empty, and the stored object carries both.
 */
function mirrorServiceAccount(spec: Json): Json {
  const name = !noString(spec.serviceAccountName) ? spec.serviceAccountName : spec.serviceAccount;
  if (noString(name)) return spec;
  return { ...spec, serviceAccountName: name, serviceAccount: name };
}

/** SetDefaults_PodSpec, the conversion's alias, the volume and container defaulters, and SetDefaults_Pod's part. */
function defaultPodSpec(spec: Json): Json {
  let out = withDefault(spec, 'dnsPolicy', noString, 'ClusterFirst');
  out = withDefault(out, 'restartPolicy', noString, 'Always');
  out = withDefault(out, 'securityContext', nil, {});
  out = withDefault(out, 'terminationGracePeriodSeconds', nil, 30);
  out = withDefault(out, 'schedulerName', noString, 'default-scheduler');
  out = mirrorServiceAccount(out);
  out = eachIn(out, 'volumes', defaultVolume);
  const hostNetwork = out.hostNetwork === true;
  for (const list of ['containers', 'initContainers', 'ephemeralContainers'] as const) {
    out = eachIn(out, list, (container) => defaultContainer(container, list, hostNetwork));
  }
  out = under(out, 'overhead', roundedResourceList);
  out = under(out, 'resources', roundedRequirements);
  // SetDefaults_Pod
  return withDefault(out, 'enableServiceLinks', nil, true);
}

/**
 * The template with apps/v1's defaults applied, and those a pod created from it gets on top
 * (SetDefaults_Pod): what the fields would read on a Pod made from it before admission plugins run.
 * Only unset fields are filled, so applying it twice changes nothing more.
 */
export function withPodTemplateDefaults(template: PodTemplateSpec): PodTemplateSpec {
  return { ...template, spec: { ...template.spec, ...defaultPodSpec(template.spec) } };
}

/**
 * Two templates make the same pods: semantically equal (shared/semantic-equality.ts) once both are
 * defaulted as the API server does. This is what kube-controller-manager's own comparisons amount
 * to, since everything it compares was defaulted on the way in.
 */
export function templatesEquivalent(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return podTemplatesSemanticallyEqual(withPodTemplateDefaults(a), withPodTemplateDefaults(b));
}
