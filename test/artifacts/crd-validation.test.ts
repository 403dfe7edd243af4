// The MyDeployment and MyReplicaSet CRDs, the rollout-control extensions of every kind
// (docs/rollout-control.md) and MyStatefulSet's claim-template growth (docs/volume-growth.md), judged by the API server's own custom resource code:
// hack/crd-validate (k8s.io/apiextensions-apiserver at the control plane's version, built by
// test/artifacts/run.ts and found on PATH) checks each CRD as its creation would, then prunes,
// defaults and validates sample objects as a create, update or status write would. Each case names
// the fields apps/v1 would refuse (pkg/apis/apps/validation/validation.go), or our extensions do,
// and the words of the message; an accepted case must come back with no error and no unknown field. The schema's shape
// is checked in test/unit/crds.test.ts, what the webhook adds in test/unit/admission-templates.test.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { crdDir, isJsonObject, toJson, type Json, type JsonObject } from '../../hack/gen-crds.ts';
import { onPath } from './tools.ts';

type Operation = 'create' | 'update' | 'status';
type Kind = 'MyDaemonSet' | 'MyStatefulSet' | 'MyDeployment' | 'MyReplicaSet';
type Plural = 'mydaemonsets' | 'mystatefulsets' | 'mydeployments' | 'myreplicasets';

/** A refusal: the field, as the API server prints it, and words of its message. */
interface Refusal {
  readonly field: string;
  readonly says: string;
}

interface Case {
  readonly name: string;
  readonly resource: Plural;
  readonly operation: Operation;
  readonly object: JsonObject;
  readonly oldObject?: JsonObject;
  /**
   * Empty: accepted. Otherwise each of these, and no error on another field (the API server may say
   * more on one field: the scale subresource repeats a negative spec.replicas).
   */
  readonly refused: readonly Refusal[];
  /** Unknown fields strict field validation (kubectl's default) refuses. */
  readonly unknown?: readonly string[];
}

interface CaseResult {
  readonly unknownFields: readonly string[];
  readonly errors: readonly { readonly field: string; readonly message: string }[];
  readonly object: JsonObject;
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

function object(value: Json | undefined, what: string): JsonObject {
  if (!isJsonObject(value)) throw new Error(`${what}: not an object`);
  return value;
}

const template: JsonObject = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
};

const base = (kind: Kind): JsonObject => ({
  apiVersion: 'apps.my.dev/v1alpha1',
  kind,
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { matchLabels: { app: 'web' } }, template },
});

const deployment = (patch: JsonObject = {}): JsonObject => object(merge(base('MyDeployment'), patch), 'deployment');
const replicaSet = (patch: JsonObject = {}): JsonObject => object(merge(base('MyReplicaSet'), patch), 'replica set');
const daemonSet = (patch: JsonObject = {}): JsonObject => object(merge(base('MyDaemonSet'), patch), 'daemon set');
const statefulSet = (patch: JsonObject = {}): JsonObject => object(merge(base('MyStatefulSet'), patch), 'stateful set');
const spec = (patch: JsonObject): JsonObject => ({ spec: patch });
const rollingUpdate = (value: JsonObject): JsonObject => spec({ strategy: { type: 'RollingUpdate', rollingUpdate: value } });
const withStatus = (make: (patch?: JsonObject) => JsonObject, status: JsonObject): JsonObject => make({ status });

/** The resource of a sample object, by its kind. */
function resourceOf(object: JsonObject): Plural {
  switch (object.kind) {
    case 'MyDaemonSet':
      return 'mydaemonsets';
    case 'MyStatefulSet':
      return 'mystatefulsets';
    case 'MyDeployment':
      return 'mydeployments';
    case 'MyReplicaSet':
      return 'myreplicasets';
    default:
      throw new Error(`no resource for kind ${JSON.stringify(object.kind)}`);
  }
}

const create = (name: string, object: JsonObject, refused: readonly Refusal[] = [], unknown?: readonly string[]): Case => ({
  name,
  resource: resourceOf(object),
  operation: 'create',
  object,
  refused,
  ...(unknown ? { unknown } : {}),
});

const update = (name: string, operation: 'update' | 'status', oldObject: JsonObject, object: JsonObject, refused: readonly Refusal[] = []): Case => ({
  name,
  resource: resourceOf(object),
  operation,
  object,
  oldObject,
  refused,
});

const nonNegative = (field: string): Refusal => ({ field, says: 'should be greater than or equal to 0' });
const selectorMismatch: Refusal = { field: 'spec.template.metadata.labels', says: 'selector does not match template labels' };

