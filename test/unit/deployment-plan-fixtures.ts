// Builders for the MyDeployment planner tests, a one-line rendering of each planned action, and a
// small model of what the API server and the MyReplicaSet controller do with a plan, so a test
// can follow a rollout pass by pass. The model is deliberately simple: an RS's pods appear (and,
// if the test says so, become available) as soon as a pass ends.
import type { Pod } from '../../src/api/core.ts';
import type { MyDeployment, MyDeploymentStatus, MyReplicaSet, MyReplicaSetStatus } from '../../src/api/workloads.ts';
import type { DeploymentAction, DeploymentSnapshot } from '../../src/controllers/deployment/plan.ts';
import { plan } from '../../src/controllers/deployment/plan.ts';
import { podTemplateHash } from '../../src/controllers/deployment/pod-template-hash.ts';
import { byCreation, replicaSetName } from '../../src/controllers/deployment/replica-sets.ts';
import { deployment, replicaSet, t0, template } from './deployment-util-fixtures.ts';

export { deployment, replicaSet, t0, template };

export const revisionKey = 'deployment.kubernetes.io/revision';
export const desiredKey = 'deployment.kubernetes.io/desired-replicas';
export const maxKey = 'deployment.kubernetes.io/max-replicas';

/** An RS with `replicas` pods all ready and available, its generation observed. */
export function settled(rs: MyReplicaSet, available = rs.spec.replicas ?? 1): MyReplicaSet {
  const replicas = rs.spec.replicas ?? 1;
  const status: MyReplicaSetStatus = {
    replicas,
    readyReplicas: available,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 1,
  };
  return { ...rs, status };
}

/** An RS of this Deployment: controller reference, labels, and the annotations a sync leaves. */
export function ownedReplicaSet(
  d: MyDeployment,
  name: string,
  o: { replicas: number; image?: string; revision?: string; created?: number; available?: number; annotations?: Record<string, string> },
): MyReplicaSet {
  const replicas = d.spec.replicas ?? 1;
  const base = replicaSet(name, {
    replicas: o.replicas,
    image: o.image,
    revision: o.revision,
    created: o.created,
    annotations: { [desiredKey]: String(replicas), [maxKey]: String(replicas + surgeOf(d)), ...o.annotations },
  });
  const owned: MyReplicaSet = {
    ...base,
    metadata: {
      ...base.metadata,
      labels: { app: 'web' },
      ownerReferences: [{ apiVersion: 'apps.my.dev/v1alpha1', kind: 'MyDeployment', name: d.metadata.name ?? '', uid: d.metadata.uid ?? '', controller: true }],
    },
  };
  return settled(owned, o.available);
}

/** maxSurge of the 25% default (or an int) against spec.replicas, enough for fixtures. */
function surgeOf(d: MyDeployment): number {
  if (d.spec.strategy?.type === 'Recreate') return 0;
  const surge = d.spec.strategy?.rollingUpdate?.maxSurge ?? '25%';
  const replicas = d.spec.replicas ?? 1;
  return typeof surge === 'number' ? surge : Math.ceil((Number(surge.slice(0, -1)) * replicas) / 100);
}

/** The name the Deployment's next RS gets. */
export function newName(d: MyDeployment): string {
  return replicaSetName(d, podTemplateHash(d.spec.template, d.status?.collisionCount));
}

export function snapshot(d: MyDeployment, replicaSets: readonly MyReplicaSet[], pods: ReadonlyMap<string, readonly Pod[]> = new Map()): DeploymentSnapshot {
  return { deployment: d, replicaSets, podsByReplicaSet: pods };
}

/** Each action as one line. */
export function summarize(actions: readonly DeploymentAction[]): string[] {
  return actions.map((a) => {
    switch (a.kind) {
      case 'createReplicaSet':
        return `create ${a.rs.metadata.name ?? ''} ×${a.rs.spec.replicas ?? 1}`;
      case 'updateReplicaSet':
        return `update ${a.rs.metadata.name ?? ''} revision ${a.annotations[revisionKey] ?? ''}`;
      case 'scaleReplicaSet':
        return `scale ${a.rs.metadata.name ?? ''} ${a.rs.spec.replicas ?? 1}→${a.replicas} (${a.desiredReplicas}/${a.maxReplicas})${a.swallowError ? ' swallow' : ''}`;
      case 'deleteReplicaSet':
        return `delete ${a.rs.metadata.name ?? ''}`;
      case 'rollbackDeployment':
        return a.template === undefined ? 'clear rollback' : `rollback to ${String(a.template.spec.containers[0]?.image)}`;
      case 'setDeploymentRevision':
        return `revision ${a.revision}`;
      case 'writeStatus':
        return 'status';
      case 'event':
        return `${a.type} ${a.reason}: ${a.message}`;
      case 'requeueAfter':
        return `requeue after ${a.afterMs} ms`;
      case 'syncError':
        return `error: ${a.message}`;
      default: {
        const unknown: never = a;
        return unknown;
      }
    }
  });
}

