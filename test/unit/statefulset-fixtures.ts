// Builders for MyStatefulSet planner tests: plain wire-shaped objects, no fakes.
import type { ControllerRevision, PersistentVolumeClaim, Pod, PodPhase } from '../../src/api/core.ts';
import type { OwnerReference } from '../../src/api/meta.ts';
import type { MyStatefulSet, MyStatefulSetSpec, MyStatefulSetStatus, RolloutCondition } from '../../src/api/workloads.ts';
import type {
  ClaimCreation,
  PodOperation,
  PodOperationAction,
  PodStepAction,
  StatefulSetAction,
  StatefulSetSnapshot,
  StatefulSetWriteStatus,
  SyncStep,
} from '../../src/controllers/statefulset/plan.ts';
import { newStatefulSetPod } from '../../src/controllers/statefulset/pod-template.ts';
import { newStatefulSetRevision } from '../../src/controllers/statefulset/revisions.ts';
import { nextRolloutConditions } from '../../src/controllers/statefulset/rollout-status.ts';
import { formatMetaV1Time } from '../../src/runtime/time.ts';

export const setUid = 'uid-set-web';
/** The planning time: ten minutes after every default Ready transition. */
export const now = Date.parse('2025-01-01T00:10:00Z');
export const readySince = '2025-01-01T00:00:00Z';

export interface SetOptions extends Partial<Omit<MyStatefulSetSpec, 'template' | 'selector'>> {
  readonly image?: string;
  readonly claims?: readonly string[];
  readonly status?: MyStatefulSetStatus;
  readonly generation?: number;
  readonly deletionTimestamp?: string;
}

export function makeSet(options: SetOptions = {}): MyStatefulSet {
  const { image = 'nginx:1', claims = [], status, generation = 1, deletionTimestamp, ...spec } = options;
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyStatefulSet',
    metadata: {
      name: 'web',
      namespace: 'ns',
      uid: setUid,
      generation,
      ...(deletionTimestamp !== undefined ? { deletionTimestamp } : {}),
    },
    spec: {
      replicas: 3,
      serviceName: 'nginx',
      ...spec,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image }] },
      },
      volumeClaimTemplates: claims.map((name) => ({
        metadata: { name },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      })),
    },
    ...(status !== undefined ? { status } : {}),
  };
}

/** The revision `set`'s template would get, numbered `revision`. */
export function revisionOf(set: MyStatefulSet, revision: number): ControllerRevision {
  const built = newStatefulSetRevision(set, revision, set.status?.collisionCount ?? 0);
  return { ...built, metadata: { ...built.metadata, uid: `uid-rev-${revision}` } };
}

export function nameOf(obj: { readonly metadata: { readonly name?: string } }): string {
  return obj.metadata.name ?? '';
}

export type PodState =
  | 'ready'
  | 'running'
  | 'pending'
  | 'failed'
  | 'succeeded'
  | 'terminating'
  | 'terminating-ready'
  | 'no-phase';

export interface PodOptions {
  readonly state?: PodState;
  /** Ready condition's lastTransitionTime (default readySince). */
  readonly readyAt?: string;
  readonly uid?: string;
  /** Sets deletionTimestamp whatever the state. */
  readonly deleting?: boolean;
}

/** A member pod as the API server would hold it, built from `set`'s template at `revision`. */
export function makePod(set: MyStatefulSet, ordinal: number, revision: string, options: PodOptions = {}): Pod {
  const { state = 'ready', readyAt = readySince, uid = `uid-pod-${ordinal}`, deleting = false } = options;
  const base = newStatefulSetPod(set, set.spec.template, ordinal);
  const phase: PodPhase | undefined =
    state === 'no-phase'
      ? undefined
      : state === 'pending'
        ? 'Pending'
        : state === 'failed'
          ? 'Failed'
          : state === 'succeeded'
            ? 'Succeeded'
            : 'Running';
  const ready = state === 'ready' || state === 'terminating-ready';
  const terminating = deleting || state === 'terminating' || state === 'terminating-ready';
  return {
    ...base,
    metadata: {
      ...base.metadata,
      uid,
      resourceVersion: '100',
      labels: { ...base.metadata.labels, 'controller-revision-hash': revision },
      ...(terminating ? { deletionTimestamp: '2025-01-01T00:09:00Z' } : {}),
    },
    status: {
      ...(phase !== undefined ? { phase } : {}),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: readyAt }],
    },
  };
}

