// Waiting, through the API, until what the next command prints has stopped changing: a command
// whose output depends on progress (get pods, get mrs, rollout status, describe) runs only once
// the workload is settled, so the walkthrough prints the settled state on every run.
//
// Settled means two things. The state is final for the controller: its observedGeneration is
// current, every count agrees with the pods that exist, and the rollout is either complete or
// cannot move (a MyDeployment stuck behind an image that never turns Ready: it may neither surge
// further nor scale the old ReplicaSet down). And nothing moved since the previous poll: the
// resourceVersions of the workload, its MyReplicaSets and its pods are the same twice in a row.
import type { Pod } from '../../src/api/core.ts';
import { controllerOf, isBeingDeleted } from '../../src/api/meta.ts';
import type { KubeObject } from '../../src/api/meta.ts';
import { namespaces, pods, resource } from '../../src/api/resources.ts';
import type { MyDaemonSet, MyDeployment, MyReplicaSet, MyStatefulSet } from '../../src/api/workloads.ts';
import { myDaemonSets, myDeployments, myReplicaSets, myStatefulSets } from '../../src/api/workloads.ts';
import { fencepostsOrZero, replicasOf } from '../../src/controllers/deployment/fenceposts.ts';
import { isPodReady } from '../../src/controllers/shared/pod-state.ts';
import { isNotFound } from '../../src/runtime/client/errors.ts';
import type { KubeClient } from '../../src/runtime/client/rest.ts';
import { pollUntil } from '../poll.ts';

export interface PersistentVolume extends KubeObject {
  readonly status?: { readonly phase?: string };
}
export const persistentVolumes = resource<PersistentVolume>('', 'v1', 'persistentvolumes', 'PersistentVolume', false);

/** Long enough for a rollout of ten pods on a loaded machine; a healthy one settles in seconds. */
const timeoutMs = 90_000;
const intervalMs = 200;

/** One poll: why the state is not settled yet (undefined: it is), and what would show movement. */
interface Snapshot {
  readonly unsettled: string | undefined;
  readonly fingerprint: string;
}

function fingerprint(objects: readonly KubeObject[]): string {
  return objects
    .map((o) => `${o.kind ?? ''}/${o.metadata.name ?? ''}@${o.metadata.resourceVersion ?? ''}`)
    .sort()
    .join(',');
}

/** Polls until `snapshot` reports settled twice in a row with nothing changed in between. */
async function settle(what: string, snapshot: () => Promise<Snapshot>): Promise<void> {
  let previous: string | undefined;
  await pollUntil(
    what,
    async () => {
      const s = await snapshot();
      const steady = s.unsettled === undefined && s.fingerprint === previous;
      previous = s.unsettled === undefined ? s.fingerprint : undefined;
      return { ...s, steady };
    },
    (s) => s.steady,
    { timeoutMs, intervalMs },
  );
}

function ownedBy(owner: KubeObject): (o: KubeObject) => boolean {
  return (o) => controllerOf(o)?.uid === owner.metadata.uid;
}

/** Why the pods are not all there and Running (kwok never pulls, so Running comes fast), if so. */
function podsUnsettled(owned: readonly Pod[]): string | undefined {
  const terminating = owned.filter(isBeingDeleted).length;
  if (terminating > 0) return `${terminating} pods terminating`;
  const notRunning = owned.filter((p) => p.status?.phase !== 'Running').length;
  return notRunning > 0 ? `${notRunning} pods not Running` : undefined;
}

