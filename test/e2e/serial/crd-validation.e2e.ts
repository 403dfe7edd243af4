// The CRDs in crds/ on a real API server: the seeds' DaemonSet and StatefulSet convert by changing
// apiVersion and kind and come back defaulted like apps/v1; invalid manifests are rejected with a
// message naming the field (schema keywords and CEL rules, including transition rules); the pod
// template is structural (explain works, unknown fields are rejected); scale works.
//
//   npm run test:e2e -- test/e2e/serial/crd-validation.e2e.ts
//
// Serial: it writes status fields by hand (scale, status validation), which a running controller
// would overwrite; the serial phase runs no shared operator.
// kubectl comes from $MWO_BIN (set by the e2e runner) or the control-plane build cache.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { controlPlaneBin, repoRoot } from '../../../hack/cluster.ts';
import { isJsonObject, toJson, type Json, type JsonObject } from '../../../hack/gen-crds.ts';
import { pollUntil } from '../../../hack/poll.ts';
import { kubeconfigPath } from '../support/env.ts';

const kubeconfig = kubeconfigPath();

interface KubectlResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

let kubectlPath: string | undefined;

function kubectl(args: readonly string[], input?: string): Promise<KubectlResult> {
  const bin = kubectlPath;
  if (bin === undefined) throw new Error('kubectl not located yet');
  return new Promise((resolve) => {
    const child = execFile(bin, ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ ok: err === null, stdout, stderr }),
    );
    child.stdin?.end(input ?? '');
  });
}

async function kubectlOk(args: readonly string[], input?: string): Promise<string> {
  const result = await kubectl(args, input);
  if (!result.ok) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

async function getJson(args: readonly string[]): Promise<JsonObject> {
  const value = toJson(JSON.parse(await kubectlOk([...args, '-o', 'json'])));
  if (!isJsonObject(value)) throw new Error(`kubectl ${args.join(' ')}: not an object`);
  return value;
}

/** The value at a dotted path (numeric segments index lists), or undefined. */
function at(value: Json | undefined, where: string): Json | undefined {
  let node = value;
  for (const key of where.split('.')) {
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isJsonObject(node)) node = node[key];
    else return undefined;
  }
  return node;
}

/** JSON merge patch (RFC 7386): objects merge, null deletes, anything else replaces. */
function merge(base: Json, patch: Json): Json {
  if (!isJsonObject(patch)) return patch;
  const out: JsonObject = isJsonObject(base) ? { ...base } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = merge(out[key] ?? null, value);
  }
  return out;
}

// The seeds' manifests (fluentd-elasticsearch DaemonSet, `web` StatefulSet), converted.
const fluentd: JsonObject = {
  apiVersion: 'apps.my.dev/v1alpha1',
  kind: 'MyDaemonSet',
  metadata: { name: 'fluentd-elasticsearch', labels: { 'k8s-app': 'fluentd-logging' } },
  spec: {
    selector: { matchLabels: { name: 'fluentd-elasticsearch' } },
    template: {
      metadata: { labels: { name: 'fluentd-elasticsearch' } },
      spec: {
        tolerations: [{ key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' }],
        containers: [
          {
            name: 'fluentd-elasticsearch',
            image: 'k8s.gcr.io/fluentd-elasticsearch:1.20',
            resources: { limits: { memory: '200Mi' }, requests: { cpu: '100m', memory: '200Mi' } },
            volumeMounts: [
              { name: 'varlog', mountPath: '/var/log' },
              { name: 'varlibdockercontainers', mountPath: '/var/lib/docker/containers', readOnly: true },
            ],
          },
        ],
        terminationGracePeriodSeconds: 30,
        volumes: [
          { name: 'varlog', hostPath: { path: '/var/log' } },
          { name: 'varlibdockercontainers', hostPath: { path: '/var/lib/docker/containers' } },
        ],
      },
    },
  },
};

const web: JsonObject = {
  apiVersion: 'apps.my.dev/v1alpha1',
  kind: 'MyStatefulSet',
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'nginx' } },
    serviceName: 'nginx',
    replicas: 3,
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: {
        terminationGracePeriodSeconds: 10,
        containers: [
          {
            name: 'nginx',
            image: 'nginx:1.7.9',
            ports: [{ containerPort: 80, name: 'web' }],
            volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }],
          },
        ],
      },
    },
    volumeClaimTemplates: [
      {
        metadata: { name: 'www' },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'my-storage-class', resources: { requests: { storage: '1Gi' } } },
      },
    ],
  },
};