/** The last status a plan writes, if any. */
export function lastStatus(actions: readonly DeploymentAction[]): MyDeploymentStatus | undefined {
  let status: MyDeploymentStatus | undefined;
  for (const a of actions) if (a.kind === 'writeStatus') status = a.status;
  return status;
}

/** The Progressing condition as `status/reason`. */
export function progressing(status: MyDeploymentStatus | undefined): string | undefined {
  const c = status?.conditions?.find((x) => x.type === 'Progressing');
  return c === undefined ? undefined : `${c.status}/${c.reason ?? ''}`;
}

/**
 * The cluster as the planner sees it between passes: the Deployment and its RSes after the
 * writes of the previous passes, with RS statuses caught up (`available` decides how many of an
 * RS's pods are available: all by default).
 */
export class Cluster {
  d: MyDeployment;
  readonly replicaSets = new Map<string, MyReplicaSet>();
  now = t0 + 3_600_000;
  /** How many of an RS's replicas are available once its pods exist. */
  available: (rs: MyReplicaSet) => number = (rs) => rs.spec.replicas ?? 1;
  private uid = 0;

  constructor(d: MyDeployment, replicaSets: readonly MyReplicaSet[] = []) {
    this.d = d;
    for (const rs of replicaSets) this.replicaSets.set(rs.metadata.name ?? '', rs);
  }

  snapshot(): DeploymentSnapshot {
    return snapshot(this.d, [...this.replicaSets.values()]);
  }

  /** Plans one pass, applies its writes, lets the RS controller catch up; returns the plan. */
  pass(): readonly DeploymentAction[] {
    const actions = plan(this.snapshot(), this.now);
    this.apply(actions);
    this.settle();
    this.now += 1000;
    return actions;
  }

  /** Sizes as `name=spec` for every RS, oldest first. */
  sizes(): string {
    return [...this.replicaSets.values()]
      .sort(byCreation)
      .map((rs) => `${rs.metadata.name ?? ''}=${rs.spec.replicas ?? 1}`)
      .join(' ');
  }

  apply(actions: readonly DeploymentAction[]): void {
    for (const a of actions) {
      switch (a.kind) {
        case 'createReplicaSet':
          this.uid++;
          this.put({
            ...a.rs,
            metadata: { ...a.rs.metadata, uid: `rs-${this.uid}`, generation: 1, creationTimestamp: new Date(this.now).toISOString() },
          });
          break;
        case 'updateReplicaSet':
          this.put({
            ...this.get(a.rs),
            metadata: { ...this.get(a.rs).metadata, annotations: { ...this.get(a.rs).metadata.annotations, ...a.annotations } },
            spec: { ...this.get(a.rs).spec, minReadySeconds: a.minReadySeconds },
          });
          break;
        case 'scaleReplicaSet': {
          const rs = this.get(a.rs);
          this.put({
            ...rs,
            metadata: {
              ...rs.metadata,
              generation: (rs.metadata.generation ?? 1) + (a.replicas === rs.spec.replicas ? 0 : 1),
              annotations: { ...rs.metadata.annotations, [desiredKey]: String(a.desiredReplicas), [maxKey]: String(a.maxReplicas) },
            },
            spec: { ...rs.spec, replicas: a.replicas },
          });
          break;
        }
        case 'deleteReplicaSet':
          this.replicaSets.delete(a.rs.metadata.name ?? '');
          break;
        case 'rollbackDeployment':
          this.d = {
            ...this.d,
            metadata: {
              ...this.d.metadata,
              annotations: a.annotations,
              generation: (this.d.metadata.generation ?? 1) + (a.template === undefined ? 0 : 1),
            },
            spec: a.template === undefined ? this.d.spec : { ...this.d.spec, template: a.template },
          };
          break;
        case 'setDeploymentRevision':
          this.d = { ...this.d, metadata: { ...this.d.metadata, annotations: { ...this.d.metadata.annotations, [revisionKey]: a.revision } } };
          break;
        case 'writeStatus':
          this.d = { ...this.d, status: a.status };
          break;
        case 'event':
        case 'requeueAfter':
        case 'syncError':
          break;
        default: {
          const unknown: never = a;
          return unknown;
        }
      }
    }
  }

  /** The RS controller: every RS's status shows its spec. */
  settle(): void {
    for (const rs of [...this.replicaSets.values()]) this.put(settled(rs, Math.min(this.available(rs), rs.spec.replicas ?? 1)));
  }

  /** A user's edit of the Deployment's spec (generation bumped). */
  edit(spec: Partial<MyDeployment['spec']>): void {
    this.d = { ...this.d, metadata: { ...this.d.metadata, generation: (this.d.metadata.generation ?? 1) + 1 }, spec: { ...this.d.spec, ...spec } };
  }

  private get(rs: MyReplicaSet): MyReplicaSet {
    const found = this.replicaSets.get(rs.metadata.name ?? '');
    if (found === undefined) throw new Error(`no replica set ${rs.metadata.name ?? ''}`);
    return found;
  }

  private put(rs: MyReplicaSet): void {
    this.replicaSets.set(rs.metadata.name ?? '', rs);
  }
}
