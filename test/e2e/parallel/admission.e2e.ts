// Hostile input refused at the door: every manifest apps/v1 refuses is refused when a MyDaemonSet
// or MyStatefulSet is applied, with a message naming the field — by the CRD schema and CEL rules
// where they can say it, and otherwise by the operator's validating webhook, which dry-runs the pod
// template as a Pod (and each claim template as a PersistentVolumeClaim) against the API server.
//
// Each invalid manifest is proven invalid for apps/v1 too: the same manifest with apiVersion and
// kind changed back is refused by a server-side dry-run create, naming the same field, while the
// base manifest is accepted by both. And what apps/v1 admits — rules that apply to pods only, and
// 403s (quota, Pod Security, missing classes) that apply to pods when they are created — is
// admitted.
//
//   npm run test:e2e -- test/e2e/parallel/admission.e2e.ts
//
// Parallel: it needs the shared operator's webhook (the runner starts the operator with
// --webhook-bind-address on a free loopback port, and the operator registers it at start-up).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import PQueue from 'p-queue';
import { isJsonObject, type Json, type JsonObject } from '../../../hack/gen-crds.ts';
import { binDir, createNamespace, kubeconfigPath, waitFor } from '../support/env.ts';

interface KubectlResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

function kubectl(args: readonly string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      path.join(binDir(), 'kubectl'),
      ['--kubeconfig', kubeconfigPath(), ...args],
      { maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ ok: err === null, stdout, stderr }),
    );
    child.stdin?.end(input ?? '');
  });
}

// ---- manifests ----------------------------------------------------------------------------------

type Kind = 'MyDaemonSet' | 'MyStatefulSet';
const upstreamKind: Readonly<Record<Kind, string>> = { MyDaemonSet: 'DaemonSet', MyStatefulSet: 'StatefulSet' };

function podTemplate(kind: Kind): JsonObject {
  return {
    metadata: { labels: { app: 'admission' }, annotations: { note: 'base' } },
    spec: {
      containers: [
        {
          name: 'main',
          image: 'registry.k8s.io/pause:3.10',
          ports: [{ name: 'http', containerPort: 8080 }],
          env: [{ name: 'MODE', value: 'base' }],
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
          livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
          readinessProbe: { tcpSocket: { port: 'http' } },
          volumeMounts: [{ name: 'data', mountPath: '/data' }, ...(kind === 'MyStatefulSet' ? [{ name: 'www', mountPath: '/www' }] : [])],
          securityContext: { runAsUser: 1000, allowPrivilegeEscalation: false },
        },
      ],
      volumes: [{ name: 'data', emptyDir: {} }],
      tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
    },
  };
}

function base(kind: Kind, name: string): JsonObject {
  const spec: JsonObject = { selector: { matchLabels: { app: 'admission' } }, template: podTemplate(kind) };
  if (kind === 'MyStatefulSet') {
    spec.serviceName = 'admission';
    spec.replicas = 1;
    spec.volumeClaimTemplates = [
      { metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
    ];
  }
  return { apiVersion: 'apps.my.dev/v1alpha1', kind, metadata: { name }, spec };
}

const asAppsV1 = (manifest: JsonObject, kind: Kind): JsonObject => ({ ...manifest, apiVersion: 'apps/v1', kind: upstreamKind[kind] });

/**
 * Sets (or, with undefined, deletes) the value at a dotted path; numeric segments index lists, and
 * a key with dots goes in brackets (`annotations[example.com/key]`).
 */
function set(root: JsonObject, where: string, value: Json | undefined): void {
  const keys = [...where.matchAll(/\[([^\]]+)\]|[^.[\]]+/g)].map((m) => m[1] ?? m[0]);
  let node: Json = root;
  for (const [i, key] of keys.entries()) {
    const last = i === keys.length - 1;
    const nextIsIndex = /^\d+$/.test(keys[i + 1] ?? '');
    if (Array.isArray(node)) {
      const index = Number(key);
      if (last) {
        if (value === undefined) node.splice(index, 1);
        else node[index] = value;
        return;
      }
      node[index] ??= nextIsIndex ? [] : {};
      node = node[index] ?? null;
    } else if (isJsonObject(node)) {
      if (last) {
        if (value === undefined) delete node[key];
        else node[key] = value;
        return;
      }
      node[key] ??= nextIsIndex ? [] : {};
      node = node[key] ?? null;
    } else {
      throw new Error(`${where}: ${keys.slice(0, i).join('.')} is not an object or list`);
    }
  }
}

function edited(manifest: JsonObject, edits: Edits): JsonObject {
  const copy = structuredClone(manifest);
  for (const [where, value] of edits) set(copy, where, value);
  return copy;
}

type Edits = readonly (readonly [string, Json | undefined])[];

const T = 'spec.template.spec';
const C = `${T}.containers.0`;
const V = `${T}.volumes.0`;
const F = 'spec.template.spec';
const FC = `${F}.containers[0]`;

/** A manifest apps/v1 refuses, as edits of the base manifest. */
interface Invalid {
  readonly name: string;
  readonly edits: Edits;
  /** The field both refusals name (kubectl's path syntax), or a prefix of it. */
  readonly field: string;
  /** What apps/v1's refusal says instead, where it names another path or none (a value that does not decode). */
  readonly upstream?: string;
  /** Default: both kinds. */
  readonly kinds?: readonly Kind[];
  /**
   * Apply client-side: server-side apply refuses duplicate list-map keys before validation, while
   * building its typed patch, naming the list in its own syntax (`.containers[name="main"]`).
   */
  readonly clientSide?: boolean;
}