/** Cases both kinds share: selector, template and replica rules (ValidateReplicaSetSpec, ValidatePodTemplateSpecForReplicaSet). */
function sharedCases(kind: string, make: (patch?: JsonObject) => JsonObject): Case[] {
  return [
    create(`${kind}: a converted manifest`, make()),
    create(`${kind}: zero replicas`, make(spec({ replicas: 0 }))),
    create(`${kind}: a matchExpressions selector the template labels satisfy`, make(spec({ selector: { matchLabels: null, matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }, { key: 'tier', operator: 'DoesNotExist' }] } }))),
    create(`${kind}: negative replicas`, make(spec({ replicas: -1 })), [nonNegative('spec.replicas')]),
    create(`${kind}: negative minReadySeconds`, make(spec({ minReadySeconds: -1 })), [nonNegative('spec.minReadySeconds')]),
    create(`${kind}: no selector`, make(spec({ selector: null })), [{ field: 'spec.selector', says: 'Required value' }]),
    create(`${kind}: an empty selector`, make(spec({ selector: { matchLabels: null } })), [{ field: 'spec.selector', says: 'empty selector is invalid for' }]),
    create(`${kind}: matchLabels the template labels do not satisfy`, make(spec({ selector: { matchLabels: { app: 'api' } } })), [selectorMismatch]),
    create(`${kind}: a NotIn requirement excluding the template label`, make(spec({ selector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] } })), [
      { field: 'spec.template.metadata.labels', says: 'must satisfy every spec.selector.matchExpressions requirement' },
    ]),
    create(`${kind}: an unknown selector operator`, make(spec({ selector: { matchLabels: null, matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] } })), [
      { field: 'spec.selector.matchExpressions[0].operator', says: 'Unsupported value: "Equals"' },
    ]),
    create(`${kind}: In without values`, make(spec({ selector: { matchLabels: null, matchExpressions: [{ key: 'app', operator: 'In' }] } })), [
      { field: 'spec.selector.matchExpressions[0].values', says: 'values must be non-empty when operator is In or NotIn' },
      { field: 'spec.template.metadata.labels', says: 'matchExpressions requirement' },
    ]),
    create(`${kind}: Exists with values`, make(spec({ selector: { matchLabels: null, matchExpressions: [{ key: 'app', operator: 'Exists', values: ['web'] }] } })), [
      { field: 'spec.selector.matchExpressions[0].values', says: 'empty when operator is Exists or DoesNotExist' },
    ]),
    create(`${kind}: restartPolicy Never`, make(spec({ template: { spec: { restartPolicy: 'Never' } } })), [
      { field: 'spec.template.spec.restartPolicy', says: 'Unsupported value: "Never"' },
    ]),
    create(`${kind}: activeDeadlineSeconds in the template`, make(spec({ template: { spec: { activeDeadlineSeconds: 60 } } })), [
      { field: 'spec.template.spec.activeDeadlineSeconds', says: 'activeDeadlineSeconds is forbidden' },
    ]),
    create(`${kind}: an unknown pod field`, make(spec({ template: { spec: { restartPolicyy: 'Always' } } })), [], ['spec.template.spec.restartPolicyy']),
    update(`${kind}: a new template and replica count`, 'update', make(), make(spec({ replicas: 5, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.28' }] } } }))),
    update(`${kind}: a changed selector`, 'update', make(), make(spec({ selector: { matchLabels: { app: 'web', v: '2' } }, template: { metadata: { labels: { v: '2' } } } })), [
      { field: 'spec.selector', says: 'selector is immutable' },
    ]),
    update(`${kind}: a status merge patch adding a condition with type and status only`, 'status', make(), withStatus(make, { conditions: [{ type: 'StatusPatched', status: 'True' }] })),
    update(`${kind}: status readyReplicas above replicas`, 'status', make(), withStatus(make, { replicas: 1, readyReplicas: 2, availableReplicas: 1 }), [
      { field: 'status.readyReplicas', says: 'cannot be greater than status.replicas' },
    ]),
    update(`${kind}: status availableReplicas above readyReplicas`, 'status', make(), withStatus(make, { replicas: 3, readyReplicas: 1, availableReplicas: 2 }), [
      { field: 'status.availableReplicas', says: 'cannot be greater than status.readyReplicas' },
    ]),
    update(`${kind}: a negative status count`, 'status', make(), withStatus(make, { observedGeneration: -1 }), [nonNegative('status.observedGeneration')]),
  ];
}

const appsCases: readonly Case[] = [
  ...sharedCases('MyDeployment', deployment),
  ...sharedCases('MyReplicaSet', replicaSet),
  // MyDeployment: ValidateDeploymentSpec, ValidateDeploymentStrategy, ValidateRollingUpdateDeployment
  create('MyDeployment: Recreate without rollingUpdate', deployment(spec({ strategy: { type: 'Recreate' } }))),
  create('MyDeployment: a strategy with rollingUpdate only (type defaults to RollingUpdate)', deployment(spec({ strategy: { rollingUpdate: { maxSurge: 1 } } }))),
  create('MyDeployment: maxSurge 0 with maxUnavailable 1', deployment(rollingUpdate({ maxSurge: 0, maxUnavailable: 1 }))),
  create('MyDeployment: maxUnavailable 0 alone (maxSurge counts as its 25% default)', deployment(rollingUpdate({ maxUnavailable: 0 }))),
  create('MyDeployment: maxSurge above 100% and maxUnavailable at 100%', deployment(rollingUpdate({ maxSurge: '200%', maxUnavailable: '100%' }))),
  create('MyDeployment: progressDeadlineSeconds one above minReadySeconds', deployment(spec({ minReadySeconds: 10, progressDeadlineSeconds: 11 }))),
  create('MyDeployment: progressDeadlineSeconds at the int32 maximum (no deadline)', deployment(spec({ progressDeadlineSeconds: 2147483647 }))),
  create('MyDeployment: paused', deployment(spec({ paused: true }))),
  // the CRD cannot see annotations (CEL has only metadata.name and generateName at the root); the webhook refuses this
  create('MyDeployment: a rollback annotation that is no revision, left to the webhook', deployment({ metadata: { annotations: { 'deprecated.deployment.rollback.to': 'latest' } } })),
  create('MyDeployment: negative revisionHistoryLimit', deployment(spec({ revisionHistoryLimit: -1 })), [nonNegative('spec.revisionHistoryLimit')]),
  create('MyDeployment: negative progressDeadlineSeconds', deployment(spec({ progressDeadlineSeconds: -1 })), [
    nonNegative('spec.progressDeadlineSeconds'),
    { field: 'spec.progressDeadlineSeconds', says: 'must be greater than minReadySeconds' },
  ]),
  create('MyDeployment: progressDeadlineSeconds equal to minReadySeconds', deployment(spec({ minReadySeconds: 30, progressDeadlineSeconds: 30 })), [
    { field: 'spec.progressDeadlineSeconds', says: 'progressDeadlineSeconds must be greater than minReadySeconds' },
  ]),
  create('MyDeployment: progressDeadlineSeconds 0, not above an absent minReadySeconds', deployment(spec({ progressDeadlineSeconds: 0 })), [
    { field: 'spec.progressDeadlineSeconds', says: 'must be greater than minReadySeconds' },
  ]),
  create('MyDeployment: an unknown strategy type', deployment(spec({ strategy: { type: 'BlueGreen' } })), [
    { field: 'spec.strategy.type', says: 'Unsupported value: "BlueGreen"' },
  ]),
  create('MyDeployment: rollingUpdate with Recreate', deployment(spec({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } })), [
    { field: 'spec.strategy.rollingUpdate', says: "may not be specified when strategy `type` is 'Recreate'" },
  ]),
  create('MyDeployment: negative maxSurge', deployment(rollingUpdate({ maxSurge: -1 })), [{ field: 'spec.strategy.rollingUpdate.maxSurge', says: 'greater than or equal to 0' }]),
  create('MyDeployment: a maxSurge string that is no percentage', deployment(rollingUpdate({ maxSurge: '5' })), [
    { field: 'spec.strategy.rollingUpdate.maxSurge', says: 'valid percent string' },
  ]),
  create('MyDeployment: a fractional maxUnavailable percentage', deployment(rollingUpdate({ maxUnavailable: '12.5%' })), [
    { field: 'spec.strategy.rollingUpdate.maxUnavailable', says: 'valid percent string' },
  ]),
  create('MyDeployment: maxSurge and maxUnavailable both zero', deployment(rollingUpdate({ maxSurge: 0, maxUnavailable: '0%' })), [
    { field: 'spec.strategy.rollingUpdate.maxUnavailable', says: 'may not be 0 when `maxSurge` is 0' },
  ]),
  create('MyDeployment: maxUnavailable above 100%', deployment(rollingUpdate({ maxUnavailable: '101%' })), [
    { field: 'spec.strategy.rollingUpdate.maxUnavailable', says: 'must not be greater than 100%' },
  ]),
  update('MyDeployment: switching to Recreate without dropping rollingUpdate', 'update', deployment(rollingUpdate({ maxSurge: 1 })), deployment(spec({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } })), [
    { field: 'spec.strategy.rollingUpdate', says: "'Recreate'" },
  ]),
  update('MyDeployment: status updatedReplicas above replicas', 'status', deployment(), withStatus(deployment, { replicas: 1, updatedReplicas: 2 }), [
    { field: 'status.updatedReplicas', says: 'cannot be greater than status.replicas' },
  ]),
  update('MyDeployment: a decremented status.collisionCount', 'status', withStatus(deployment, { collisionCount: 2 }), withStatus(deployment, { collisionCount: 1 }), [
    { field: 'status.collisionCount', says: 'cannot be decremented' },
  ]),
  // MyReplicaSet: the template is not optional in effect (ValidateReplicaSetSpec validates the empty one)
  create('MyReplicaSet: no template', replicaSet(spec({ template: null })), [{ field: 'spec.template', says: 'Required value' }]),
  update('MyReplicaSet: status fullyLabeledReplicas above replicas', 'status', replicaSet(), withStatus(replicaSet, { replicas: 1, fullyLabeledReplicas: 2 }), [
    { field: 'status.fullyLabeledReplicas', says: 'cannot be greater than status.replicas' },
  ]),
];

