// Builders for the MyDaemonSet planner tests: plain wire objects, no fakes.
import type { ControllerRevision, Node, Pod, PodTemplateSpec, Taint } from '../../src/api/core.ts';
import type { MyDaemonSet, MyDaemonSetSpec, MyDaemonSetStatus } from '../../src/api/workloads.ts';
import type { DaemonSetAction, DaemonSetSnapshot, FailedPodBackoff } from '../../src/controllers/daemonset/plan.ts';
import { daemonSetOwner } from '../../src/controllers/daemonset/spec-defaults.ts';
import { buildRevision, controllerRevisionHashLabel } from '../../src/controllers/history/revisions.ts';
import { controllerRef } from '../../src/controllers/shared/ownership.ts';

export const t0 = Date.parse('2026-01-01T00:00:00Z');
export const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

export const appLabels = { app: 'agent' };

export function template(image = 'agent:1', spec: Partial<PodTemplateSpec['spec']> = {}): PodTemplateSpec {
  return { metadata: { labels: appLabels }, spec: { containers: [{ name: 'agent', image }], ...spec } };
}

export interface DaemonSetOptions {
  readonly spec?: Partial<MyDaemonSetSpec>;
  readonly status?: MyDaemonSetStatus;
  readonly generation?: number;
  readonly deletionTimestamp?: string;
  readonly annotations?: Record<string, string>;
}

export function daemonSet(options: DaemonSetOptions = {}): MyDaemonSet {
  return {
    apiVersion: 'apps.my.dev/v1alpha1',
    kind: 'MyDaemonSet',
    metadata: {
      name: 'agent',
      namespace: 'ns',
      uid: 'ds-uid',
      generation: options.generation ?? 1,
      ...(options.deletionTimestamp === undefined ? {} : { deletionTimestamp: options.deletionTimestamp }),
      ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
    },
    spec: { selector: { matchLabels: appLabels }, template: template(), ...options.spec },
    ...(options.status === undefined ? {} : { status: options.status }),
  };
}

export interface NodeOptions {
  readonly labels?: Record<string, string>;
  readonly taints?: readonly Taint[];
  readonly unschedulable?: boolean;
}

export function node(name: string, options: NodeOptions = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...options.labels } },
    spec: {
      ...(options.taints === undefined ? {} : { taints: options.taints }),
      ...(options.unschedulable === undefined ? {} : { unschedulable: options.unschedulable }),
    },
  };
}

export const nodes = (...names: string[]): Node[] => names.map((name) => node(name));

/** The revision the planner creates for this template (and its hash). */
export function revisionOf(ds: MyDaemonSet, number: number, podTemplate: PodTemplateSpec = ds.spec.template): ControllerRevision {
  const revision = buildRevision({
    owner: daemonSetOwner(ds),
    namespace: 'ns',
    ownerAnnotations: undefined,
    template: podTemplate,
    revision: number,
    collisionCount: ds.status?.collisionCount,
    hashLabel: controllerRevisionHashLabel,
  });
  return { ...revision, metadata: { ...revision.metadata, uid: `uid-${revision.metadata.name ?? ''}` } };
}

export function hashOf(revision: ControllerRevision): string {
  return revision.metadata.labels?.[controllerRevisionHashLabel] ?? '';
}

export interface PodOptions {
  readonly hash?: string;
  readonly phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  /** Ready since this time (ms); absent = not Ready. */
  readonly readySince?: number;
  /** Unbound: node only in the affinity, spec.nodeName empty. */
  readonly unbound?: boolean;
  readonly created?: number;
  readonly deleting?: boolean;
}

export function pod(name: string, nodeName: string, options: PodOptions = {}): Pod {
  const ds = daemonSet();
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      creationTimestamp: iso(options.created ?? t0 - 3_600_000),
      labels: { ...appLabels, ...(options.hash === undefined ? {} : { [controllerRevisionHashLabel]: options.hash }) },
      ownerReferences: [controllerRef(daemonSetOwner(ds))],
      ...(options.deleting === true ? { deletionTimestamp: iso(t0 - 1000) } : {}),
    },
    spec: {
      ...(options.unbound === true ? {} : { nodeName }),
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
          },
        },
      },
      containers: [{ name: 'agent', image: 'agent:1' }],
    },
    status: {
      phase: options.phase ?? 'Running',
      conditions:
        options.readySince === undefined
          ? [{ type: 'Ready', status: 'False' }]
          : [{ type: 'Ready', status: 'True', lastTransitionTime: iso(options.readySince) }],
    },
  };
}

/** Ready for an hour. */
export const ready = { readySince: t0 - 3_600_000 };

export function snapshot(partial: Partial<DaemonSetSnapshot> & { ds: MyDaemonSet }): DaemonSetSnapshot {
  return {
    nodes: [],
    pods: [],
    revisions: [],
    expectationsSatisfied: true,
    failedPodBackoff: new Map<string, FailedPodBackoff>(),
    ...partial,
  };
}

/** One line per action, for compact expectations. */
export function describeAction(action: DaemonSetAction): string {
  switch (action.kind) {
    case 'labelRevision':
      return `labelRevision ${action.revision.metadata.name ?? ''} ${action.hash}`;
    case 'createRevision':
      return `createRevision #${action.revision.revision}`;
    case 'relabelPod':
      return `relabelPod ${action.pod.metadata.name ?? ''}`;
    case 'deleteRevision':
      return `deleteRevision ${action.revision.metadata.name ?? ''} ${action.reason}`;
    case 'updateRevisionNumber':
      return `updateRevisionNumber ${action.revision.metadata.name ?? ''} #${action.revisionNumber}`;
    case 'event':
      return `event ${action.type} ${action.reason}`;
    case 'recordFailedBackoff':
      return `recordFailedBackoff ${action.key} ${action.backoff.delayMs}`;
    case 'createPod':
      return `createPod ${action.nodeName}`;
    case 'deletePod':
      return `deletePod ${action.pod.metadata.name ?? ''} ${action.reason}`;
    case 'writeStatus': {
      const s = action.status;
      const counts = `${s.desiredNumberScheduled}/${s.currentNumberScheduled}/${s.numberMisscheduled}/${s.numberReady}/${s.updatedNumberScheduled}/${s.numberAvailable}/${s.numberUnavailable}`;
      const stable = s.stableRevision === undefined ? '' : ` stable ${s.stableRevision}`;
      const rollback = s.rollback === undefined ? '' : ` rollback ${s.rollback === null ? 'null' : s.rollback.revision}`;
      return `writeStatus ${counts}${s.observedGeneration === undefined ? '' : ` gen ${s.observedGeneration}`}${stable}${rollback}`;
    }
    case 'warnOnce':
      return `warnOnce ${action.reason} ${action.once}`;
    case 'writeRolloutConditions':
      return `writeRolloutConditions${action.update.rolledBack === undefined ? '' : ' rolledBack'}`;
    case 'requeueAfter':
      return `requeueAfter ${action.afterMs} ${action.reason}`;
    case 'syncError':
      return `syncError ${action.message}`;
    default: {
      const unexpected: never = action;
      return String(unexpected);
    }
  }
}

const podKinds: readonly string[] = ['createPod', 'deletePod'];

/** Only the pod creates and deletes. */
export function podActions(actions: readonly DaemonSetAction[]): string[] {
  return actions.filter((action) => podKinds.includes(action.kind)).map(describeAction);
}