const podTemplateCases: readonly Invalid[] = [
  // containers
  { name: 'a container name that is not a DNS label', edits: [[`${C}.name`, 'Main_1']], field: `${FC}.name` },
  { name: 'an empty image', edits: [[`${C}.image`, '']], field: `${FC}.image` },
  {
    name: 'two containers with one name',
    edits: [[`${T}.containers.1`, { name: 'main', image: 'registry.k8s.io/pause:3.10' }]],
    field: `${F}.containers[1]`,
    clientSide: true,
  },
  { name: 'containerPort 0', edits: [[`${C}.ports.0.containerPort`, 0]], field: `${FC}.ports[0].containerPort` },
  { name: 'containerPort 70000', edits: [[`${C}.ports.0.containerPort`, 70000]], field: `${FC}.ports[0].containerPort` },
  { name: 'hostPort 70000', edits: [[`${C}.ports.0.hostPort`, 70000]], field: `${FC}.ports[0].hostPort` },
  { name: 'port protocol HTTP', edits: [[`${C}.ports.0.protocol`, 'HTTP']], field: `${FC}.ports[0].protocol` },
  { name: 'a port name longer than 15 characters', edits: [[`${C}.ports.0.name`, 'much-too-long-port']], field: `${FC}.ports[0].name` },
  { name: 'a port name that is not an IANA service name', edits: [[`${C}.ports.0.name`, 'Bad_Name']], field: `${FC}.ports[0].name` },
  {
    name: 'one hostPort for two ports',
    edits: [[`${C}.ports.0.hostPort`, 9000], [`${C}.ports.1`, { name: 'metrics', containerPort: 9090, hostPort: 9000 }]],
    field: `${FC}.ports[1].hostPort`,
  },
  {
    name: 'two ports with one name',
    edits: [[`${C}.ports.1`, { name: 'http', containerPort: 9090 }]],
    field: `${FC}.ports[1].name`,
  },
  { name: 'an env var without a name', edits: [[`${C}.env.0.name`, '']], field: `${FC}.env[0].name` },
  { name: 'an env var name with "="', edits: [[`${C}.env.0.name`, 'A=B']], field: `${FC}.env[0].name` },
  {
    name: 'an env var with both value and valueFrom',
    edits: [[`${C}.env.0.valueFrom`, { fieldRef: { fieldPath: 'metadata.name' } }]],
    field: `${FC}.env[0].valueFrom`,
  },
  {
    name: 'an env fieldRef to an unsupported field',
    edits: [[`${C}.env.0`, { name: 'X', valueFrom: { fieldRef: { fieldPath: 'metadata.bogus' } } }]],
    field: `${FC}.env[0].valueFrom.fieldRef.fieldPath`,
  },
  {
    name: 'an env resourceFieldRef to an unknown resource',
    edits: [[`${C}.env.0`, { name: 'X', valueFrom: { resourceFieldRef: { resource: 'bogus' } } }]],
    field: `${FC}.env[0].valueFrom.resourceFieldRef.resource`,
  },
  {
    name: 'an envFrom ConfigMap name that is not a DNS subdomain',
    edits: [[`${C}.envFrom`, [{ configMapRef: { name: 'Bad_Name' } }]]],
    field: `${FC}.envFrom[0].configMapRef.name`,
  },
  { name: 'a volumeMount of a volume that does not exist', edits: [[`${C}.volumeMounts.0.name`, 'missing']], field: `${FC}.volumeMounts[0].name` },
  { name: 'a volumeMount without mountPath', edits: [[`${C}.volumeMounts.0.mountPath`, '']], field: `${FC}.volumeMounts[0].mountPath` },
  {
    name: 'two volumeMounts at one path',
    edits: [[`${C}.volumeMounts.0`, { name: 'data', mountPath: '/same' }], [`${C}.volumeMounts.1`, { name: 'data', mountPath: '/same' }]],
    field: `${FC}.volumeMounts[1]`,
    clientSide: true,
  },
  // upstream names these `volumeMounts.subPath`, without the index
  { name: 'an absolute subPath', edits: [[`${C}.volumeMounts.0.subPath`, '/abs']], field: `${FC}.volumeMounts` },
  { name: 'a subPath with ..', edits: [[`${C}.volumeMounts.0.subPath`, '../up']], field: `${FC}.volumeMounts` },
  { name: 'a negative cpu limit', edits: [[`${C}.resources.limits.cpu`, '-1']], field: `${FC}.resources.limits` },
  {
    name: 'a memory limit that is not a quantity',
    edits: [[`${C}.resources.limits.memory`, 'lots']],
    field: `${FC}.resources.limits.memory`,
    upstream: 'quantities must match the regular expression',
  },
  { name: 'a cpu request above the limit', edits: [[`${C}.resources.requests.cpu`, '2']], field: `${FC}.resources.requests` },
  {
    name: 'a limit on a resource name that is neither standard nor qualified',
    edits: [[`${C}.resources.limits.bogus`, '1']],
    field: `${FC}.resources.limits`,
  },
  { name: 'a probe without a handler', edits: [[`${C}.livenessProbe`, { periodSeconds: 5 }]], field: `${FC}.livenessProbe` },
  {
    name: 'a probe with two handlers',
    edits: [[`${C}.livenessProbe.exec`, { command: ['true'] }]],
    field: `${FC}.livenessProbe`,
  },
  { name: 'a negative probe period', edits: [[`${C}.livenessProbe.periodSeconds`, -1]], field: `${FC}.livenessProbe.periodSeconds` },
  {
    name: 'a liveness probe successThreshold other than 1',
    edits: [[`${C}.livenessProbe.successThreshold`, 2]],
    field: `${FC}.livenessProbe.successThreshold`,
  },
  { name: 'an httpGet probe on port 0', edits: [[`${C}.livenessProbe.httpGet.port`, 0]], field: `${FC}.livenessProbe.httpGet.port` },
  {
    name: 'an httpGet probe on a port name that is not a port name',
    edits: [[`${C}.livenessProbe.httpGet.port`, 'Bad_Name']],
    field: `${FC}.livenessProbe.httpGet.port`,
  },
  { name: 'an httpGet scheme FTP', edits: [[`${C}.livenessProbe.httpGet.scheme`, 'FTP']], field: `${FC}.livenessProbe.httpGet.scheme` },
  { name: 'a tcpSocket probe on port 70000', edits: [[`${C}.readinessProbe.tcpSocket.port`, 70000]], field: `${FC}.readinessProbe.tcpSocket.port` },
  {
    name: 'a readiness probe with terminationGracePeriodSeconds',
    edits: [[`${C}.readinessProbe.terminationGracePeriodSeconds`, 5]],
    field: `${FC}.readinessProbe.terminationGracePeriodSeconds`,
  },
  {
    name: 'a startup probe successThreshold other than 1',
    edits: [[`${C}.startupProbe`, { tcpSocket: { port: 8080 }, successThreshold: 3 }]],
    field: `${FC}.startupProbe.successThreshold`,
  },
  { name: 'a grpc probe on port 0', edits: [[`${C}.livenessProbe`, { grpc: { port: 0 } }]], field: `${FC}.livenessProbe.grpc.port` },
  { name: 'a preStop hook without a handler', edits: [[`${C}.lifecycle`, { preStop: {} }]], field: `${FC}.lifecycle.preStop` },
  {
    name: 'a negative preStop sleep',
    edits: [[`${C}.lifecycle`, { preStop: { sleep: { seconds: -1 } } }]],
    field: `${FC}.lifecycle.preStop.sleep`,
  },
  { name: 'a negative runAsUser', edits: [[`${C}.securityContext.runAsUser`, -1]], field: `${FC}.securityContext.runAsUser` },
  {
    name: 'privileged without privilege escalation',
    edits: [[`${C}.securityContext.privileged`, true]],
    field: `${FC}.securityContext`,
  },
  {
    name: 'CAP_SYS_ADMIN without privilege escalation',
    edits: [[`${C}.securityContext.capabilities`, { add: ['CAP_SYS_ADMIN'] }]],
    field: `${FC}.securityContext`,
  },
  {
    name: 'a Localhost seccomp profile without a path',
    edits: [[`${C}.securityContext.seccompProfile`, { type: 'Localhost' }]],
    field: `${FC}.securityContext.seccompProfile.localhostProfile`,
  },
  {
    name: 'an unknown seccomp profile type',
    edits: [[`${C}.securityContext.seccompProfile`, { type: 'Bogus' }]],
    field: `${FC}.securityContext.seccompProfile.type`,
  },
  { name: 'an unknown procMount', edits: [[`${C}.securityContext.procMount`, 'Bogus']], field: `${FC}.securityContext.procMount` },
  { name: 'an unknown imagePullPolicy', edits: [[`${C}.imagePullPolicy`, 'Sometimes']], field: `${FC}.imagePullPolicy` },
  {
    name: 'an unknown terminationMessagePolicy',
    edits: [[`${C}.terminationMessagePolicy`, 'Bogus']],
    field: `${FC}.terminationMessagePolicy`,
  },
  {
    name: 'an init container with restartPolicy Bogus',
    edits: [[`${T}.initContainers`, [{ name: 'init', image: 'registry.k8s.io/pause:3.10', restartPolicy: 'Bogus' }]]],
    field: `${F}.initContainers[0].restartPolicy`,
  },
  {
    name: 'a Localhost AppArmor profile without a path',
    edits: [[`${C}.securityContext.appArmorProfile`, { type: 'Localhost' }]],
    field: `${FC}.securityContext.appArmorProfile.localhostProfile`,
  },
  {
    name: 'an init container (not a sidecar) with a readiness probe',
    edits: [[`${T}.initContainers`, [{ name: 'init', image: 'registry.k8s.io/pause:3.10', readinessProbe: { tcpSocket: { port: 80 } } }]]],
    field: `${F}.initContainers[0].readinessProbe`,
  },
  // pod spec
  { name: 'dnsPolicy None without dnsConfig', edits: [[`${T}.dnsPolicy`, 'None']], field: `${F}.dnsConfig` },
  {
    name: 'four nameservers',
    edits: [[`${T}.dnsConfig`, { nameservers: ['1.1.1.1', '1.0.0.1', '8.8.8.8', '8.8.4.4'] }]],
    field: `${F}.dnsConfig.nameservers`,
  },
  { name: 'a nameserver that is not an IP', edits: [[`${T}.dnsConfig`, { nameservers: ['dns'] }]], field: `${F}.dnsConfig.nameservers[0]` },
  { name: 'a hostAlias that is not an IP', edits: [[`${T}.hostAliases`, [{ ip: 'host', hostnames: ['a'] }]]], field: `${F}.hostAliases[0].ip` },
  {
    name: 'a hostAlias hostname that is not a DNS subdomain',
    edits: [[`${T}.hostAliases`, [{ ip: '10.0.0.1', hostnames: ['Bad_Name'] }]]],
    field: `${F}.hostAliases[0].hostnames[0]`,
  },
  { name: 'a nodeSelector key that is not a label key', edits: [[`${T}.nodeSelector`, { 'bad key': 'x' }]], field: `${F}.nodeSelector` },
  { name: 'a nodeSelector value with spaces', edits: [[`${T}.nodeSelector`, { disk: 'fast ssd' }]], field: `${F}.nodeSelector` },
  {
    name: 'a toleration with operator Exists and a value',
    edits: [[`${T}.tolerations.0`, { key: 'k', operator: 'Exists', value: 'v' }]],
    field: `${F}.tolerations[0].operator`,
  },
  { name: 'a toleration effect Bogus', edits: [[`${T}.tolerations.0.effect`, 'Bogus']], field: `${F}.tolerations[0].effect` },
  {
    name: 'a toleration without key whose operator is not Exists',
    edits: [[`${T}.tolerations.0`, { operator: 'Equal', value: 'v' }]],
    field: `${F}.tolerations[0].operator`,
  },
  {
    name: 'tolerationSeconds on a NoSchedule toleration',
    edits: [[`${T}.tolerations.0.tolerationSeconds`, 30]],
    field: `${F}.tolerations[0].effect`,
  },
  { name: 'a toleration key that is not a label key', edits: [[`${T}.tolerations.0.key`, 'bad key']], field: `${F}.tolerations[0].key` },
  {
    name: 'an Equal toleration value that is not a label value',
    edits: [[`${T}.tolerations.0`, { key: 'k', operator: 'Equal', value: 'a b' }]],
    field: `${F}.tolerations[0].operator`,
  },
  {
    name: 'required node affinity without terms',
    edits: [[`${T}.affinity`, { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } }]],
    field: `${F}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms`,
  },
  {
    name: 'a node selector requirement In without values',
    edits: [
      [
        `${T}.affinity`,
        { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In' }] }] } } },
      ],
    ],
    field: `${F}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values`,
  },
  {
    name: 'a node selector requirement Gt with two values',
    edits: [
      [
        `${T}.affinity`,
        {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['1', '2'] }] }],
            },
          },
        },
      ],
    ],
    field: `${F}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values`,
  },
  {
    name: 'pod anti-affinity without topologyKey',
    edits: [
      [`${T}.affinity`, { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'x' } }, topologyKey: '' }] } }],
    ],
    field: `${F}.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey`,
  },
  {
    name: 'a preferred scheduling term of weight 0',
    edits: [
      [
        `${T}.affinity`,
        {
          nodeAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 0, preference: { matchExpressions: [{ key: 'zone', operator: 'Exists' }] } }],
          },
        },
      ],
    ],
    field: `${F}.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight`,
  },
  {
    name: 'a topology spread constraint with maxSkew 0',
    edits: [[`${T}.topologySpreadConstraints`, [{ maxSkew: 0, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule' }]]],
    field: `${F}.topologySpreadConstraints[0].maxSkew`,
  },
  {
    name: 'a topology spread constraint whenUnsatisfiable Bogus',
    edits: [[`${T}.topologySpreadConstraints`, [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'Bogus' }]]],
    field: `${F}.topologySpreadConstraints[0].whenUnsatisfiable`,
  },
  { name: 'a negative fsGroup', edits: [[`${T}.securityContext`, { fsGroup: -1 }]], field: `${F}.securityContext.fsGroup` },
  {
    name: 'a sysctl name that is not a sysctl',
    edits: [[`${T}.securityContext`, { sysctls: [{ name: 'bad name', value: '1' }] }]],
    field: `${F}.securityContext.sysctls[0].name`,
  },
  {
    name: 'a negative supplemental group',
    edits: [[`${T}.securityContext`, { supplementalGroups: [-1] }]],
    field: `${F}.securityContext.supplementalGroups[0]`,
  },
  {
    name: 'hostNetwork with a hostPort other than the containerPort',
    edits: [[`${T}.hostNetwork`, true], [`${C}.ports.0.hostPort`, 9000]],
    field: `${FC}.ports[0].hostPort`,
  },
  { name: 'a priorityClassName that is not a DNS subdomain', edits: [[`${T}.priorityClassName`, 'Bad_Name']], field: `${F}.priorityClassName` },
  { name: 'a runtimeClassName that is not a DNS subdomain', edits: [[`${T}.runtimeClassName`, 'Bad_Name']], field: `${F}.runtimeClassName` },
  { name: 'a serviceAccountName that is not a DNS subdomain', edits: [[`${T}.serviceAccountName`, 'Bad_Name']], field: `${F}.serviceAccountName` },
  { name: 'an unknown preemptionPolicy', edits: [[`${T}.preemptionPolicy`, 'Sometimes']], field: `${F}.preemptionPolicy` },
  {
    // A StatefulSet's controller sets hostname to the pod name: upstream does not validate it there.
    name: 'a hostname that is not a DNS label',
    edits: [[`${T}.hostname`, 'Bad_Name']],
    field: `${F}.hostname`,
    kinds: ['MyDaemonSet'],
  },
  { name: 'a subdomain that is not a DNS label', edits: [[`${T}.subdomain`, 'Bad_Name']], field: `${F}.subdomain`, kinds: ['MyDaemonSet'] },
  { name: 'a readiness gate that is not a condition type', edits: [[`${T}.readinessGates`, [{ conditionType: 'bad type' }]]], field: `${F}.readinessGates[0].conditionType` },
  { name: 'an unknown os name', edits: [[`${T}.os`, { name: 'plan9' }]], field: `${F}.os` },
  {
    name: 'shareProcessNamespace with hostPID',
    edits: [[`${T}.shareProcessNamespace`, true], [`${T}.hostPID`, true]],
    // core/v1 keeps both in the pod security context internally, and names them there
    field: `${F}.securityContext.shareProcessNamespace`,
  },
  {
    name: 'a topology spread selector with an invalid label value',
    edits: [
      [`${T}.topologySpreadConstraints`, [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'a b' } } }]],
    ],
    field: `${F}.topologySpreadConstraints[0].labelSelector`,
  },
  // volumes
  { name: 'a volume name that is not a DNS label', edits: [[`${V}.name`, 'Data_1'], [`${C}.volumeMounts.0.name`, 'Data_1']], field: `${F}.volumes[0].name` },
  { name: 'a volume with two sources', edits: [[`${V}.hostPath`, { path: '/tmp' }]], field: `${F}.volumes[0]` },
  { name: 'a hostPath without path', edits: [[V, { name: 'data', hostPath: { path: '' } }]], field: `${F}.volumes[0].hostPath.path` },
  { name: 'an unknown hostPath type', edits: [[V, { name: 'data', hostPath: { path: '/tmp', type: 'Bogus' } }]], field: `${F}.volumes[0].hostPath.type` },
  { name: 'a secret volume without secretName', edits: [[V, { name: 'data', secret: {} }]], field: `${F}.volumes[0].secret.secretName` },
  { name: 'a CSI volume without driver', edits: [[V, { name: 'data', csi: { driver: '' } }]], field: `${F}.volumes[0].csi.driver` },
  {
    name: 'an iSCSI volume with LUN 300',
    edits: [[V, { name: 'data', iscsi: { targetPortal: '10.0.0.1:3260', iqn: 'iqn.2001-04.com.example:storage', lun: 300 } }]],
    field: `${F}.volumes[0].iscsi.lun`,
  },
  {
    name: 'a projection with two sources in one entry',
    edits: [[V, { name: 'data', projected: { sources: [{ configMap: { name: 'cm' }, secret: { name: 's' } }] } }]],
    field: `${F}.volumes[0].projected.sources[0]`,
  },
  {
    name: 'a configMap item at an absolute path',
    edits: [[V, { name: 'data', configMap: { name: 'cm', items: [{ key: 'k', path: '/abs' }] } }]],
    field: `${F}.volumes[0].configMap.items[0].path`,
  },
  {
    name: 'a secret volume defaultMode above 0777',
    edits: [[V, { name: 'data', secret: { secretName: 's', defaultMode: 1000 } }]],
    field: `${F}.volumes[0].secret.defaultMode`,
  },
  {
    name: 'a persistentVolumeClaim volume without claimName',
    edits: [[V, { name: 'data', persistentVolumeClaim: { claimName: '' } }]],
    field: `${F}.volumes[0].persistentVolumeClaim.claimName`,
  },
  {
    name: 'a downwardAPI item to an unsupported field',
    edits: [[V, { name: 'data', downwardAPI: { items: [{ path: 'x', fieldRef: { fieldPath: 'metadata.bogus' } }] } }]],
    // upstream names `downwardAPI.fieldRef.fieldPath`, without the item
    field: `${F}.volumes[0].downwardAPI`,
  },
  {
    name: 'a projected token that expires in under 10 minutes',
    edits: [[V, { name: 'data', projected: { sources: [{ serviceAccountToken: { path: 't', expirationSeconds: 100 } }] } }]],
    field: `${F}.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds`,
  },
  { name: 'an nfs volume without server', edits: [[V, { name: 'data', nfs: { server: '', path: '/x' } }]], field: `${F}.volumes[0].nfs.server` },
  { name: 'an ephemeral volume without a claim template', edits: [[V, { name: 'data', ephemeral: {} }]], field: `${F}.volumes[0].ephemeral.volumeClaimTemplate` },
  // template metadata: upstream names `spec.template.labels` (ValidatePodTemplateSpec's path has
  // no `metadata`); the webhook names the field that exists
  {
    name: 'a template label key that is not a label key',
    edits: [['spec.template.metadata.labels.bad key', 'x']],
    field: 'spec.template.metadata.labels',
    upstream: 'spec.template.labels',
  },
  {
    name: 'a template annotation key that is not a qualified name',
    edits: [['spec.template.metadata.annotations.bad key', 'x']],
    field: 'spec.template.metadata.annotations',
    upstream: 'spec.template.annotations',
  },
  {
    name: 'a seccomp annotation that contradicts the seccompProfile field',
    edits: [
      ['spec.template.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]', 'unconfined'],
      [`${T}.securityContext`, { seccompProfile: { type: 'RuntimeDefault' } }],
    ],
    field: `${F}.securityContext.seccompProfile.type`,
  },
  {
    name: 'a pod-deletion-cost annotation that is not an integer',
    edits: [['spec.template.metadata.annotations[controller.kubernetes.io/pod-deletion-cost]', 'high']],
    field: 'spec.template.metadata.annotations',
    upstream: 'spec.template.annotations',
  },
];