/** The seeds' nginx Deployment (examples/nginx-deployment.yaml). */
const nginx: JsonObject = {
  apiVersion: 'apps.my.dev/v1alpha1',
  kind: 'MyDeployment',
  metadata: { name: 'nginx-deployment', labels: { app: 'nginx' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { app: 'nginx' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.7.9', ports: [{ containerPort: 80 }] }] },
    },
  },
};

/** upstream docs' frontend ReplicaSet. */
const frontend: JsonObject = {
  apiVersion: 'apps.my.dev/v1alpha1',
  kind: 'MyReplicaSet',
  metadata: { name: 'frontend', labels: { app: 'guestbook', tier: 'frontend' } },
  spec: {
    replicas: 3,
    selector: { matchLabels: { tier: 'frontend' } },
    template: {
      metadata: { labels: { tier: 'frontend' } },
      spec: { containers: [{ name: 'php-redis', image: 'us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5' }] },
    },
  },
};

const asAppsV1 = (manifest: JsonObject, kind: string): Json => merge(manifest, { apiVersion: 'apps/v1', kind });
const claim = (name: string, storage: string): JsonObject => ({
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
});
const templateSpec = (patch: JsonObject): JsonObject => ({ spec: { template: { spec: patch } } });
const container = (patch: JsonObject): JsonObject => ({ name: 'c', image: 'busybox:1.36', ...patch });

interface Rejection {
  readonly name: string;
  readonly base: JsonObject;
  /** JSON merge patch applied to base; lists replace whole. */
  readonly patch: JsonObject;
  /** Substrings of kubectl's error, naming the field. */
  readonly expect: readonly string[];
}

/** Replaces the selector's matchLabels with matchExpressions. */
const withExpressions = (expressions: Json[]): JsonObject => ({
  spec: { selector: { matchLabels: null, matchExpressions: expressions } },
});

const rejections: readonly Rejection[] = [
  // selector (both kinds)
  { name: 'a missing selector', base: fluentd, patch: { spec: { selector: null } }, expect: ['spec.selector: Required value'] },
  {
    name: 'an empty selector',
    base: fluentd,
    patch: { spec: { selector: { matchLabels: null } } },
    expect: ['spec.selector', 'selector must not be empty'],
  },
  {
    name: 'an empty StatefulSet selector',
    base: web,
    patch: withExpressions([]),
    expect: ['spec.selector', 'selector must not be empty'],
  },
  {
    name: 'matchLabels the template labels do not satisfy',
    base: fluentd,
    patch: { spec: { selector: { matchLabels: { name: 'other' } } } },
    expect: ['spec.template.metadata.labels', 'selector does not match template labels'],
  },
  {
    name: 'template labels missing a matchLabels key',
    base: web,
    patch: { spec: { template: { metadata: { labels: { app: null, tier: 'web' } } } } },
    expect: ['spec.template.metadata.labels', 'must contain every spec.selector.matchLabels entry'],
  },
  {
    name: 'an In requirement the template value is not in',
    base: fluentd,
    patch: withExpressions([{ key: 'name', operator: 'In', values: ['a', 'b'] }]),
    expect: ['spec.template.metadata.labels', 'must satisfy every spec.selector.matchExpressions requirement'],
  },
  {
    name: 'a NotIn requirement excluding the template value',
    base: fluentd,
    patch: withExpressions([{ key: 'name', operator: 'NotIn', values: ['fluentd-elasticsearch'] }]),
    expect: ['spec.template.metadata.labels', 'matchExpressions requirement'],
  },
  {
    name: 'an Exists requirement on an absent label',
    base: fluentd,
    patch: withExpressions([{ key: 'tier', operator: 'Exists' }]),
    expect: ['spec.template.metadata.labels', 'matchExpressions requirement'],
  },
  {
    name: 'a DoesNotExist requirement on a present label',
    base: fluentd,
    patch: withExpressions([{ key: 'name', operator: 'DoesNotExist' }]),
    expect: ['spec.template.metadata.labels', 'matchExpressions requirement'],
  },
  {
    name: 'an unknown selector operator',
    base: fluentd,
    patch: withExpressions([{ key: 'name', operator: 'Equals', values: ['fluentd-elasticsearch'] }]),
    expect: ['spec.selector.matchExpressions[0].operator: Unsupported value: "Equals"'],
  },
  {
    name: 'an In requirement without values',
    base: fluentd,
    patch: withExpressions([{ key: 'name', operator: 'In' }]),
    expect: ['spec.selector.matchExpressions[0].values', 'values must be non-empty when operator is In or NotIn'],
  },
  {
    name: 'an Exists requirement with values',
    base: fluentd,
    patch: withExpressions([{ key: 'name', operator: 'Exists', values: ['x'] }]),
    expect: ['spec.selector.matchExpressions[0].values', 'empty when operator is Exists or DoesNotExist'],
  },
  // pod template (both kinds)
  {
    name: 'restartPolicy Never',
    base: fluentd,
    patch: templateSpec({ restartPolicy: 'Never' }),
    expect: ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
  },
  {
    name: 'restartPolicy OnFailure in a StatefulSet',
    base: web,
    patch: templateSpec({ restartPolicy: 'OnFailure' }),
    expect: ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure"'],
  },
  {
    name: 'activeDeadlineSeconds',
    base: fluentd,
    patch: templateSpec({ activeDeadlineSeconds: 60 }),
    expect: ['spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds is forbidden in a MyDaemonSet pod template'],
  },
  {
    name: 'activeDeadlineSeconds in a StatefulSet',
    base: web,
    patch: templateSpec({ activeDeadlineSeconds: 60 }),
    expect: ['spec.template.spec.activeDeadlineSeconds', 'forbidden in a MyStatefulSet pod template'],
  },
  {
    name: 'no containers',
    base: fluentd,
    patch: templateSpec({ containers: [] }),
    expect: ['spec.template.spec.containers', 'at least 1 items'],
  },
  {
    name: 'a container without a name',
    base: fluentd,
    patch: templateSpec({ containers: [{ image: 'busybox' }] }),
    expect: ['spec.template.spec.containers[0].name: Required value'],
  },
  {
    name: 'a container without an image',
    base: fluentd,
    patch: templateSpec({ containers: [{ name: 'c' }] }),
    expect: ['spec.template.spec.containers[0].image: Required value'],
  },
  {
    name: 'a container with an empty image',
    base: web,
    patch: templateSpec({ containers: [container({ image: '' })] }),
    expect: ['spec.template.spec.containers[0].image'],
  },
  {
    name: 'a container name that is not a DNS label',
    base: fluentd,
    patch: templateSpec({ containers: [container({ name: 'Fluentd_1' })] }),
    expect: ['spec.template.spec.containers[0].name', 'k8s-short-name'],
  },
  {
    name: 'duplicate container names',
    base: fluentd,
    patch: templateSpec({ containers: [container({}), container({ image: 'nginx' })] }),
    expect: ['spec.template.spec.containers[1]: Duplicate value'],
  },
  {
    name: 'an init container named like a container',
    base: fluentd,
    patch: templateSpec({ initContainers: [container({ name: 'fluentd-elasticsearch' })] }),
    expect: ['spec.template.spec.initContainers', 'container names are unique across both lists'],
  },
  {
    name: 'a template label value that is not a label value',
    base: web,
    patch: { spec: { template: { metadata: { labels: { tier: 'front end' } } } } },
    expect: ['spec.template.metadata.labels.tier', 'should match'],
  },
  {
    name: 'a selector requirement key that is not a label key',
    base: fluentd,
    patch: withExpressions([{ key: 'bad key', operator: 'Exists' }]),
    expect: ['spec.selector.matchExpressions[0].key', 'should match'],
  },
  {
    name: 'a container port out of range',
    base: web,
    patch: templateSpec({ containers: [container({ ports: [{ containerPort: 70000 }] })] }),
    expect: ['spec.template.spec.containers[0].ports[0].containerPort', 'less than or equal to 65535'],
  },
  {
    name: 'an unknown port protocol',
    base: web,
    patch: templateSpec({ containers: [container({ ports: [{ containerPort: 80, protocol: 'HTTP' }] })] }),
    expect: ['spec.template.spec.containers[0].ports[0].protocol: Unsupported value: "HTTP"'],
  },
  {
    name: 'duplicate volume names',
    base: fluentd,
    patch: templateSpec({ volumes: [{ name: 'v', emptyDir: {} }, { name: 'v', hostPath: { path: '/tmp' } }] }),
    expect: ['spec.template.spec.volumes[1]: Duplicate value'],
  },
  {
    name: 'ephemeral containers',
    base: fluentd,
    patch: templateSpec({ ephemeralContainers: [{ name: 'debug', image: 'busybox' }] }),
    expect: ['spec.template.spec.ephemeralContainers', 'ephemeralContainers are not allowed in a pod template'],
  },
  {
    name: 'an unknown field under spec.template.spec',
    base: fluentd,
    patch: templateSpec({ bogusField: true }),
    expect: ['unknown field "spec.template.spec.bogusField"'],
  },
  {
    name: 'an unknown field in a container',
    base: web,
    patch: templateSpec({ containers: [container({ imagePullPolicyy: 'Always' })] }),
    expect: ['unknown field "spec.template.spec.containers[0].imagePullPolicyy"'],
  },
  // MyDaemonSet spec
  {
    name: 'an unknown updateStrategy type',
    base: fluentd,
    patch: { spec: { updateStrategy: { type: 'Recreate' } } },
    expect: ['spec.updateStrategy.type: Unsupported value: "Recreate"'],
  },
  {
    name: 'maxUnavailable over 100%',
    base: fluentd,
    patch: { spec: { updateStrategy: { rollingUpdate: { maxUnavailable: '150%' } } } },
    expect: ['spec.updateStrategy.rollingUpdate.maxUnavailable', 'not greater than 100%'],
  },
  {
    name: 'a negative maxUnavailable',
    base: fluentd,
    patch: { spec: { updateStrategy: { rollingUpdate: { maxUnavailable: -1 } } } },
    expect: ['spec.updateStrategy.rollingUpdate.maxUnavailable', 'non-negative integer or a percentage'],
  },
  {
    name: 'a maxSurge that is neither integer nor percentage',
    base: fluentd,
    patch: { spec: { updateStrategy: { rollingUpdate: { maxSurge: 'two', maxUnavailable: 0 } } } },
    expect: ['spec.updateStrategy.rollingUpdate.maxSurge', 'non-negative integer or a percentage'],
  },
  {
    name: 'maxUnavailable and maxSurge both zero',
    base: fluentd,
    patch: { spec: { updateStrategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } } },
    expect: ['spec.updateStrategy.rollingUpdate.maxUnavailable', 'cannot be 0 when rollingUpdate.maxSurge is 0'],
  },
  {
    name: 'maxSurge with the default maxUnavailable (both non-zero)',
    base: fluentd,
    patch: { spec: { updateStrategy: { rollingUpdate: { maxSurge: 1 } } } },
    expect: ['spec.updateStrategy.rollingUpdate.maxSurge', 'may not be set when rollingUpdate.maxUnavailable is non-zero'],
  },
  {
    name: 'a negative minReadySeconds',
    base: fluentd,
    patch: { spec: { minReadySeconds: -1 } },
    expect: ['spec.minReadySeconds', 'greater than or equal to 0'],
  },
  {
    name: 'a negative revisionHistoryLimit',
    base: fluentd,
    patch: { spec: { revisionHistoryLimit: -1 } },
    expect: ['spec.revisionHistoryLimit', 'greater than or equal to 0'],
  },
  { name: 'a missing spec', base: fluentd, patch: { spec: null }, expect: ['spec: Required value'] },
  // MyStatefulSet spec
  { name: 'negative replicas', base: web, patch: { spec: { replicas: -1 } }, expect: ['spec.replicas', 'greater than or equal to 0'] },
  {
    name: 'an unknown podManagementPolicy',
    base: web,
    patch: { spec: { podManagementPolicy: 'Random' } },
    expect: ['spec.podManagementPolicy: Unsupported value: "Random"'],
  },
  {
    name: 'an unknown StatefulSet updateStrategy type',
    base: web,
    patch: { spec: { updateStrategy: { type: 'Recreate' } } },
    expect: ['spec.updateStrategy.type: Unsupported value: "Recreate"'],
  },
  {
    name: 'OnDelete with rollingUpdate',
    base: web,
    patch: { spec: { updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } } },
    expect: ['spec.updateStrategy.rollingUpdate', "only allowed when updateStrategy.type is 'RollingUpdate'"],
  },
  {
    name: 'a negative partition',
    base: web,
    patch: { spec: { updateStrategy: { rollingUpdate: { partition: -1 } } } },
    expect: ['spec.updateStrategy.rollingUpdate.partition', 'greater than or equal to 0'],
  },
  {
    name: 'maxUnavailable 0',
    base: web,
    patch: { spec: { updateStrategy: { rollingUpdate: { maxUnavailable: 0 } } } },
    expect: ['spec.updateStrategy.rollingUpdate.maxUnavailable', 'integer of at least 1 or a percentage between 1% and 100%'],
  },
  {
    name: 'maxUnavailable 0%',
    base: web,
    patch: { spec: { updateStrategy: { rollingUpdate: { maxUnavailable: '0%' } } } },
    expect: ['spec.updateStrategy.rollingUpdate.maxUnavailable', 'between 1% and 100%'],
  },
  {
    name: 'maxUnavailable 101%',
    base: web,
    patch: { spec: { updateStrategy: { rollingUpdate: { maxUnavailable: '101%' } } } },
    expect: ['spec.updateStrategy.rollingUpdate.maxUnavailable', 'between 1% and 100%'],
  },
  {
    name: 'an unknown PVC retention policy',
    base: web,
    patch: { spec: { persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep' } } },
    expect: ['spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep"'],
  },
  {
    name: 'a negative ordinals.start',
    base: web,
    patch: { spec: { ordinals: { start: -1 } } },
    expect: ['spec.ordinals.start', 'greater than or equal to 0'],
  },
  {
    name: 'a serviceName that is not a DNS label',
    base: web,
    patch: { spec: { serviceName: 'Nginx_Service' } },
    expect: ['spec.serviceName', 'serviceName must be a DNS-1123 label'],
  },
  {
    name: 'a name that is a DNS subdomain but not a label',
    base: web,
    patch: { metadata: { name: 'web.v1' } },
    expect: ['metadata.name must be a DNS-1123 label'],
  },
  {
    name: 'a volumeClaimTemplate without a name',
    base: web,
    patch: { spec: { volumeClaimTemplates: [merge(claim('www', '1Gi'), { metadata: { name: null } })] } },
    expect: ['spec.volumeClaimTemplates[0].metadata.name: Required value'],
  },
  {
    name: 'a volumeClaimTemplate without a storage request',
    base: web,
    patch: {
      spec: { volumeClaimTemplates: [merge(claim('www', '1Gi'), { spec: { resources: { requests: { storage: null, cpu: '1' } } } })] },
    },
    expect: ['spec.volumeClaimTemplates[0].spec.resources.requests.storage: Required value'],
  },
  {
    name: 'a volumeClaimTemplate without access modes',
    base: web,
    patch: { spec: { volumeClaimTemplates: [merge(claim('www', '1Gi'), { spec: { accessModes: null } })] } },
    expect: ['spec.volumeClaimTemplates[0].spec.accessModes: Required value'],
  },
  {
    name: 'an unknown access mode',
    base: web,
    patch: { spec: { volumeClaimTemplates: [merge(claim('www', '1Gi'), { spec: { accessModes: ['ReadWriteSometimes'] } })] } },
    expect: ['spec.volumeClaimTemplates[0].spec.accessModes[0]: Unsupported value: "ReadWriteSometimes"'],
  },
];

interface Acceptance {
  readonly name: string;
  readonly base: JsonObject;
  readonly patch: JsonObject;
  /** Expected values at dotted paths of the stored (defaulted) object. */
  readonly expect: Readonly<Record<string, Json>>;
}

const acceptances: readonly Acceptance[] = [
  {
    name: 'updateStrategy {type: RollingUpdate} gets the rollingUpdate defaults',
    base: fluentd,
    patch: { spec: { updateStrategy: { type: 'RollingUpdate' } } },
    expect: { 'spec.updateStrategy': { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } },
  },
  {
    name: 'surge with maxUnavailable 0 (the upstream surge e2e case)',
    base: fluentd,
    patch: { spec: { minReadySeconds: 10, updateStrategy: { rollingUpdate: { maxSurge: '20%', maxUnavailable: 0 } } } },
    expect: { 'spec.updateStrategy': { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '20%' } } },
  },
  {
    name: 'OnDelete',
    base: fluentd,
    patch: { spec: { updateStrategy: { type: 'OnDelete' } } },
    expect: { 'spec.updateStrategy.type': 'OnDelete' },
  },
  {
    name: 'a matchExpressions selector the template satisfies',
    base: fluentd,
    patch: withExpressions([
      { key: 'name', operator: 'In', values: ['fluentd-elasticsearch', 'x'] },
      { key: 'tier', operator: 'NotIn', values: ['db'] },
      { key: 'name', operator: 'Exists' },
      { key: 'tier', operator: 'DoesNotExist' },
    ]),
    expect: { 'spec.selector.matchExpressions.0.operator': 'In' },
  },
  {
    name: 'template metadata with creationTimestamp: null (older kubectl output)',
    base: web,
    patch: { spec: { template: { metadata: { creationTimestamp: null } } } },
    expect: { 'spec.template.metadata': { labels: { app: 'nginx' } } },
  },
  {
    name: 'StatefulSet maxUnavailable 100%, OnDelete without rollingUpdate, Parallel, ordinals',
    base: web,
    patch: { spec: { podManagementPolicy: 'Parallel', ordinals: { start: 5 }, updateStrategy: { type: 'OnDelete' } } },
    expect: { 'spec.updateStrategy': { type: 'OnDelete' }, 'spec.podManagementPolicy': 'Parallel', 'spec.ordinals.start': 5 },
  },
  {
    name: 'StatefulSet rollingUpdate with maxUnavailable 100%',
    base: web,
    patch: { spec: { updateStrategy: { rollingUpdate: { maxUnavailable: '100%' } } } },
    expect: { 'spec.updateStrategy': { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: '100%' } } },
  },
];