export function makePvc(name: string, ownerReferences?: readonly OwnerReference[], deletionTimestamp?: string): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      resourceVersion: '7',
      ...(ownerReferences !== undefined ? { ownerReferences } : {}),
      ...(deletionTimestamp !== undefined ? { deletionTimestamp } : {}),
    },
    spec: { accessModes: ['ReadWriteOnce'] },
  };
}

export function setRef(uid = setUid, controller = true): OwnerReference {
  return { apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyStatefulSet', name: 'web', uid, controller, blockOwnerDeletion: true };
}

export function podRef(name: string, uid: string): OwnerReference {
  return { apiVersion: 'v1', kind: 'Pod', name, uid, controller: true, blockOwnerDeletion: true };
}

export function snapshot(
  set: MyStatefulSet,
  pods: readonly Pod[],
  revisions: readonly ControllerRevision[],
  pvcs: readonly PersistentVolumeClaim[] = [],
): StatefulSetSnapshot {
  return { set, pods, revisions, pvcs };
}

/** Where a pod or claim action stands in the plan: its step, unit and call. */
export interface PodWork {
  readonly step: SyncStep;
  readonly index: number;
  readonly operation: PodOperation;
  readonly podName: string;
}

/** A pod or claim action with its PodWork; each claim of a createClaims is one. */
export type FlatPodAction = (Exclude<PodOperationAction, { readonly kind: 'createClaims' }> | ClaimCreation) & { readonly work: PodWork };

/** The plan with its podSteps spelled out, action by action, in the order they are planned. */
export type FlatAction = Exclude<StatefulSetAction, PodStepAction> | FlatPodAction;

export function flatActions(actions: readonly StatefulSetAction[]): FlatAction[] {
  return actions.flatMap((action): FlatAction[] => {
    if (action.kind !== 'podStep') return [action];
    return action.batches.flat().flatMap(({ index, operations }) =>
      operations.flatMap(({ operation, podName, actions: operationActions }) => {
        const work: PodWork = { step: action.step, index, operation, podName };
        return operationActions.flatMap((a): FlatPodAction[] =>
          a.kind === 'createClaims' ? a.claims.map((claim) => ({ ...claim, work })) : [{ ...a, work }],
        );
      }),
    );
  });
}

/** One line per action, for table rows. */
export function summarize(actions: readonly StatefulSetAction[]): string[] {
  return flatActions(actions).map((action) => {
    switch (action.kind) {
      case 'createRevision':
        return `createRevision ${nameOf(action.revision)} #${action.revision.revision}`;
      case 'updateRevisionNumber':
        return `updateRevisionNumber ${nameOf(action.revision)} #${action.revisionNumber}`;
      case 'createPvc':
        return `createPvc ${nameOf(action.pvc)}`;
      case 'pvcTerminating':
        return `pvcTerminating ${action.pvcName}`;
      case 'createPod':
        return `createPod ${nameOf(action.pod)} @${action.pod.metadata.labels?.['controller-revision-hash'] ?? ''}`;
      case 'updatePod':
        return `updatePod ${nameOf(action.pod)}`;
      case 'deletePod':
        return `deletePod ${nameOf(action.pod)} (${action.reason})`;
      case 'patchPvcOwnerRefs':
        return `patchPvcOwnerRefs ${nameOf(action.pvc)} [${action.ownerReferences.map((r) => `${r.kind}/${r.name}`).join(',')}]`;
      case 'event':
        return `event ${action.type} ${action.reason}`;
      case 'eventOnce':
        return `eventOnce ${action.event.type} ${action.event.reason}`;
      case 'rolloutConditions':
        return 'rolloutConditions';
      case 'syncError':
        return 'syncError';
      case 'writeStatus':
        return 'writeStatus';
      case 'deleteRevision':
        return `deleteRevision ${nameOf(action.revision)}`;
      case 'requeueAfter':
        return `requeueAfter ${action.afterMs}`;
      default: {
        const unknown: never = action;
        return unknown;
      }
    }
  });
}

/** Only the pod and claim work (drops status, conditions, history and requeue lines). */
export function podWork(actions: readonly StatefulSetAction[]): string[] {
  return summarize(actions.filter((a) => !['rolloutConditions', 'writeStatus', 'deleteRevision', 'requeueAfter'].includes(a.kind)));
}

export function writtenStatus(actions: readonly StatefulSetAction[]): unknown {
  const write = actions.find((a) => a.kind === 'writeStatus');
  return write?.kind === 'writeStatus' ? write.status : undefined;
}

/** Progressing True/RolloutComplete for `revision`, as a finished rollout leaves it. */
export function completeCondition(revision: string): RolloutCondition {
  return {
    type: 'Progressing',
    status: 'True',
    lastUpdateTime: readySince,
    lastTransitionTime: readySince,
    reason: 'RolloutComplete',
    message: `MyStatefulSet "web" has successfully rolled out revision ${revision}`,
  };
}

/** A steady set: `replicas` Ready pods at one revision, status matching (stable, rollout complete). */
export function steady(options: SetOptions = {}): {
  readonly set: MyStatefulSet;
  readonly rev: ControllerRevision;
  readonly pods: readonly Pod[];
} {
  const probe = makeSet(options);
  const rev = revisionOf(probe, 1);
  const replicas = probe.spec.replicas ?? 1;
  const start = probe.spec.ordinals?.start ?? 0;
  const set = makeSet({
    ...options,
    status: {
      observedGeneration: 1,
      replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      currentReplicas: replicas,
      updatedReplicas: replicas,
      currentRevision: nameOf(rev),
      updateRevision: nameOf(rev),
      collisionCount: 0,
      selector: 'app=web',
      stableRevision: nameOf(rev),
      conditions: [completeCondition(nameOf(rev))],
      ...options.status,
    },
  });
  const pods = Array.from({ length: replicas }, (_, i) => makePod(set, start + i, nameOf(rev)));
  return { set, rev, pods };
}

/** `pods` with each replacement swapped in for the pod of the same name (appended when new). */
export function withPods(pods: readonly Pod[], ...replacements: readonly Pod[]): Pod[] {
  const byName = new Map(replacements.map((p) => [nameOf(p), p]));
  const out = pods.map((p) => byName.get(nameOf(p)) ?? p);
  const have = new Set(pods.map(nameOf));
  return [...out, ...replacements.filter((p) => !have.has(nameOf(p)))];
}

/** RFC 3339, `seconds` before the planning time. */
export function secondsBefore(seconds: number): string {
  return formatMetaV1Time(now - seconds * 1000);
}

/** The planned writeStatus action, if any. */
export function statusWrite(actions: readonly StatefulSetAction[]): StatefulSetWriteStatus | undefined {
  const write = actions.find((a) => a.kind === 'writeStatus');
  return write?.kind === 'writeStatus' ? write : undefined;
}

/** The set's conditions once the plan's rolloutConditions (if any) applied to them. */
export function conditionsAfter(set: MyStatefulSet, actions: readonly StatefulSetAction[]): readonly RolloutCondition[] {
  const update = actions.find((a) => a.kind === 'rolloutConditions');
  return update?.kind === 'rolloutConditions' ? nextRolloutConditions(set.status?.conditions, update.update) : (set.status?.conditions ?? []);
}

/** `type=status/reason` per condition. */
export function conditionLines(conditions: readonly RolloutCondition[]): string[] {
  return conditions.map((c) => `${c.type}=${c.status}/${c.reason ?? ''}`);
}

/** `reason afterMs` per requeueAfter. */
export function requeues(actions: readonly StatefulSetAction[]): string[] {
  return actions.flatMap((a) => (a.kind === 'requeueAfter' ? [`${a.reason} ${a.afterMs}`] : []));
}