// ---------------------------------------------------------------------------------------------
// Rollout control (docs/rollout-control.md): extension fields on MyDaemonSet, MyStatefulSet and
// MyDeployment, none defaulted.

const canary = (value: JsonObject): JsonObject => spec({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: value } });
const canarySelector = (selector: JsonObject): JsonObject => canary({ selector });
const canaryField = 'spec.updateStrategy.rollingUpdate.selector';
const deadlineRule = (says = 'progressDeadlineSeconds must be greater than minReadySeconds'): Refusal => ({ field: 'spec.progressDeadlineSeconds', says });
const rollback: JsonObject = { generation: 2, revision: 'web-5d8f', revisionNumber: 3, failedRevision: 'web-7c9b', failedRevisionNumber: 4 };
const progressing: JsonObject = {
  type: 'Progressing',
  status: 'True',
  reason: 'RolloutProgressing',
  message: 'MyDaemonSet "web" is progressing',
  lastUpdateTime: '2026-03-01T12:00:00Z',
  lastTransitionTime: '2026-03-01T11:59:00Z',
};

/** What MyDaemonSet and MyStatefulSet share: spec.paused, spec.progressDeadlineSeconds, spec.autoRollback and the status. */
function rolloutControlCases(kind: string, make: (patch?: JsonObject) => JsonObject): Case[] {
  return [
    create(`${kind}: paused, a progress deadline above minReadySeconds and autoRollback`, make(spec({ paused: true, minReadySeconds: 10, progressDeadlineSeconds: 11, autoRollback: true }))),
    create(`${kind}: a progress deadline of 1 s without minReadySeconds (it defaults to 0)`, make(spec({ progressDeadlineSeconds: 1 }))),
    create(`${kind}: progressDeadlineSeconds 0`, make(spec({ progressDeadlineSeconds: 0 })), [
      { field: 'spec.progressDeadlineSeconds', says: 'should be greater than or equal to 1' },
      deadlineRule(),
    ]),
    create(`${kind}: progressDeadlineSeconds equal to minReadySeconds`, make(spec({ minReadySeconds: 30, progressDeadlineSeconds: 30 })), [deadlineRule()]),
    create(`${kind}: paused that is no boolean`, make(spec({ paused: 'yes' })), [{ field: 'spec.paused', says: 'must be of type boolean' }]),
    create(`${kind}: autoRollback that is no boolean`, make(spec({ autoRollback: 1 })), [{ field: 'spec.autoRollback', says: 'must be of type boolean' }]),
    update(`${kind}: pausing, setting a deadline and autoRollback on a stored object (all mutable)`, 'update', make(), make(spec({ paused: true, progressDeadlineSeconds: 600, autoRollback: true }))),
    update(`${kind}: resuming and dropping the deadline and autoRollback`, 'update', make(spec({ paused: true, progressDeadlineSeconds: 600, autoRollback: true })), make(spec({ paused: false, progressDeadlineSeconds: null, autoRollback: null }))),
    update(`${kind}: a status write of stableRevision, a rollback and a condition with lastUpdateTime`, 'status', make(), withStatus(make, { stableRevision: 'web-5d8f', rollback, conditions: [progressing] })),
    // A merge patch `rollback: null` deletes the key before the object is decoded (RFC 7386, as
    // merge() here); a full update carrying the null has it pruned, the field not being nullable.
    update(`${kind}: a status merge patch removing the rollback`, 'status', withStatus(make, { rollback }), object(merge(withStatus(make, { rollback }), { status: { rollback: null } }), 'patched')),
    update(`${kind}: a status update carrying rollback: null`, 'status', withStatus(make, { rollback }), withStatus(make, { rollback: null, stableRevision: 'web-5d8f' })),
    update(`${kind}: a rollback without the revision rolled back to`, 'status', make(), withStatus(make, { rollback: { generation: 2 } }), [
      { field: 'status.rollback.revision', says: 'Required value' },
    ]),
    update(`${kind}: a rollback with a negative generation`, 'status', make(), withStatus(make, { rollback: { ...rollback, generation: -1 } }), [nonNegative('status.rollback.generation')]),
    update(`${kind}: a condition lastUpdateTime that is no date-time`, 'status', make(), withStatus(make, { conditions: [{ ...progressing, lastUpdateTime: 'yesterday' }] }), [
      { field: 'status.conditions[0].lastUpdateTime', says: 'date-time' },
    ]),
  ];
}