/** Paths that apps/v1 defaults and the CRD must default identically. */
const daemonSetDefaultedPaths = [
  'spec.updateStrategy',
  'spec.revisionHistoryLimit',
  'spec.template.spec.restartPolicy',
  'spec.template.spec.dnsPolicy',
  'spec.template.spec.schedulerName',
  'spec.template.spec.securityContext',
  'spec.template.spec.terminationGracePeriodSeconds',
  'spec.template.spec.containers.0.terminationMessagePath',
  'spec.template.spec.containers.0.terminationMessagePolicy',
  'spec.template.spec.volumes',
];
// strategy.rollingUpdate is left out: apps/v1 defaults it to 25%/25% for RollingUpdate only, which a
// schema cannot express; the controller applies it as an effective value instead.
const deploymentDefaultedPaths = [
  'spec.strategy.type',
  'spec.revisionHistoryLimit',
  'spec.progressDeadlineSeconds',
  'spec.template.spec.restartPolicy',
  'spec.template.spec.dnsPolicy',
  'spec.template.spec.schedulerName',
  'spec.template.spec.securityContext',
  'spec.template.spec.terminationGracePeriodSeconds',
  'spec.template.spec.containers.0.ports',
  'spec.template.spec.containers.0.terminationMessagePath',
  'spec.template.spec.containers.0.terminationMessagePolicy',
];
// imagePullPolicy is left out everywhere: core/v1 derives it from the image's tag, which a schema
// cannot; the pods get it from the API server's pod defaulting, as upstream's do.
const replicaSetDefaultedPaths = [
  'spec.template.spec.restartPolicy',
  'spec.template.spec.dnsPolicy',
  'spec.template.spec.schedulerName',
  'spec.template.spec.terminationGracePeriodSeconds',
  'spec.template.spec.containers.0.terminationMessagePath',
];
const statefulSetDefaultedPaths = [
  'spec.replicas',
  'spec.podManagementPolicy',
  'spec.updateStrategy',
  'spec.revisionHistoryLimit',
  'spec.persistentVolumeClaimRetentionPolicy',
  'spec.serviceName',
  'spec.template.spec.restartPolicy',
  'spec.template.spec.dnsPolicy',
  'spec.template.spec.schedulerName',
  'spec.template.spec.securityContext',
  'spec.template.spec.containers.0.ports',
  'spec.template.spec.containers.0.terminationMessagePath',
  'spec.volumeClaimTemplates.0.spec',
];

