// The pods of a simulated rollout, the simulated clock, and what time does to pods: they become
// Ready. Every object the simulation creates gets what the API server would give it (a name from
// generateName, a uid, a creationTimestamp) and a new pod starts Pending, not Ready.
//
// Readiness comes in creation order: the not-yet-Ready pods created in the earliest sync become
// Ready together, then the clock moves minReadySeconds + 1 s on so they are available. A pod's way
// to Ready takes about as long as any other's, so pods created earlier become Ready earlier; a
// MyDeployment's old ReplicaSet is scaled down as the first new pods become available, before
// pods created a sync later are (upstream: pkg/controller/deployment/rolling.go
// reconcileOldReplicaSets counts available replicas).
import type { Pod, PodCondition } from '../../api/core.ts';
import type { KubeObject } from '../../api/meta.ts';
import { isBeingDeleted } from '../../api/meta.ts';
import { isPodActive, isPodAvailable, isPodReady } from '../../controllers/shared/pod-state.ts';
import { formatMetaV1Time } from '../../runtime/time.ts';

/** The cohort of pods that existed before the simulation: they become Ready first. */
const existingCohort = -1;

export class SimulatedPods {
  /** The simulated clock, epoch ms. */
  now: number;
  private readonly pods = new Map<string, Pod>();
  /** By uid: the sync that created the pod. */
  private readonly cohorts = new Map<string, number>();
  private sync = 0;
  private created = 0;

  constructor(pods: readonly Pod[], now: number) {
    this.now = now;
    for (const pod of pods) {
      this.pods.set(pod.metadata.uid ?? '', pod);
      this.cohorts.set(pod.metadata.uid ?? '', existingCohort);
    }
  }

  list(): Pod[] {
    return [...this.pods.values()];
  }

  /** A sync starts: the pods it creates form a cohort of their own. */
  beginSync(): void {
    this.sync++;
  }

  /**
   * `obj` as the API server stores a create: named from generateName (5 characters appended, as
   * the API server does) unless it has a name, with a uid and the creation time.
   */
  stamp<T extends KubeObject>(obj: T): T {
    const n = ++this.created;
    const name = obj.metadata.name ?? `${obj.metadata.generateName ?? ''}${n.toString(36).padStart(5, '0')}`;
    return { ...obj, metadata: { ...obj.metadata, name, uid: `simulated-${n}`, creationTimestamp: formatMetaV1Time(this.now) } };
  }

  /** A pod created: Pending, bound to `nodeName` when given (a DaemonSet's pod goes to its node). */
  create(pod: Pod, nodeName?: string): Pod {
    const stamped = this.stamp(pod);
    const created: Pod = {
      ...stamped,
      spec: nodeName === undefined ? stamped.spec : { ...stamped.spec, nodeName },
      status: { phase: 'Pending' },
    };
    this.pods.set(created.metadata.uid ?? '', created);
    this.cohorts.set(created.metadata.uid ?? '', this.sync);
    return created;
  }

  /** A write to an existing pod (labels, a repair); the pod of that uid only. */
  update(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    if (this.pods.has(uid)) this.pods.set(uid, pod);
  }

  /** Deleted and gone at once: no graceful termination. False when no such pod exists. */
  delete(pod: Pod): boolean {
    return this.pods.delete(pod.metadata.uid ?? '');
  }

  /**
   * Time passes: pods that were terminating before the simulation are gone, the earliest cohort of
   * pods not yet Ready becomes Ready, and the clock moves minReadySeconds + 1 s on (pods already
   * Ready become available). False when every pod is Ready and available and none terminates.
   */
  settle(minReadySeconds: number): boolean {
    const all = this.list();
    const terminating = all.filter(isBeingDeleted);
    const active = all.filter(isPodActive);
    const waiting = active.filter((pod) => !isPodReady(pod));
    const unavailable = active.filter((pod) => isPodReady(pod) && !isPodAvailable(pod, minReadySeconds, this.now));
    if (terminating.length === 0 && waiting.length === 0 && unavailable.length === 0) return false;
    for (const pod of terminating) this.delete(pod);
    const cohort = Math.min(...waiting.map((pod) => this.cohortOf(pod)));
    for (const pod of waiting) if (this.cohortOf(pod) === cohort) this.update(ready(pod, this.now));
    this.now += (minReadySeconds + 1) * 1000;
    return true;
  }

  private cohortOf(pod: Pod): number {
    return this.cohorts.get(pod.metadata.uid ?? '') ?? existingCohort;
  }
}

/** Running and Ready since `now`. */
function ready(pod: Pod, now: number): Pod {
  const condition: PodCondition = { type: 'Ready', status: 'True', lastTransitionTime: formatMetaV1Time(now) };
  const others = (pod.status?.conditions ?? []).filter((c) => c.type !== 'Ready');
  return { ...pod, status: { ...pod.status, phase: 'Running', conditions: [...others, condition] } };
}