const rolloutCases: readonly Case[] = [
  ...rolloutControlCases('MyDaemonSet', daemonSet),
  ...rolloutControlCases('MyStatefulSet', statefulSet),
  // MyDaemonSet canaries: rollingUpdate.partition and rollingUpdate.selector (OpenKruise)
  create('MyDaemonSet: a converted manifest', daemonSet()),
  create('MyDaemonSet: a partition and a node selector next to maxUnavailable', daemonSet(canary({ maxUnavailable: 2, partition: 3, selector: { matchLabels: { pool: 'canary' } } }))),
  create('MyDaemonSet: a partition alone (maxUnavailable and maxSurge default as apps/v1)', daemonSet(canary({ partition: 1 }))),
  create('MyDaemonSet: a partition of 0', daemonSet(canary({ partition: 0 }))),
  create('MyDaemonSet: a matchExpressions canary selector', daemonSet(canarySelector({ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['a', 'b'] }, { key: 'canary', operator: 'Exists' }] }))),
  create('MyDaemonSet: an empty canary selector (every node), unlike spec.selector', daemonSet(canarySelector({}))),
  create('MyDaemonSet: a negative partition', daemonSet(canary({ partition: -1 })), [nonNegative('spec.updateStrategy.rollingUpdate.partition')]),
  create('MyDaemonSet: a partition that is no integer', daemonSet(canary({ partition: '10%' })), [{ field: 'spec.updateStrategy.rollingUpdate.partition', says: 'must be of type integer' }]),
  create('MyDaemonSet: a canary selector requirement In without values', daemonSet(canarySelector({ matchExpressions: [{ key: 'pool', operator: 'In' }] })), [
    { field: `${canaryField}.matchExpressions[0].values`, says: 'values must be non-empty when operator is In or NotIn' },
  ]),
  create('MyDaemonSet: a canary selector requirement Exists with values', daemonSet(canarySelector({ matchExpressions: [{ key: 'pool', operator: 'Exists', values: ['a'] }] })), [
    { field: `${canaryField}.matchExpressions[0].values`, says: 'empty when operator is Exists or DoesNotExist' },
  ]),
  create('MyDaemonSet: an unknown canary selector operator', daemonSet(canarySelector({ matchExpressions: [{ key: 'pool', operator: 'Gt', values: ['1'] }] })), [
    { field: `${canaryField}.matchExpressions[0].operator`, says: 'Unsupported value: "Gt"' },
  ]),
  create('MyDaemonSet: a canary selector key that is no label key', daemonSet(canarySelector({ matchExpressions: [{ key: 'no spaces', operator: 'Exists' }] })), [
    { field: `${canaryField}.matchExpressions[0].key`, says: 'should match' },
  ]),
  create('MyDaemonSet: a canary selector value that is no label value', daemonSet(canarySelector({ matchLabels: { pool: '-canary' } })), [
    { field: `${canaryField}.matchLabels.pool`, says: 'should match' },
  ]),
  update('MyDaemonSet: moving the canary selector and the partition (mutable, unlike spec.selector)', 'update', daemonSet(canary({ partition: 3, selector: { matchLabels: { pool: 'a' } } })), daemonSet(canary({ partition: 0, selector: { matchLabels: { pool: 'b' } } }))),
  // MyStatefulSet: the new fields are mutable, the immutability message lists them; no canary selector
  create('MyStatefulSet: a converted manifest', statefulSet()),
  update('MyStatefulSet: a changed podManagementPolicy', 'update', statefulSet(), statefulSet(spec({ podManagementPolicy: 'Parallel', paused: true })), [
    { field: 'spec.podManagementPolicy', says: 'minReadySeconds, paused, progressDeadlineSeconds and autoRollback may change' },
  ]),
  create('MyStatefulSet: a rollingUpdate selector (a MyDaemonSet field)', statefulSet(canary({ partition: 1, selector: { matchLabels: { pool: 'a' } } })), [], ['spec.updateStrategy.rollingUpdate.selector']),
  // MyDeployment: autoRollback and the status are ours; paused and progressDeadlineSeconds are apps/v1's (cases above)
  create('MyDeployment: autoRollback', deployment(spec({ autoRollback: true }))),
  create('MyDeployment: autoRollback that is no boolean', deployment(spec({ autoRollback: 'true' })), [{ field: 'spec.autoRollback', says: 'must be of type boolean' }]),
  update('MyDeployment: a status write of stableRevision and a rollback', 'status', deployment(), withStatus(deployment, { stableRevision: 'web-5d8f', rollback: { ...rollback, revision: 'web-5d8f' } })),
  update('MyDeployment: a status merge patch removing the rollback', 'status', withStatus(deployment, { rollback }), object(merge(withStatus(deployment, { rollback }), { status: { rollback: null } }), 'patched')),
  create('MyReplicaSet: autoRollback (a MyDeployment field)', replicaSet(spec({ autoRollback: true })), [], ['spec.autoRollback']),
];

