// Applies one MyReplicaSet sync's plan to the cluster, as plan.ts specifies: pod creates or deletes
// under expectations, then the ReplicaFailure condition and the status, which are written even
// when pod changes failed; the sync then fails with the first error, or asks for its requeue.
// Every write goes through the ReplicaSetObjectManager (object-manager.ts); the executor owns the
// rules: expectations, slow start, events and what fails the sync.
// upstream: replica_set.go manageReplicas, syncReplicaSet; controller_utils.go
// RealPodControl.createPods, DeletePod (their events).
import type { MyReplicaSet } from '../../api/workloads.ts';
import { apiVersion, myReplicaSetKind } from '../../api/workloads.ts';
import { errorMessage, isNamespaceTerminating } from '../../runtime/client/errors.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { EventType, InvolvedObject } from '../../runtime/events.ts';
import type { Expectations } from '../../runtime/expectations.ts';
import type { Logger } from '../../runtime/logging.ts';
import { objectKey } from '../../runtime/informer/store.ts';
import { formatMetaV1Time } from '../../runtime/time.ts';
import { earliestRequeue } from '../shared/actions.ts';
import type { EmitEvent } from '../shared/pod-control.ts';
import { alreadyGone, deletePodWithEvents } from '../shared/pod-control.ts';
import { slowStartBatch } from '../shared/slow-start.ts';
import type { SyncOutcome } from '../shared/workload-reconciler.ts';
import type { ReplicaSetAction } from './actions.ts';
import type { ReplicaSetObjectManager } from './object-manager.ts';
import { podCreateRefusal } from './pod-template.ts';
import type { ManageFailure } from './status.ts';
import { replicaFailureConditions } from './status.ts';

/** A sync that must be retried with backoff; carries what failed. */
export class ReplicaSetSyncError extends Error {
  override readonly name = 'ReplicaSetSyncError';
}

/** A create refused before any request (a pod without labels). */
export class PodTemplateError extends Error {
  override readonly name = 'PodTemplateError';
}

/** Where Events go; EventRecorder satisfies it. */
export interface EventSink {
  event(obj: InvolvedObject, type: EventType, reason: string, message: string): void;
}

export interface ExecutorDeps {
  readonly objects: ReplicaSetObjectManager;
  readonly expectations: Expectations;
  readonly recorder: EventSink;
  /** The ReplicaFailure condition's lastTransitionTime, read once the pod calls are done. */
  readonly clock: Clock;
  readonly log: Logger;
}

type Of<K extends ReplicaSetAction['kind']> = Extract<ReplicaSetAction, { kind: K }>;

/** What manageReplicas came to: nothing failed, or the failure and the error behind it. */
type ManageOutcome = { readonly kind: 'ok' } | { readonly kind: 'failed'; readonly failure: ManageFailure; readonly error: unknown };

const ok: ManageOutcome = { kind: 'ok' };

export async function executeReplicaSetPlan(
  deps: ExecutorDeps,
  rs: MyReplicaSet,
  key: string,
  actions: readonly ReplicaSetAction[],
): Promise<SyncOutcome> {
  const involved: InvolvedObject = { apiVersion: rs.apiVersion ?? apiVersion, kind: myReplicaSetKind, metadata: rs.metadata };
  const event: EmitEvent = (type, reason, message) => deps.recorder.event(involved, type, reason, message);

  // 1. pod changes
  const creates = actions.filter((a): a is Of<'createPod'> => a.kind === 'createPod');
  const deletes = actions.filter((a): a is Of<'deletePod'> => a.kind === 'deletePod');
  const manage = creates.length > 0 ? await createPods(deps, key, creates, event) : deletes.length > 0 ? await deletePods(deps, key, deletes, event) : ok;
  const failure = manage.kind === 'failed' ? manage.failure : undefined;

  // 2 and 3. conditions, then the counts with observedGeneration: a reader that sees the new
  // observedGeneration sees this sync's ReplicaFailure too.
  let statusError: unknown;
  try {
    const now = formatMetaV1Time(deps.clock.now());
    await deps.objects.writeConditions(rs, (conditions) => replicaFailureConditions(conditions, failure, now));
    for (const action of actions) if (action.kind === 'writeStatus') await deps.objects.patchStatus(rs, action.status);
  } catch (err) {
    statusError = err;
  }

  // 4. outcome
  if (statusError !== undefined) throw new ReplicaSetSyncError(`updating status: ${errorMessage(statusError)}`, { cause: statusError });
  if (manage.kind === 'failed') throw new ReplicaSetSyncError(manage.failure.message, { cause: manage.error });
  const requeues = actions.map((a) => (a.kind === 'requeueAfter' ? a.afterMs : undefined));
  return { requeueAfterMs: earliestRequeue(requeues) };
}

/**
 * Creates in slow-start batches. The expectation is set to the number of creates before the first
 * call (replacing what was left), and lowered by every create not made.
 */
async function createPods(deps: ExecutorDeps, key: string, creates: readonly Of<'createPod'>[], event: EmitEvent): Promise<ManageOutcome> {
  const { objects, expectations } = deps;
  expectations.expectCreations(key, creates.length);
  const outcome = await slowStartBatch(creates, { initialBatchSize: 1 }, async ({ pod }) => {
    const refusal = podCreateRefusal(pod);
    if (refusal !== undefined) throw new PodTemplateError(refusal);
    try {
      const created = await objects.createPod(pod);
      event('Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name ?? ''}`);
    } catch (err) {
      // The namespace is going away: every create would fail; upstream counts it a success, with
      // no event, and keeps its expectation (the namespace's deletion removes the set too).
      if (isNamespaceTerminating(err)) return;
      event('Warning', 'FailedCreate', `Error creating: ${errorMessage(err)}`);
      throw err;
    }
  });
  const notCreated = outcome.failed.length + outcome.skipped.length;
  if (notCreated > 0) {
    deps.log.debug('slow-start failure, skipping pod creations', { failed: outcome.failed.length, skipped: outcome.skipped.length });
    expectations.lowerExpectations(key, { creations: notCreated });
  }
  const first = outcome.failed[0];
  if (first === undefined) return ok;
  return { kind: 'failed', failure: { reason: 'FailedCreate', message: errorMessage(first.error) }, error: first.error };
}

/**
 * Deletes all at once. The expected deletes are the pods' keys `namespace/name` (replacing what
 * was left); each failed delete observes its key at once, since no event will.
 */
async function deletePods(deps: ExecutorDeps, key: string, deletes: readonly Of<'deletePod'>[], event: EmitEvent): Promise<ManageOutcome> {
  const { objects, expectations } = deps;
  expectations.expectDeletions(
    key,
    deletes.map(({ pod }) => objectKey(pod)),
  );
  const results = await Promise.allSettled(deletes.map(({ pod }) => deletePodWithEvents((target) => objects.deletePod(target), pod, event)));
  let firstError: unknown;
  results.forEach((result, i) => {
    const pod = deletes[i]?.pod;
    if (result.status === 'fulfilled' || pod === undefined) return;
    expectations.lowerExpectations(key, { deletions: [objectKey(pod)] });
    if (!alreadyGone(result.reason)) firstError ??= result.reason;
  });
  if (firstError === undefined) return ok;
  return { kind: 'failed', failure: { reason: 'FailedDelete', message: `unable to delete pods: ${errorMessage(firstError)}` }, error: firstError };
}