describe('CRDs on a real API server @own-operator', function () {
  this.timeout(120_000);
  const namespace = `crd-check-${randomBytes(3).toString('hex')}`;

  const create = (manifest: Json, extra: readonly string[] = []): Promise<KubectlResult> =>
    kubectl(['create', '-n', namespace, ...extra, '-f', '-'], JSON.stringify(manifest));
  /** A server-side dry-run create under a name of its own (the seeds' names are taken). */
  const dryRun = (base: JsonObject, patch: JsonObject, extra: readonly string[] = []): Promise<KubectlResult> =>
    create(merge(merge(base, { metadata: { name: 'dry-run' } }), patch), ['--dry-run=server', ...extra]);

  before(async function () {
    this.timeout(600_000);
    kubectlPath = path.join(process.env.MWO_BIN ?? (await controlPlaneBin()), 'kubectl');
    const crds = path.join(repoRoot, 'crds');
    await kubectlOk(['apply', '--server-side', '--force-conflicts', '-f', crds]);
    await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', '-f', crds]);
    await kubectlOk(['create', 'namespace', namespace]);
    // The seeds, stored: the update, scale and printing tests below work on these two objects.
    await kubectlOk(['create', '-n', namespace, '-f', '-'], JSON.stringify(fluentd));
    await kubectlOk(['create', '-n', namespace, '-f', '-'], JSON.stringify(web));
    await kubectlOk(['create', '-n', namespace, '-f', '-'], JSON.stringify(nginx));
    await kubectlOk(['create', '-n', namespace, '-f', '-'], JSON.stringify(frontend));
  });

  after(async () => {
    if (kubectlPath !== undefined) await kubectl(['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
  });

  it('installs with client-side kubectl apply -f crds/, over the server-side-applied CRDs, and reapplies unchanged', async () => {
    // Client-side apply keeps the whole manifest in the last-applied-configuration annotation, and the
    // API server caps an object's annotations at 256 KiB: the CRDs are trimmed to fit (hack/gen-crds.ts
    // descriptionTrims). The CRDs' content is what before() applied, so parallel suites see no change.
    const crds = path.join(repoRoot, 'crds');
    const first = await kubectl(['apply', '-f', crds]);
    assert.ok(first.ok, first.stderr);
    const again = await kubectlOk(['apply', '-f', crds]);
    for (const name of ['mydaemonsets', 'mystatefulsets', 'mydeployments', 'myreplicasets'].map((plural) => `${plural}.apps.my.dev`)) {
      assert.match(again, new RegExp(`customresourcedefinition\\.apiextensions\\.k8s\\.io/${name.replaceAll('.', '\\.')} unchanged`));
      const annotations = at(await getJson(['get', 'crd', name]), 'metadata.annotations');
      const lastApplied = isJsonObject(annotations) ? annotations['kubectl.kubernetes.io/last-applied-configuration'] : undefined;
      assert.equal(typeof lastApplied, 'string', `${name} has no last-applied-configuration annotation`);
    }
  });

  it('accepts the converted seeds and defaults them exactly as apps/v1 does', async () => {
    const seeds: readonly { manifest: JsonObject; kind: string; paths: readonly string[] }[] = [
      { manifest: fluentd, kind: 'DaemonSet', paths: daemonSetDefaultedPaths },
      { manifest: web, kind: 'StatefulSet', paths: statefulSetDefaultedPaths },
      { manifest: nginx, kind: 'Deployment', paths: deploymentDefaultedPaths },
      { manifest: frontend, kind: 'ReplicaSet', paths: replicaSetDefaultedPaths },
    ];
    const stored = async (manifest: Json): Promise<Json> => {
      const args = ['create', '-n', namespace, '--dry-run=server', '-o', 'json', '-f', '-'];
      return toJson(JSON.parse(await kubectlOk(args, JSON.stringify(manifest))));
    };
    for (const { manifest, kind, paths } of seeds) {
      const ours = await stored(merge(manifest, { metadata: { name: 'dry-run' } }));
      const upstream = await stored(asAppsV1(manifest, kind));
      for (const where of paths) {
        assert.notEqual(at(upstream, where), undefined, `apps/v1 ${kind} has ${where}`);
        assert.deepEqual(at(ours, where), at(upstream, where), `${kind} ${where}`);
      }
    }
  });

  it('stores the converted seeds with the apps/v1 defaults the schema adds', async () => {
    const mds = await getJson(['get', '-n', namespace, 'mds', 'fluentd-elasticsearch']);
    assert.deepEqual(at(mds, 'spec.updateStrategy'), { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(at(mds, 'spec.revisionHistoryLimit'), 10);
    assert.equal(at(mds, 'spec.minReadySeconds'), 0);
    assert.equal(at(mds, 'spec.template.spec.restartPolicy'), 'Always');
    const msts = await getJson(['get', '-n', namespace, 'msts', 'web']);
    assert.equal(at(msts, 'spec.replicas'), 3);
    assert.equal(at(msts, 'spec.podManagementPolicy'), 'OrderedReady');
    assert.deepEqual(at(msts, 'spec.updateStrategy'), { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.deepEqual(at(msts, 'spec.persistentVolumeClaimRetentionPolicy'), { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.equal(at(msts, 'spec.minReadySeconds'), 0);
    assert.equal(at(msts, 'spec.revisionHistoryLimit'), 10);
    const replicasOmitted = await dryRun(web, { spec: { replicas: null } }, ['-o', 'json']);
    assert.equal(at(toJson(JSON.parse(replicasOmitted.stdout)), 'spec.replicas'), 1);
    const mdeploy = await getJson(['get', '-n', namespace, 'mdeploy', 'nginx-deployment']);
    // No rollingUpdate block, no minReadySeconds, no paused: apps/v1 leaves those to Go's zero values
    // or to the strategy type (SetDefaults_Deployment), so the controller applies them.
    assert.deepEqual(at(mdeploy, 'spec.strategy'), { type: 'RollingUpdate' });
    assert.equal(at(mdeploy, 'spec.revisionHistoryLimit'), 10);
    assert.equal(at(mdeploy, 'spec.progressDeadlineSeconds'), 600);
    assert.equal(at(mdeploy, 'spec.minReadySeconds'), undefined);
    assert.equal(at(mdeploy, 'spec.paused'), undefined);
    const recreate = await dryRun(nginx, { spec: { strategy: { type: 'Recreate' } } }, ['-o', 'json']);
    assert.deepEqual(at(toJson(JSON.parse(recreate.stdout)), 'spec.strategy'), { type: 'Recreate' });
    const deploymentReplicasOmitted = await dryRun(nginx, { spec: { replicas: null } }, ['-o', 'json']);
    assert.equal(at(toJson(JSON.parse(deploymentReplicasOmitted.stdout)), 'spec.replicas'), 1);
    const mrs = await getJson(['get', '-n', namespace, 'mrs', 'frontend']);
    assert.equal(at(mrs, 'spec.replicas'), 3);
    assert.equal(at(mrs, 'spec.minReadySeconds'), undefined);
  });

  describe('accepts', () => {
    for (const row of acceptances) {
      it(row.name, async () => {
        const result = await dryRun(row.base, row.patch, ['-o', 'json']);
        assert.ok(result.ok, result.stderr);
        const stored = toJson(JSON.parse(result.stdout));
        for (const [where, value] of Object.entries(row.expect)) assert.deepEqual(at(stored, where), value, where);
      });
    }
  });

  describe('rejects, naming the field', () => {
    for (const row of rejections) {
      it(row.name, async () => {
        const result = await dryRun(row.base, row.patch);
        assert.ok(!result.ok, `accepted: ${result.stdout}`);
        for (const text of row.expect) assert.ok(result.stderr.includes(text), `want ${JSON.stringify(text)} in: ${result.stderr}`);
      });
    }
  });

  describe('on update', () => {
    const patch = (kind: string, name: string, body: JsonObject): Promise<KubectlResult> =>
      kubectl(['patch', '-n', namespace, kind, name, '--type', 'merge', '-p', JSON.stringify(body)]);
    const immutable: readonly { name: string; kind: string; object: string; body: JsonObject; expect: readonly string[] }[] = [
      {
        name: 'a MyDaemonSet selector',
        kind: 'mds',
        object: 'fluentd-elasticsearch',
        body: { spec: { selector: { matchLabels: { extra: 'x' } }, template: { metadata: { labels: { extra: 'x' } } } } },
        expect: ['spec.selector: Invalid value', 'selector is immutable'],
      },
      {
        name: 'a MyStatefulSet selector',
        kind: 'msts',
        object: 'web',
        body: { spec: { selector: { matchLabels: { extra: 'x' } }, template: { metadata: { labels: { extra: 'x' } } } } },
        expect: ['spec.selector: Invalid value', 'selector is immutable'],
      },
      {
        name: 'serviceName',
        kind: 'msts',
        object: 'web',
        body: { spec: { serviceName: 'nginx2' } },
        expect: ['spec.serviceName: Invalid value: "nginx2": serviceName is immutable'],
      },
      {
        name: 'an unset serviceName',
        kind: 'msts',
        object: 'web',
        body: { spec: { serviceName: null } },
        expect: ['spec.serviceName: Invalid value: "": serviceName is immutable'],
      },
      {
        name: 'podManagementPolicy',
        kind: 'msts',
        object: 'web',
        body: { spec: { podManagementPolicy: 'Parallel' } },
        expect: ['spec.podManagementPolicy: Invalid value: "Parallel": podManagementPolicy is immutable'],
      },
      {
        name: 'volumeClaimTemplates',
        kind: 'msts',
        object: 'web',
        body: { spec: { volumeClaimTemplates: [claim('www', '2Gi')] } },
        expect: ['spec.volumeClaimTemplates: Invalid value', 'volumeClaimTemplates: only spec.resources.requests.storage may change, and only grow'],
      },
      {
        name: 'removed volumeClaimTemplates',
        kind: 'msts',
        object: 'web',
        body: { spec: { volumeClaimTemplates: null } },
        expect: ['spec.volumeClaimTemplates: Invalid value', 'volumeClaimTemplates: only spec.resources.requests.storage may change, and only grow'],
      },
    ];
    for (const row of immutable) {
      it(`rejects changing ${row.name}`, async () => {
        const result = await patch(row.kind, row.object, row.body);
        assert.ok(!result.ok, `accepted: ${result.stdout}`);
        for (const text of row.expect) assert.ok(result.stderr.includes(text), `want ${JSON.stringify(text)} in: ${result.stderr}`);
      });
    }

    it('allows the MyStatefulSet fields upstream lets change', async () => {
      const body = {
        spec: {
          replicas: 2,
          minReadySeconds: 5,
          revisionHistoryLimit: 3,
          ordinals: { start: 1 },
          updateStrategy: { rollingUpdate: { partition: 1 } },
          persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' },
          template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
        },
      };
      await kubectlOk(['patch', '-n', namespace, 'msts', 'web', '--type', 'merge', '-p', JSON.stringify(body)]);
      const msts = await getJson(['get', '-n', namespace, 'msts', 'web']);
      assert.equal(at(msts, 'spec.replicas'), 2);
      assert.equal(at(msts, 'spec.template.spec.containers.0.image'), 'nginx:1.27');
    });

    it('allows changing a MyDaemonSet template and strategy', async () => {
      const body = {
        spec: {
          updateStrategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: { metadata: { annotations: { rev: '2' } } },
        },
      };
      await kubectlOk(['patch', '-n', namespace, 'mds', 'fluentd-elasticsearch', '--type', 'merge', '-p', JSON.stringify(body)]);
      const mds = await getJson(['get', '-n', namespace, 'mds', 'fluentd-elasticsearch']);
      assert.deepEqual(at(mds, 'spec.updateStrategy.rollingUpdate'), { maxSurge: 1, maxUnavailable: 0 });
    });
  });

  it('scales a MyStatefulSet through the scale subresource', async () => {
    await kubectlOk(['scale', '-n', namespace, 'msts', 'web', '--replicas=5']);
    const msts = await getJson(['get', '-n', namespace, 'msts', 'web']);
    assert.equal(at(msts, 'spec.replicas'), 5);
    const status = JSON.stringify({ status: { replicas: 0, selector: 'app=nginx' } });
    await kubectlOk(['patch', '-n', namespace, 'msts', 'web', '--subresource=status', '--type', 'merge', '-p', status]);
    const scalePath = `/apis/apps.my.dev/v1alpha1/namespaces/${namespace}/mystatefulsets/web/scale`;
    const scale = toJson(JSON.parse(await kubectlOk(['get', '--raw', scalePath])));
    assert.equal(at(scale, 'spec.replicas'), 5);
    assert.equal(at(scale, 'status.selector'), 'app=nginx');
  });

  it('validates status writes as upstream does', async () => {
    const patchStatus = (kind: string, name: string, status: JsonObject): Promise<KubectlResult> =>
      kubectl(['patch', '-n', namespace, kind, name, '--subresource=status', '--type', 'merge', '-p', JSON.stringify({ status })]);
    const counts = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
    await kubectlOk(['patch', '-n', namespace, 'mds', 'fluentd-elasticsearch', '--subresource=status', '--type', 'merge', '-p',
      JSON.stringify({ status: { ...counts, collisionCount: 2 } })]);
    const cases: readonly { kind: string; name: string; status: JsonObject; expect: string }[] = [
      { kind: 'mds', name: 'fluentd-elasticsearch', status: { numberReady: -1 }, expect: 'status.numberReady' },
      { kind: 'mds', name: 'fluentd-elasticsearch', status: { collisionCount: 1 }, expect: 'status.collisionCount cannot be decremented' },
      {
        kind: 'msts',
        name: 'web',
        status: { replicas: 1, readyReplicas: 2 },
        expect: 'status.readyReplicas cannot be greater than status.replicas',
      },
      {
        kind: 'msts',
        name: 'web',
        status: { replicas: 3, readyReplicas: 1, availableReplicas: 2 },
        expect: 'status.availableReplicas cannot be greater than status.readyReplicas',
      },
    ];
    for (const row of cases) {
      const result = await patchStatus(row.kind, row.name, row.status);
      assert.ok(!result.ok, `accepted ${JSON.stringify(row.status)}`);
      assert.ok(result.stderr.includes(row.expect), `want ${JSON.stringify(row.expect)} in: ${result.stderr}`);
    }
  });

  it('explains the pod template from the generated schema', async () => {
    const explained = await pollUntil(
      'kubectl explain mds.spec.template.spec.containers',
      () => kubectl(['explain', 'mds.spec.template.spec.containers']),
      (result) => result.ok,
      { timeoutMs: 30_000, intervalMs: 250, stopOnError: true, deadlineAfterProbe: true },
    );
    assert.match(explained.stdout, /FIELD: containers <\[\]Object>/);
    assert.match(explained.stdout, /List of containers belonging to the pod/);
    assert.match(explained.stdout, /^ {2}image\t<string>/m);
    const claims = await kubectlOk(['explain', 'msts.spec.volumeClaimTemplates.spec.resources.requests']);
    assert.match(claims, /FIELD: requests/);
  });

  it('prints the kubectl get columns of DaemonSets and StatefulSets', async () => {
    const mds = await kubectlOk(['get', '-n', namespace, 'mds', '-o', 'wide']);
    const header = (table: string): string[] => (table.split('\n')[0] ?? '').trim().split(/\s{2,}/);
    assert.deepEqual(header(mds), [
      'NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR',
    ]);
    const msts = await kubectlOk(['get', '-n', namespace, 'msts']);
    assert.deepEqual(header(msts), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    const all = await kubectlOk(['get', '-n', namespace, 'my-workloads', '-o', 'name']);
    assert.deepEqual(all.trim().split('\n').sort(), [
      'mydaemonset.apps.my.dev/fluentd-elasticsearch',
      'mydeployment.apps.my.dev/nginx-deployment',
      'myreplicaset.apps.my.dev/frontend',
      'mystatefulset.apps.my.dev/web',
    ]);
    const mdeploy = await kubectlOk(['get', '-n', namespace, 'mdeploy', '-o', 'wide']);
    assert.deepEqual(header(mdeploy), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
    const mrs = await kubectlOk(['get', '-n', namespace, 'mrs', '-o', 'wide']);
    assert.deepEqual(header(mrs), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
  });
});