// ---------------------------------------------------------------------------------------------
// Claim-template growth (docs/volume-growth.md): a MyStatefulSet's storage requests may grow;
// everything else in its volumeClaimTemplates stays immutable, as in apps/v1.

const claimTemplate = (name: string, storage: Json, patch: JsonObject = {}): JsonObject =>
  object(merge({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'standard', resources: { requests: { storage } } } }, patch), 'claim template');
const withClaims = (...templates: JsonObject[]): JsonObject => statefulSet(spec({ volumeClaimTemplates: templates }));
const growthRule = 'volumeClaimTemplates: only spec.resources.requests.storage may change, and only grow';
const templatesRefused = (says = growthRule): Refusal => ({ field: 'spec.volumeClaimTemplates', says });
const shrinkRefused = (index: number, from: string, to: string): Refusal =>
  templatesRefused(`${growthRule}: spec.volumeClaimTemplates[${index}].spec.resources.requests.storage may not decrease from ${from} to ${to} (claims cannot shrink)`);
const www = (storage: Json, patch?: JsonObject): JsonObject => claimTemplate('www', storage, patch);
const logs = (storage: Json, patch?: JsonObject): JsonObject => claimTemplate('logs', storage, patch);
const claimStatus = (entries: Json[]): JsonObject => withStatus(statefulSet, { volumeClaimTemplates: entries });