const S = 'spec.volumeClaimTemplates.0.spec';
const FS = 'spec.volumeClaimTemplates[0].spec';

/** StatefulSet claim templates: validated as PersistentVolumeClaim specs (upstream validateVolumeClaimTemplates). */
const claimTemplateCases: readonly Invalid[] = [
  {
    name: 'a claim storage request that is not a quantity',
    edits: [[`${S}.resources.requests.storage`, 'abc']],
    field: `${FS}.resources.requests.storage`,
    upstream: 'quantities must match the regular expression',
  },
  { name: 'a claim without access modes', edits: [[`${S}.accessModes`, []]], field: `${FS}.accessModes` },
  { name: 'an unknown access mode', edits: [[`${S}.accessModes`, ['ReadWriteSometimes']]], field: `${FS}.accessModes` },
  {
    name: 'ReadWriteOncePod beside another access mode',
    edits: [[`${S}.accessModes`, ['ReadWriteOncePod', 'ReadWriteOnce']]],
    field: `${FS}.accessModes`,
  },
  // upstream names `resources[storage]`, without `requests`; the webhook reports the same
  { name: 'a negative storage request', edits: [[`${S}.resources.requests.storage`, '-1Gi']], field: `${FS}.resources` },
  { name: 'a zero storage request', edits: [[`${S}.resources.requests.storage`, '0']], field: `${FS}.resources` },
  { name: 'an unknown volumeMode', edits: [[`${S}.volumeMode`, 'Bogus']], field: `${FS}.volumeMode` },
  {
    name: 'a claim selector with an invalid label value',
    edits: [[`${S}.selector`, { matchLabels: { tier: 'a b' } }]],
    field: `${FS}.selector.matchLabels`,
  },
  { name: 'a dataSource without kind', edits: [[`${S}.dataSource`, { name: 'snap' }]], field: `${FS}.dataSource` },
  { name: 'a storageClassName that is not a DNS subdomain', edits: [[`${S}.storageClassName`, 'Bad_Name']], field: `${FS}.storageClassName` },
  {
    // upstream names the pod volume the claim becomes; the schema names the claim template
    name: 'a claim template name that is not a DNS label',
    edits: [['spec.volumeClaimTemplates.0.metadata.name', 'WWW'], [`${C}.volumeMounts.1.name`, 'WWW']],
    field: 'spec.volumeClaimTemplates[0].metadata.name',
    upstream: 'spec.template.spec.volumes',
  },
];

