// Reading objects in e2e assertions, for every workload kind: pod readiness and availability as a
// user sees them, deletion and ownership, and a read-modify-write that retries on conflicts.
// Test-side rules, deliberately not the operator's code.
import type { Pod } from '../../../src/api/core.ts';
import type { KubeObject } from '../../../src/api/meta.ts';
import type { Resource } from '../../../src/api/resources.ts';
import { isConflict } from '../../../src/runtime/client/errors.ts';
import { testClient } from './env.ts';

export const hashLabel = 'controller-revision-hash';

export function isReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** upstream: podutil.IsPodAvailable — Ready for at least minReadySeconds at `now` (ms). */
export function isAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds === 0) return true;
  const since = Date.parse(ready.lastTransitionTime ?? '');
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now;
}

export function isDeleting(obj: KubeObject): boolean {
  return typeof obj.metadata.deletionTimestamp === 'string';
}

export function controllerUid(obj: KubeObject): string | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true)?.uid;
}

/** `obj` names `owner` (by UID) as its controller. */
export function controlledBy(obj: KubeObject, owner: KubeObject): boolean {
  return owner.metadata.uid !== undefined && controllerUid(obj) === owner.metadata.uid;
}

export function podImage(pod: Pod): string {
  return pod.spec.containers[0]?.image ?? '';
}

export function podHash(pod: Pod): string {
  return pod.metadata.labels?.[hashLabel] ?? '';
}

export function podName(pod: Pod): string {
  return pod.metadata.name ?? '';
}

export function uidOf(obj: KubeObject): string {
  return obj.metadata.uid ?? '';
}

export function selectorString(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** Reads, changes and writes the object until no conflict (upstream: update…WithRetries). */
export async function updateWithRetries<T extends KubeObject>(
  resource: Resource<T>,
  namespace: string | undefined,
  name: string,
  change: (current: T) => T,
): Promise<T> {
  const client = await testClient();
  for (let attempt = 0; ; attempt++) {
    const current = await client.get(resource, namespace, name);
    try {
      return await client.update(resource, change(current));
    } catch (err) {
      if (!isConflict(err) || attempt >= 20) throw err;
    }
  }
}