const claimGrowthCases: readonly Case[] = [
  update('MyStatefulSet: a storage request grown from 1Gi to 2Gi', 'update', withClaims(www('1Gi')), withClaims(www('2Gi'))),
  update('MyStatefulSet: one of two storage requests grown, with a new pod template', 'update', withClaims(www('1Gi'), logs('5Gi')), object(merge(withClaims(www('1Gi'), logs('10Gi')), spec({ template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.28' }] } } })), 'grown')),
  update('MyStatefulSet: a storage request written in bytes grown to 2Gi', 'update', withClaims(www(1073741824)), withClaims(www('2Gi'))),
  update('MyStatefulSet: the same storage request written another way (1Gi to 1024Mi)', 'update', withClaims(www('1Gi')), withClaims(www('1024Mi'))),
  update('MyStatefulSet: a storage request lowered from 2Gi to 1Gi', 'update', withClaims(www('2Gi')), withClaims(www('1Gi')), [shrinkRefused(0, '2Gi', '1Gi')]),
  update('MyStatefulSet: a storage request lowered by a byte (1Gi to 1073741823)', 'update', withClaims(www('1Gi')), withClaims(www(1073741823)), [shrinkRefused(0, '1Gi', '1073741823')]),
  update('MyStatefulSet: the second template lowered while the first grows', 'update', withClaims(www('1Gi'), logs('5Gi')), withClaims(www('2Gi'), logs('4Gi')), [shrinkRefused(1, '5Gi', '4Gi')]),
  update('MyStatefulSet: a grown request with a changed storageClassName', 'update', withClaims(www('1Gi')), withClaims(www('2Gi', { spec: { storageClassName: 'fast' } })), [templatesRefused()]),
  update('MyStatefulSet: changed accessModes', 'update', withClaims(www('1Gi')), withClaims(www('1Gi', { spec: { accessModes: ['ReadWriteMany'] } })), [templatesRefused()]),
  update('MyStatefulSet: a removed storageClassName', 'update', withClaims(www('1Gi')), withClaims(www('1Gi', { spec: { storageClassName: null } })), [templatesRefused()]),
  update('MyStatefulSet: a changed volumeMode', 'update', withClaims(www('1Gi')), withClaims(www('1Gi', { spec: { volumeMode: 'Block' } })), [templatesRefused()]),
  update('MyStatefulSet: a label added to a claim template', 'update', withClaims(www('1Gi')), withClaims(www('1Gi', { metadata: { labels: { tier: 'db' } } })), [templatesRefused()]),
  update('MyStatefulSet: a request other than storage added', 'update', withClaims(www('1Gi')), withClaims(www('2Gi', { spec: { resources: { requests: { cpu: '1' } } } })), [templatesRefused()]),
  update('MyStatefulSet: a storage limit added', 'update', withClaims(www('1Gi')), withClaims(www('1Gi', { spec: { resources: { limits: { storage: '4Gi' } } } })), [templatesRefused()]),
  update('MyStatefulSet: a claim template added', 'update', withClaims(www('1Gi')), withClaims(www('1Gi'), logs('5Gi')), [templatesRefused()]),
  update('MyStatefulSet: one of two claim templates removed', 'update', withClaims(www('1Gi'), logs('5Gi')), withClaims(www('1Gi')), [templatesRefused()]),
  update('MyStatefulSet: every claim template removed', 'update', withClaims(www('1Gi')), statefulSet(), [templatesRefused()]),
  update('MyStatefulSet: a first claim template added', 'update', statefulSet(), withClaims(www('1Gi')), [templatesRefused()]),
  update('MyStatefulSet: a claim template renamed', 'update', withClaims(www('1Gi')), withClaims(claimTemplate('data', '1Gi')), [templatesRefused()]),
  update('MyStatefulSet: two claim templates swapped', 'update', withClaims(www('1Gi'), logs('5Gi')), withClaims(logs('5Gi'), www('1Gi')), [templatesRefused()]),
  create('MyStatefulSet: a storageClassName longer than a DNS subdomain', withClaims(www('1Gi', { spec: { storageClassName: 'a'.repeat(254) } })), [
    { field: 'spec.volumeClaimTemplates[0].spec.storageClassName', says: 'may not be more than 253 bytes' },
  ]),
  create('MyStatefulSet: more claim templates than the cost budget allows (32)', withClaims(...Array.from({ length: 33 }, (_, i) => claimTemplate(`c${i}`, '1Gi'))), [
    { field: 'spec.volumeClaimTemplates', says: 'must have at most 32 items' },
  ]),
  update('MyStatefulSet: a status write of the claim templates\' growth', 'status', statefulSet(), claimStatus([{ name: 'www', requestedStorage: '2Gi', updatedClaims: 3, resizedClaims: 1 }])),
  update('MyStatefulSet: a claim-template status without requestedStorage', 'status', statefulSet(), claimStatus([{ name: 'www', updatedClaims: 3 }]), [
    { field: 'status.volumeClaimTemplates[0].requestedStorage', says: 'Required value' },
  ]),
  update('MyStatefulSet: a negative resizedClaims', 'status', statefulSet(), claimStatus([{ name: 'www', requestedStorage: '2Gi', resizedClaims: -1 }]), [
    nonNegative('status.volumeClaimTemplates[0].resizedClaims'),
  ]),
  update('MyStatefulSet: two claim-template statuses of one name', 'status', statefulSet(), claimStatus([{ name: 'www', requestedStorage: '2Gi' }, { name: 'www', requestedStorage: '3Gi' }]), [
    { field: 'status.volumeClaimTemplates[1]', says: 'Duplicate value' },
  ]),
];

const cases: readonly Case[] = [...appsCases, ...rolloutCases, ...claimGrowthCases];

const crdFiles = ['mydaemonsets', 'mystatefulsets', 'mydeployments', 'myreplicasets'].map((plural) => path.join(crdDir, `${plural}.apps.my.dev.yaml`));

const skippedRules = /some validation rules were not checked because the object was invalid/;

function runValidator(validator: string, request: JsonObject): Promise<JsonObject> {
  return new Promise((resolve, reject) => {
    const child = execFile(validator, [], { maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`crd-validate failed: ${stderr}`, { cause: err }));
      else resolve(object(toJson(JSON.parse(stdout)), 'crd-validate output'));
    });
    child.stdin?.end(JSON.stringify(request));
  });
}

function parseResult(value: Json | undefined, name: string): CaseResult {
  const result = object(value, name);
  const strings = (list: Json | undefined): string[] => (Array.isArray(list) ? list.filter((s) => typeof s === 'string') : []);
  const errors = (Array.isArray(result.errors) ? result.errors : []).map((e) => {
    const error = object(e, `${name} error`);
    const text = (value: Json | undefined): string => (typeof value === 'string' ? value : JSON.stringify(value));
    return { field: text(error.field), message: text(error.message) };
  });
  return { unknownFields: strings(result.unknownFields), errors, object: object(result.object, `${name} object`) };
}

function at(value: Json | undefined, ...keys: string[]): Json | undefined {
  let node = value;
  for (const key of keys) node = isJsonObject(node) ? node[key] : undefined;
  return node;
}

describe("the CRDs under the API server's custom resource validation (hack/crd-validate)", function () {
  this.timeout(120_000);
  const results = new Map<string, CaseResult>();
  let crdErrors: JsonObject = {};

  before(async () => {
    const request: JsonObject = {
      crds: crdFiles,
      cases: cases.map((c) => ({
        name: c.name,
        resource: c.resource,
        operation: c.operation,
        object: c.object,
        ...(c.oldObject ? { oldObject: c.oldObject } : {}),
      })),
    };
    const output = await runValidator(onPath('crd-validate'), request);
    crdErrors = object(output.crds, 'crds');
    const list = Array.isArray(output.cases) ? output.cases : [];
    assert.equal(list.length, cases.length);
    cases.forEach((c, i) => results.set(c.name, parseResult(list[i], c.name)));
  });

  it('installs every CRD: structural, CEL rules compiled and within the cost budget', () => {
    assert.deepEqual(crdErrors, { mydaemonsets: [], mystatefulsets: [], mydeployments: [], myreplicasets: [] });
  });

  for (const c of cases) {
    const verdict = c.refused.length === 0 && !c.unknown ? 'accepts' : 'refuses';
    it(`${verdict} ${c.name}`, () => {
      const result = results.get(c.name);
      assert.ok(result);
      assert.deepEqual(result.unknownFields, c.unknown ?? [], 'unknown fields');
      const seen = JSON.stringify(result.errors.map((e) => e.message), null, 2);
      if (c.refused.length === 0) assert.deepEqual(result.errors, [], seen);
      // The API server adds a note without a field when a schema error kept CEL rules from running,
      // and the scale subresource names spec.replicas as `.spec.replicas`.
      const errors = result.errors.filter((e) => !skippedRules.test(e.message)).map((e) => ({ ...e, field: e.field.replace(/^\./, '') }));
      for (const error of errors) assert.ok(c.refused.some((want) => want.field === error.field), `unexpected error on ${error.field} in ${seen}`);
      for (const want of c.refused) {
        const match = errors.some((e) => e.field === want.field && e.message.includes(want.says));
        assert.ok(match, `no error on ${want.field} saying "${want.says}" in ${seen}`);
      }
    });
  }

  describe('defaults, as stored', () => {
    const stored = (name: string): JsonObject => {
      const result = results.get(name);
      assert.ok(result, name);
      return result.object;
    };

    it('gives a MyDeployment apps/v1 defaults, and no rollingUpdate, minReadySeconds or paused', () => {
      const spec = at(stored('MyDeployment: a converted manifest'), 'spec');
      assert.equal(at(spec, 'replicas'), 1);
      assert.equal(at(spec, 'revisionHistoryLimit'), 10);
      assert.equal(at(spec, 'progressDeadlineSeconds'), 600);
      assert.deepEqual(at(spec, 'strategy'), { type: 'RollingUpdate' });
      assert.equal(at(spec, 'minReadySeconds'), undefined);
      assert.equal(at(spec, 'paused'), undefined);
    });

    it('completes a given strategy field by field and writes no rollingUpdate into a Recreate one', () => {
      assert.deepEqual(at(stored('MyDeployment: a strategy with rollingUpdate only (type defaults to RollingUpdate)'), 'spec', 'strategy'), {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: 1 },
      });
      assert.deepEqual(at(stored('MyDeployment: Recreate without rollingUpdate'), 'spec', 'strategy'), { type: 'Recreate' });
    });

    it('writes none of the rollout-control fields into a MyDaemonSet, MyStatefulSet or MyDeployment, and keeps apps/v1\'s DaemonSet strategy', () => {
      for (const name of ['MyDaemonSet: a converted manifest', 'MyStatefulSet: a converted manifest', 'MyDeployment: a converted manifest']) {
        const stored = results.get(name)?.object;
        for (const field of ['paused', 'autoRollback']) assert.equal(at(stored, 'spec', field), undefined, `${name}: spec.${field}`);
        if (!name.startsWith('MyDeployment')) assert.equal(at(stored, 'spec', 'progressDeadlineSeconds'), undefined, `${name}: no deadline`);
      }
      assert.deepEqual(at(stored('MyDaemonSet: a converted manifest'), 'spec', 'updateStrategy'), {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
      });
    });

    it('completes a MyDaemonSet rollingUpdate that has only a partition with apps/v1\'s maxUnavailable and maxSurge', () => {
      assert.deepEqual(at(stored('MyDaemonSet: a partition alone (maxUnavailable and maxSurge default as apps/v1)'), 'spec', 'updateStrategy'), {
        type: 'RollingUpdate',
        rollingUpdate: { maxUnavailable: 1, maxSurge: 0, partition: 1 },
      });
    });

    it('stores no status.rollback after a merge patch null or a full update with a null', () => {
      for (const name of [
        'MyDaemonSet: a status merge patch removing the rollback',
        'MyDaemonSet: a status update carrying rollback: null',
        'MyStatefulSet: a status merge patch removing the rollback',
        'MyStatefulSet: a status update carrying rollback: null',
        'MyDeployment: a status merge patch removing the rollback',
      ]) {
        const status = at(stored(name), 'status');
        assert.ok(isJsonObject(status), name);
        assert.ok(!('rollback' in status), `${name}: ${JSON.stringify(status)}`);
      }
      assert.equal(at(stored('MyDaemonSet: a status update carrying rollback: null'), 'status', 'stableRevision'), 'web-5d8f');
    });

    it('gives a MyReplicaSet one replica and nothing else', () => {
      const spec = at(stored('MyReplicaSet: a converted manifest'), 'spec');
      assert.equal(at(spec, 'replicas'), 1);
      assert.equal(at(spec, 'minReadySeconds'), undefined);
    });

    it('stores the same template for a MyDeployment and a MyReplicaSet made from it, so the controller finds them equal', () => {
      const deploymentTemplate = at(stored('MyDeployment: a converted manifest'), 'spec', 'template');
      const replicaSetTemplate = at(stored('MyReplicaSet: a converted manifest'), 'spec', 'template');
      assert.deepEqual(replicaSetTemplate, deploymentTemplate);
      assert.equal(at(deploymentTemplate, 'spec', 'restartPolicy'), 'Always', 'the template was defaulted');
      assert.equal(at(deploymentTemplate, 'spec', 'terminationGracePeriodSeconds'), 30);
    });
  });
});