/** Manifests apps/v1 admits that a naive Pod dry run would refuse: pod-only rules and admission 403s. */
interface Valid {
  readonly name: string;
  readonly edits: Edits;
  readonly kinds?: readonly Kind[];
  /** A namespace prepared with this (quota, Pod Security, …) instead of the shared one. */
  readonly namespace?: 'quota' | 'restricted' | 'limits';
}

const admitted: readonly Valid[] = [
  // validateContainersOnlyForPod: a template image may carry whitespace
  { name: 'an image with trailing whitespace', edits: [[`${C}.image`, 'registry.k8s.io/pause:3.10 ']] },
  // ValidatePodCreate: nodeName with scheduling gates is refused for pods only
  { name: 'nodeName with schedulingGates', edits: [[`${T}.nodeName`, 'kwok-node-0000'], [`${T}.schedulingGates`, [{ name: 'example.com/gate' }]]] },
  // validateImageVolumeSource: reference is required for pods only
  { name: 'an image volume without reference', edits: [[V, { name: 'data', image: {} }]] },
  // ValidatePodSpec with the ContainerRestartRules gate (on in 1.36): Never is allowed for init containers
  {
    name: 'an init container with restartPolicy Never',
    edits: [[`${T}.initContainers`, [{ name: 'init', image: 'registry.k8s.io/pause:3.10', restartPolicy: 'Never' }]]],
  },
  // SetDefaults_Volume: a volume without a source is an emptyDir
  { name: 'a volume without a source', edits: [[V, { name: 'data' }]] },
  // validateConfigMapVolumeSource checks the items, not the name
  { name: 'a configMap volume name that is not a DNS subdomain', edits: [[V, { name: 'data', configMap: { name: 'Bad_Name' } }]] },
  { name: 'a hostname that is not a DNS label (StatefulSet: set by the controller)', edits: [[`${T}.hostname`, 'Bad_Name']], kinds: ['MyStatefulSet'] },
  { name: 'a priorityClassName that does not exist', edits: [[`${T}.priorityClassName`, 'no-such-class']] },
  { name: 'a runtimeClassName that does not exist', edits: [[`${T}.runtimeClassName`, 'no-such-runtime']] },
  { name: 'a serviceAccountName that does not exist', edits: [[`${T}.serviceAccountName`, 'no-such-account']] },
  { name: 'pods over the namespace quota', edits: [], namespace: 'quota' },
  { name: 'a privileged container where Pod Security enforces restricted', edits: [[`${C}.securityContext`, { privileged: true }]], namespace: 'restricted' },
  { name: 'a cpu limit above the LimitRange maximum', edits: [[`${C}.resources.limits.cpu`, '4'], [`${C}.resources.requests.cpu`, '1']], namespace: 'limits' },
];

