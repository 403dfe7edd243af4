// What the migration e2e tests share (docs/migrate.md, `kubectl my migrate`): apps/v1 manifests made
// from the suites' builders (our kinds mirror apps/v1 field for field, so a builder's MyX under
// apiVersion apps/v1 and kind X is the manifest a user would convert), waits on apps/v1 objects,
// and the readings of a pod watch that prove nothing was replaced: no pod deleted, none created,
// every pod of a UID list adopted by the new owner.
import type { ControllerRevision, Pod } from '../../../src/api/core.ts';
import type { KubeObject } from '../../../src/api/meta.ts';
import type { Resource } from '../../../src/api/resources.ts';
import { pods } from '../../../src/api/resources.ts';
import type { MyDaemonSet, MyDeployment, MyStatefulSet } from '../../../src/api/workloads.ts';
import { testClient, waitFor, type WaitOptions } from './env.ts';
import { controlledBy, controllerUid, isDeleting, podName, uidOf } from './objects.ts';
import { kubectlMy } from './plugin.ts';
import type { Recorder } from './recorder.ts';
import { podCreations, podDeletions } from './statefulset.ts';

export { daemonSets, deployments, replicaSets, statefulSets } from '../../../src/cli/migrate/kinds.ts';

/** The builder's object as the apps/v1 manifest it mirrors. */
export function asAppsV1<T extends MyDaemonSet | MyStatefulSet | MyDeployment>(obj: T, kind: 'DaemonSet' | 'StatefulSet' | 'Deployment'): T {
  return { ...obj, apiVersion: 'apps/v1', kind };
}

/** `kubectl my migrate ARGS -n NS`, which must succeed; its stdout lines. */
export async function migrateCli(namespace: string, ...args: string[]): Promise<string[]> {
  return (await kubectlMy(namespace, 'migrate', ...args)).trimEnd().split('\n');
}

/** Waits until the object's status is of its current generation and `done` holds; returns it. */
export function waitObserved<T extends KubeObject & { readonly status?: { readonly observedGeneration?: number } }>(
  res: Resource<T>,
  namespace: string,
  name: string,
  what: string,
  done: (obj: T) => boolean,
  options?: WaitOptions,
): Promise<T> {
  return waitFor(
    `${res.kind} ${name}: the current generation observed, with ${what}`,
    async () => (await testClient()).get(res, namespace, name),
    (obj) => (obj.status?.observedGeneration ?? 0) >= (obj.metadata.generation ?? 1) && done(obj),
    { timeoutMs: 150_000, intervalMs: 250, ...options },
  );
}

/** An apps/v1 DaemonSet or a MyDaemonSet with `expected` pods desired, all updated, ready and available. */
export function daemonRolledOut(expected: number): (ds: MyDaemonSet) => boolean {
  return (ds) => {
    const s = ds.status ?? {};
    return s.desiredNumberScheduled === expected && s.updatedNumberScheduled === expected && s.numberReady === expected && s.numberAvailable === expected;
  };
}

/** The pods with these UIDs, once each is controlled by `owner` (adopted); not one may be missing. */
export async function waitPodsControlledBy(namespace: string, uids: readonly string[], owner: KubeObject, options?: WaitOptions): Promise<Pod[]> {
  const wanted = new Set(uids);
  return waitFor(
    `pods ${[...wanted].join(', ')} controlled by ${owner.kind ?? ''} ${owner.metadata.name ?? ''}`,
    async () => (await (await testClient()).list(pods, { namespace })).items.filter((p) => wanted.has(uidOf(p))),
    (ps) => ps.length === wanted.size && ps.every((p) => controlledBy(p, owner) && !isDeleting(p)),
    { timeoutMs: 90_000, ...options },
  );
}

/**
 * Every pod deletion (DELETED, or a deletionTimestamp set) and every pod creation the watch saw, as
 * `deleted NAME` / `created NAME`: empty when the migration replaced nothing.
 */
export function podChurn(watch: Recorder<Pod>): string[] {
  return [...podDeletions(watch).map((d) => `deleted ${d.name}`), ...podCreations(watch).map((c) => `created ${c.name}`)];
}

/**
 * The pods of `uids` that the watch never saw controlled by `owner` before their deletion began:
 * empty when each was adopted first, then replaced (or kept).
 */
export function deletedWithoutAdoption(watch: Recorder<Pod>, uids: readonly string[], owner: KubeObject): string[] {
  const adopted = new Set<string>();
  const missed: string[] = [];
  const wanted = new Set(uids);
  for (const e of watch.events) {
    const uid = uidOf(e.object);
    if (!wanted.has(uid)) continue;
    if (e.type !== 'DELETED' && !isDeleting(e.object) && controllerUid(e.object) === owner.metadata.uid) adopted.add(uid);
    if ((e.type === 'DELETED' || isDeleting(e.object)) && !adopted.has(uid) && !missed.includes(podName(e.object))) missed.push(podName(e.object));
  }
  return missed;
}

/** name → `hash@revision uid` of each ControllerRevision (`hashLabel`: the kind's hash label): what "kept" compares. */
export function revisionIds(revisions: readonly ControllerRevision[], hashLabel: string): Record<string, string> {
  return Object.fromEntries(revisions.map((r) => [r.metadata.name ?? '', `${r.metadata.labels?.[hashLabel] ?? ''}@${r.revision} ${uidOf(r)}`]));
}
