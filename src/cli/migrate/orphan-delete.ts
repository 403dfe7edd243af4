// `kubectl delete --cascade=orphan`, then waiting until it is done: the API server marks the object
// with the `orphan` finalizer, kube-controller-manager's garbage collector removes the object's
// reference from every dependent, then the finalizer, and only then is the object gone (upstream:
// pkg/controller/garbagecollector garbagecollector.go processDeletingDependentsItem /
// orphanDependents). Until then a new owner could not adopt the dependents, so the migration waits
// for both: the object gone, and no dependent naming it.
import type { Resource } from '../../api/resources.ts';
import { isRecord } from '../../api/meta.ts';
import type { Clock } from '../../runtime/clock.ts';
import { isNotFound } from '../../runtime/client/errors.ts';
import { deleteBody } from '../../runtime/client/requests.ts';
import { resourcePath, type KubeClient } from '../../runtime/client/rest.ts';
import { namingOwner } from './dependents.ts';
import { objectLabel } from './kinds.ts';

/** One object to orphan-delete, identified by UID, and the kinds of its dependents. */
export interface OrphanDeletion {
  readonly resource: Resource;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** Kinds whose objects may name it as owner; waited on until none does. */
  readonly dependents: readonly Resource[];
}

export interface WaitOptions {
  readonly clock: Clock;
  /** Give up after this long (ms). */
  readonly timeoutMs: number;
  /** Time between two looks (ms). */
  readonly pollMs: number;
}

export class OrphaningTimeout extends Error {
  override readonly name = 'OrphaningTimeout';
}

/**
 * DELETE with propagationPolicy Orphan and a UID precondition: an object of the same name created
 * since it was read is refused with 409 rather than deleted. `dryRun` sends it as a server dry run,
 * which checks permissions and the precondition and deletes nothing.
 */
export async function orphanDelete(client: KubeClient, target: OrphanDeletion, options: { readonly dryRun: boolean }): Promise<void> {
  const body = deleteBody({ uid: target.uid, propagationPolicy: 'Orphan' });
  await client.request<unknown>({
    method: 'DELETE',
    path: resourcePath(target.resource, target.namespace, target.name),
    body: options.dryRun && isRecord(body) ? { ...body, dryRun: ['All'] } : body,
  });
}

/** What is left to wait for, or undefined once the object is gone and no dependent names it. */
async function pendingOrphaning(client: KubeClient, target: OrphanDeletion): Promise<string | undefined> {
  try {
    const live = await client.get(target.resource, target.namespace, target.name);
    // Another object of the same name (a new UID) means ours is gone.
    if (live.metadata.uid === target.uid) {
      const finalizers = live.metadata.finalizers ?? [];
      return `it still exists${finalizers.length > 0 ? ` (finalizers: ${finalizers.join(', ')})` : ''}`;
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  for (const res of target.dependents) {
    const { items } = await client.listAll(res, { namespace: target.namespace });
    const owning = namingOwner(target.uid, items);
    if (owning.length > 0) return `${owning.length} ${res.plural} still name it as owner`;
  }
  return undefined;
}

/** Polls until the orphaning delete is complete; OrphaningTimeout after `timeoutMs`. */
export async function waitOrphaned(client: KubeClient, target: OrphanDeletion, options: WaitOptions): Promise<void> {
  const deadline = options.clock.now() + options.timeoutMs;
  for (;;) {
    const pending = await pendingOrphaning(client, target);
    if (pending === undefined) return;
    if (options.clock.now() >= deadline) {
      throw new OrphaningTimeout(
        `timed out after ${Math.round(options.timeoutMs / 1000)}s waiting for ${objectLabel(target.resource, target.name)} to be deleted ` +
          `and its dependents orphaned: ${pending} (is kube-controller-manager's garbage collector running?)`,
      );
    }
    await options.clock.sleep(options.pollMs);
  }
}