// ---- running the cases ---------------------------------------------------------------------------

interface Outcome {
  readonly ours: KubectlResult;
  readonly upstream: KubectlResult;
}

const kinds: readonly Kind[] = ['MyDaemonSet', 'MyStatefulSet'];
const casesOf = (kind: Kind): Invalid[] =>
  [...podTemplateCases, ...(kind === 'MyStatefulSet' ? claimTemplateCases : [])].filter((c) => !c.kinds || c.kinds.includes(kind));
/**
 * What apps/v1's refusal must name. A StatefulSet's template is validated with the claim
 * templates' volumes first (ValidateStatefulSetSpec builds the list from a map, then the template's
 * own): its `volumes[0]` is the claim's, the template's first volume is `volumes[1]`. The webhook
 * names the template's own index.
 */
function upstreamWant(kind: Kind, row: Invalid): string {
  if (row.upstream !== undefined) return row.upstream;
  const first = `${F}.volumes[0]`;
  return kind === 'MyStatefulSet' && row.field.startsWith(first) ? `${F}.volumes[1]${row.field.slice(first.length)}` : row.field;
}

const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40).replace(/-$/, '');

describe('admission: what apps/v1 refuses is refused at apply time, naming the field', function () {
  this.timeout(600_000);
  const namespaces: { name: string; remove: () => Promise<void> }[] = [];
  let ns = '';
  const special: Partial<Record<NonNullable<Valid['namespace']>, string>> = {};
  const refusals = new Map<string, Outcome>();
  const admissions = new Map<string, Outcome>();

  before(async function () {
    this.timeout(600_000);
    const shared = await createNamespace('admission');
    namespaces.push(shared);
    ns = shared.name;
    // The webhook is registered before the operator reports ready; wait until the API server calls
    // it (its configuration informer) with a manifest only the webhook refuses.
    const probe = edited(base('MyDaemonSet', 'webhook-probe'), [[`${T}.nodeSelector`, { 'bad key': 'x' }]]);
    await waitFor(
      "the operator's webhook to refuse a nodeSelector key",
      () => kubectl(['create', '-n', ns, '--dry-run=server', '-f', '-'], JSON.stringify(probe)),
      (r) => !r.ok && r.stderr.includes(`${F}.nodeSelector`),
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    for (const which of ['quota', 'restricted', 'limits'] as const) {
      const created = await createNamespace(`admission-${which}`);
      namespaces.push(created);
      special[which] = created.name;
    }
    const setup: Record<string, string> = {
      quota: JSON.stringify({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'no-pods' }, spec: { hard: { pods: '0' } } }),
      limits: JSON.stringify({
        apiVersion: 'v1',
        kind: 'LimitRange',
        metadata: { name: 'small' },
        spec: { limits: [{ type: 'Container', max: { cpu: '1' } }] },
      }),
    };
    for (const [which, manifest] of Object.entries(setup)) {
      const result = await kubectl(['create', '-n', special[which as 'quota' | 'limits'] ?? '', '-f', '-'], manifest);
      assert.ok(result.ok, result.stderr);
    }
    const labelled = await kubectl(['label', 'namespace', special.restricted ?? '', 'pod-security.kubernetes.io/enforce=restricted']);
    assert.ok(labelled.ok, labelled.stderr);

    // Every case against both API groups, four at a time (kubectl processes on two cores).
    const queue = new PQueue({ concurrency: 4 });
    const jobs: Promise<void>[] = [];
    for (const kind of kinds) {
      for (const row of casesOf(kind)) {
        const manifest = edited(base(kind, `bad-${slug(row.name)}`), row.edits);
        jobs.push(
          queue.add(async () => {
            const apply = row.clientSide ? ['apply'] : ['apply', '--server-side', '--field-manager=e2e'];
            const [ours, upstream] = await Promise.all([
              kubectl([...apply, '-n', ns, '-f', '-'], JSON.stringify(manifest)),
              kubectl(['create', '--dry-run=server', '-n', ns, '-f', '-'], JSON.stringify(asAppsV1(manifest, kind))),
            ]);
            refusals.set(`${kind}/${row.name}`, { ours, upstream });
          }),
        );
      }
      for (const row of admitted.filter((r) => !r.kinds || r.kinds.includes(kind))) {
        const where = row.namespace === undefined ? ns : (special[row.namespace] ?? ns);
        const manifest = edited(base(kind, `ok-${slug(row.name)}`), row.edits);
        jobs.push(
          queue.add(async () => {
            const [ours, upstream] = await Promise.all([
              kubectl(['apply', '--server-side', '--field-manager=e2e', '--dry-run=server', '-n', where, '-f', '-'], JSON.stringify(manifest)),
              kubectl(['create', '--dry-run=server', '-n', where, '-f', '-'], JSON.stringify(asAppsV1(manifest, kind))),
            ]);
            admissions.set(`${kind}/${row.name}`, { ours, upstream });
          }),
        );
      }
    }
    await Promise.all(jobs);
  });

  after(async () => {
    // The few objects stored (base manifests, the update cases) go first, so that no controller
    // keeps trying to create their pods in a namespace being deleted.
    if (ns) await kubectl(['delete', '-n', ns, 'mydaemonsets,mystatefulsets', '--all', '--wait=true', '--timeout=60s']);
    for (const created of namespaces) await created.remove();
  });

  for (const kind of kinds) {
    describe(kind, () => {
      it(`accepts the base manifest, as apps/v1 ${upstreamKind[kind]} does`, async () => {
        const manifest = base(kind, 'base');
        const upstream = await kubectl(['create', '--dry-run=server', '-n', ns, '-f', '-'], JSON.stringify(asAppsV1(manifest, kind)));
        assert.ok(upstream.ok, `apps/v1 refused the base manifest: ${upstream.stderr}`);
        const ours = await kubectl(['apply', '--server-side', '--field-manager=e2e', '-n', ns, '-f', '-'], JSON.stringify(manifest));
        assert.ok(ours.ok, `refused the base manifest: ${ours.stderr}`);
      });

      it(`has at least 60 invalid manifests (${casesOf(kind).length})`, () => {
        assert.ok(casesOf(kind).length >= 60);
      });

      describe('refuses, as apps/v1 does, naming the field', () => {
        for (const row of casesOf(kind)) {
          it(row.name, () => {
            const outcome = refusals.get(`${kind}/${row.name}`);
            assert.ok(outcome, 'not run');
            assert.ok(!outcome.upstream.ok, `apps/v1 ${upstreamKind[kind]} accepts it, so it must not be refused: ${outcome.upstream.stdout}`);
            const want = upstreamWant(kind, row);
            assert.ok(outcome.upstream.stderr.includes(want), `apps/v1 does not name ${want}: ${outcome.upstream.stderr}`);
            assert.ok(!outcome.ours.ok, `accepted: ${outcome.ours.stdout}`);
            assert.ok(outcome.ours.stderr.includes(row.field), `want ${row.field} in: ${outcome.ours.stderr}`);
          });
        }
      });

      describe('admits what apps/v1 admits', () => {
        for (const row of admitted.filter((r) => !r.kinds || r.kinds.includes(kind))) {
          it(row.name, () => {
            const outcome = admissions.get(`${kind}/${row.name}`);
            assert.ok(outcome, 'not run');
            assert.ok(outcome.upstream.ok, `apps/v1 refuses it, so the case proves nothing: ${outcome.upstream.stderr}`);
            assert.ok(outcome.ours.ok, `refused: ${outcome.ours.stderr}`);
            assert.doesNotMatch(outcome.ours.stderr, /not checked/, 'the webhook could not judge it');
          });
        }
      });

      it('refuses an update that makes the template invalid, and accepts one that does not', async () => {
        const name = `update-${kind === 'MyDaemonSet' ? 'mds' : 'msts'}`;
        const created = await kubectl(['apply', '--server-side', '--field-manager=e2e', '-n', ns, '-f', '-'], JSON.stringify(base(kind, name)));
        assert.ok(created.ok, created.stderr);
        const bad = edited(base(kind, name), [[`${C}.resources.limits.cpu`, '-1']]);
        const refused = await kubectl(['apply', '--server-side', '--field-manager=e2e', '-n', ns, '-f', '-'], JSON.stringify(bad));
        assert.ok(!refused.ok, `accepted: ${refused.stdout}`);
        assert.ok(refused.stderr.includes(`${FC}.resources.limits`), refused.stderr);
        const good = edited(base(kind, name), [[`${C}.image`, 'registry.k8s.io/pause:3.9']]);
        const accepted = await kubectl(['apply', '--server-side', '--field-manager=e2e', '-n', ns, '-f', '-'], JSON.stringify(good));
        assert.ok(accepted.ok, accepted.stderr);
      });
    });
  }

  describe('the five manifests that apps/v1 refused and the custom resources accepted (client-side apply)', () => {
    const escapes: readonly { name: string; kind: Kind; edits: Edits; field: string }[] = [
      { name: 'a container limit abc', kind: 'MyDaemonSet', edits: [[`${C}.resources.limits.cpu`, 'abc']], field: `${FC}.resources.limits.cpu` },
      {
        name: 'a claim template storage request abc',
        kind: 'MyStatefulSet',
        edits: [[`${S}.resources.requests.storage`, 'abc']],
        field: `${FS}.resources.requests.storage`,
      },
      {
        name: 'a toleration with operator Exists and a value',
        kind: 'MyDaemonSet',
        edits: [[`${T}.tolerations.0.value`, 'v']],
        field: `${F}.tolerations[0].operator`,
      },
      { name: 'a toleration effect Bogus', kind: 'MyStatefulSet', edits: [[`${T}.tolerations.0.effect`, 'Bogus']], field: `${F}.tolerations[0].effect` },
      {
        name: 'a nodeSelector value with spaces',
        kind: 'MyDaemonSet',
        edits: [[`${T}.nodeSelector`, { 'kubernetes.io/os': 'linux os' }]],
        field: `${F}.nodeSelector`,
      },
    ];
    for (const row of escapes) {
      it(`refuses ${row.name}`, async () => {
        const manifest = edited(base(row.kind, `escape-${slug(row.name)}`), row.edits);
        const result = await kubectl(['apply', '-n', ns, '-f', '-'], JSON.stringify(manifest));
        assert.ok(!result.ok, `accepted: ${result.stdout}`);
        assert.ok(result.stderr.includes(row.field), `want ${row.field} in: ${result.stderr}`);
        const upstream = await kubectl(['create', '--dry-run=server', '-n', ns, '-f', '-'], JSON.stringify(asAppsV1(manifest, row.kind)));
        assert.ok(!upstream.ok, `apps/v1 accepts it: ${upstream.stdout}`);
      });
    }
  });
});