function deploymentUnsettled(d: MyDeployment, all: readonly MyReplicaSet[], owned: readonly Pod[]): string | undefined {
  const status = d.status ?? {};
  if ((status.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return 'observedGeneration behind';
  const podsWhy = podsUnsettled(owned);
  if (podsWhy) return podsWhy;
  let replicas = 0;
  let ready = 0;
  for (const rs of all) {
    const mine = owned.filter(ownedBy(rs));
    if ((rs.status?.observedGeneration ?? 0) < (rs.metadata.generation ?? 0)) return `${rs.metadata.name ?? ''}: observedGeneration behind`;
    if (mine.length !== replicasOf(rs) || (rs.status?.replicas ?? 0) !== mine.length) return `${rs.metadata.name ?? ''}: replicas not there`;
    const readyHere = mine.filter(isPodReady).length;
    if ((rs.status?.readyReplicas ?? 0) !== readyHere || (rs.status?.availableReplicas ?? 0) !== readyHere) return `${rs.metadata.name ?? ''}: ready count behind`;
    replicas += mine.length;
    ready += readyHere;
  }
  if ((status.replicas ?? 0) !== replicas || (status.readyReplicas ?? 0) !== ready || (status.availableReplicas ?? 0) !== ready) {
    return 'deployment counts behind';
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (d.spec.paused === true) return progressing?.reason === 'DeploymentPaused' ? undefined : 'pause not observed';
  const newest = [...all].sort((a, b) => revisionOf(b) - revisionOf(a))[0];
  const want = replicasOf(d);
  const complete =
    newest !== undefined &&
    replicasOf(newest) === want &&
    all.every((rs) => rs === newest || replicasOf(rs) === 0) &&
    (status.updatedReplicas ?? 0) === want &&
    ready === want;
  if (complete) return progressing?.reason === 'NewReplicaSetAvailable' ? undefined : 'completion not reported';
  // Stuck: the surge is used up and no old pod may go, since the new ones never turn Ready.
  const { maxSurge, maxUnavailable } = fencepostsOrZero(d);
  const total = all.reduce((sum, rs) => sum + replicasOf(rs), 0);
  return total >= want + maxSurge && ready <= want - maxUnavailable ? undefined : 'rolling';
}

function revisionOf(rs: MyReplicaSet): number {
  return Number(rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '0');
}

function statefulSetUnsettled(set: MyStatefulSet, owned: readonly Pod[]): string | undefined {
  const status = set.status ?? {};
  if ((status.observedGeneration ?? 0) < (set.metadata.generation ?? 0)) return 'observedGeneration behind';
  const podsWhy = podsUnsettled(owned);
  if (podsWhy) return podsWhy;
  const want = replicasOf(set);
  const ready = owned.filter(isPodReady).length;
  if (owned.length !== want || ready !== want) return `${ready}/${owned.length} pods ready of ${want}`;
  if ((status.replicas ?? 0) !== want || (status.readyReplicas ?? 0) !== want || (status.availableReplicas ?? 0) !== want) {
    return 'counts behind';
  }
  // Rolled out: every pod at the update revision (which then is the current one), or, with a
  // partition, exactly the pods at or above it. upstream: stateful_set_control.go updateStatefulSet.
  const updated = status.updatedReplicas ?? 0;
  if (status.currentRevision === status.updateRevision) return updated === want ? undefined : 'update not rolled out';
  const partition = Math.min(set.spec.updateStrategy?.rollingUpdate?.partition ?? 0, want);
  return partition > 0 && updated === want - partition ? undefined : 'update not rolled out to the partition';
}

function daemonSetUnsettled(ds: MyDaemonSet, owned: readonly Pod[], desired: number | undefined): string | undefined {
  const status = ds.status ?? {};
  if ((status.observedGeneration ?? 0) < (ds.metadata.generation ?? 0)) return 'observedGeneration behind';
  const podsWhy = podsUnsettled(owned);
  if (podsWhy) return podsWhy;
  const want = status.desiredNumberScheduled ?? 0;
  if (desired !== undefined && want !== desired) return `desiredNumberScheduled ${want}, waiting for ${desired}`;
  if (owned.length !== want + (status.numberMisscheduled ?? 0) || !owned.every(isPodReady)) return 'pods not all there and Ready';
  const counts = [status.currentNumberScheduled, status.numberReady, status.updatedNumberScheduled, status.numberAvailable];
  return counts.every((n) => (n ?? 0) === want) ? undefined : 'counts behind';
}

/** The waits a walkthrough step can ask for, in one namespace. */
export class Settle {
  private readonly client: KubeClient;
  readonly namespace: string;

  constructor(client: KubeClient, namespace: string) {
    this.client = client;
    this.namespace = namespace;
  }

  private async podsIn(): Promise<Pod[]> {
    return (await this.client.list(pods, { namespace: this.namespace })).items.map((p) => ({ ...p, kind: 'Pod' }));
  }

  deployment(name: string): Promise<void> {
    return settle(`mdeploy/${name} in ${this.namespace} to settle`, async () => {
      const d = await this.client.get(myDeployments, this.namespace, name);
      const all = (await this.client.list(myReplicaSets, { namespace: this.namespace })).items.filter(ownedBy(d));
      const owned = (await this.podsIn()).filter((p) => all.some((rs) => ownedBy(rs)(p)));
      return { unsettled: deploymentUnsettled(d, all, owned), fingerprint: fingerprint([d, ...all, ...owned]) };
    });
  }

  statefulSet(name: string): Promise<void> {
    return settle(`msts/${name} in ${this.namespace} to settle`, async () => {
      const set = await this.client.get(myStatefulSets, this.namespace, name);
      const owned = (await this.podsIn()).filter(ownedBy(set));
      return { unsettled: statefulSetUnsettled(set, owned), fingerprint: fingerprint([set, ...owned]) };
    });
  }

  /** `desired`: also wait for desiredNumberScheduled to reach it (after a taint or toleration changed). */
  daemonSet(name: string, desired?: number): Promise<void> {
    return settle(`mds/${name} in ${this.namespace} to settle`, async () => {
      const ds = await this.client.get(myDaemonSets, this.namespace, name);
      const owned = (await this.podsIn()).filter(ownedBy(ds));
      return { unsettled: daemonSetUnsettled(ds, owned, desired), fingerprint: fingerprint([ds, ...owned]) };
    });
  }

  /** The newest MyReplicaSet of a MyDeployment carries `value` as its change-cause (rollout history reads it). */
  changeCause(name: string, value: string): Promise<void> {
    return settle(`the change-cause of mdeploy/${name}'s newest MyReplicaSet`, async () => {
      const d = await this.client.get(myDeployments, this.namespace, name);
      const all = (await this.client.list(myReplicaSets, { namespace: this.namespace })).items.filter(ownedBy(d));
      const newest = [...all].sort((a, b) => revisionOf(b) - revisionOf(a))[0];
      const cause = newest?.metadata.annotations?.['kubernetes.io/change-cause'];
      return { unsettled: cause === value ? undefined : `change-cause is ${String(cause)}`, fingerprint: fingerprint([d, ...all]) };
    });
  }

  /** Pre-bound PersistentVolumes the binder has seen (phase Available), before their claims exist. */
  volumesAvailable(names: readonly string[]): Promise<void> {
    return settle(`PersistentVolumes ${names.join(', ')} to be Available`, async () => {
      const volumes = await Promise.all(names.map((n) => this.client.get(persistentVolumes, undefined, n)));
      const waiting = volumes.filter((v) => v.status?.phase !== 'Available').map((v) => v.metadata.name ?? '');
      return { unsettled: waiting.length === 0 ? undefined : `${waiting.join(', ')} not Available`, fingerprint: fingerprint(volumes) };
    });
  }
}

/**
 * Waits for every MyDaemonSet, MyStatefulSet and MyDeployment outside the walkthrough namespaces
 * (the demo's) to settle, since seed 002 lists them all with -A. Only reads.
 */
export async function settleDemoWorkloads(client: KubeClient): Promise<void> {
  const outside = (o: KubeObject): boolean => !(o.metadata.namespace ?? '').startsWith('walkthrough-');
  const key = (o: KubeObject): [string, string] => [o.metadata.namespace ?? '', o.metadata.name ?? ''];
  for (const ds of (await client.list(myDaemonSets)).items.filter(outside)) {
    const [ns, name] = key(ds);
    await new Settle(client, ns).daemonSet(name);
  }
  for (const set of (await client.list(myStatefulSets)).items.filter(outside)) {
    const [ns, name] = key(set);
    await new Settle(client, ns).statefulSet(name);
  }
  for (const d of (await client.list(myDeployments)).items.filter(outside)) {
    const [ns, name] = key(d);
    await new Settle(client, ns).deployment(name);
  }
}

/** Waits until none of the named objects exists any more. */
export async function waitGone(client: KubeClient, what: readonly { readonly kind: 'Namespace' | 'PersistentVolume'; readonly name: string }[]): Promise<void> {
  await pollUntil(
    `${what.map((w) => `${w.kind} ${w.name}`).join(', ')} to be gone`,
    async () => {
      const left: string[] = [];
      for (const w of what) {
        try {
          await client.get(w.kind === 'Namespace' ? namespaces : persistentVolumes, undefined, w.name);
          left.push(w.name);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      return left;
    },
    (left) => left.length === 0,
    { timeoutMs: 120_000, intervalMs: 250 },
  );
}
