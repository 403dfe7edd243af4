// Applies one sync's plan to the cluster, phase by phase, as plan.ts specifies: revision history
// first (a failure there ends the sync), then bookkeeping, pod creates and deletes under
// expectations, history cleanup, and the status write, which happens even when pod changes failed.
import type { ControllerRevision, Pod } from '../../api/core.ts';
import { controllerRevisions, pods } from '../../api/resources.ts';
import type { MyDaemonSet } from '../../api/workloads.ts';
import { myDaemonSets } from '../../api/workloads.ts';
import { errorMessage, isAlreadyExists, isNamespaceTerminating, isNotFound } from '../../runtime/client/errors.ts';
import type { KubeClient } from '../../runtime/client/rest.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import { formatMetaV1Time as formatTime } from '../../runtime/time.ts';
import type { Expectations } from '../../runtime/expectations.ts';
import type { Logger } from '../../runtime/logging.ts';
import { collisionCountDecision, isSameRevision } from '../history/collision.ts';
import { marshalLikeGo } from '../history/go-json.ts';
import { controllerRevisionHashLabel } from '../history/revisions.ts';
import { slowStartBatch } from '../shared/slow-start.ts';
import type { CreateBackoff } from '../shared/create-backoff.ts';
import { settleCreateOutcome } from '../shared/create-outcome.ts';
import type { CreateOutcome } from '../shared/replica-failure.ts';
import { patchStatusFields, updateConditions } from '../shared/status-writer.ts';
import type { DaemonSetAction, FailedPodBackoff } from './plan.ts';
import { actionPhase } from './plan.ts';

/** A sync that must be retried with backoff; carries what failed. */
export class DaemonSetSyncError extends Error {
  override readonly name = 'DaemonSetSyncError';
}

export interface ExecutorDeps {
  readonly client: KubeClient;
  readonly expectations: Expectations;
  readonly recorder: EventRecorder;
  readonly failedPodBackoff: Map<string, FailedPodBackoff>;
  readonly createBackoff: CreateBackoff;
  readonly clock: Clock;
}

export interface ExecutionResult {
  /** Sync again after this many ms (the earliest requested), if any. */
  readonly requeueAfterMs: number | undefined;
}

type Of<K extends DaemonSetAction['kind']> = Extract<DaemonSetAction, { kind: K }>;

export async function executeDaemonSetPlan(
  deps: ExecutorDeps,
  ds: MyDaemonSet,
  key: string,
  actions: readonly DaemonSetAction[],
  log: Logger,
  signal: AbortSignal,
): Promise<ExecutionResult> {
  const { client, recorder } = deps;
  const ns = ds.metadata.namespace ?? '';
  const event = (type: 'Normal' | 'Warning', reason: string, message: string): void =>
    recorder.event({ ...ds, apiVersion: ds.apiVersion ?? 'apps.my.dev/v1alpha1', kind: 'MyDaemonSet' }, type, reason, message);

  // 1. history — in order; any failure ends the sync before anything else happens.
  for (const action of actions) {
    if (actionPhase(action) !== 'history') continue;
    await applyHistoryAction(deps, ds, action, signal);
  }

  // 2. bookkeeping
  let requeueAfterMs: number | undefined;
  const requeue = (ms: number): void => {
    requeueAfterMs = requeueAfterMs === undefined ? ms : Math.min(requeueAfterMs, ms);
  };
  for (const action of actions) {
    if (actionPhase(action) !== 'podBookkeeping') continue;
    if (action.kind === 'event') event(action.type, action.reason, action.message);
    else if (action.kind === 'recordFailedBackoff') deps.failedPodBackoff.set(action.key, action.backoff);
    else if (action.kind === 'requeueAfter') requeue(action.afterMs);
  }

  // 3. pod changes; creates wait while the create backoff runs.
  const creates = actions.filter((a): a is Of<'createPod'> => a.kind === 'createPod');
  const deletes = actions.filter((a): a is Of<'deletePod'> => a.kind === 'deletePod');
  const uid = ds.metadata.uid ?? '';
  const createsWait = creates.length > 0 ? deps.createBackoff.remainingMs(key, uid) : 0;
  const podSync = await syncPods(deps, key, ns, createsWait > 0 ? [] : creates, deletes, event, signal);
  const podErrors = podSync.errors;
  const outcome: CreateOutcome = createsWait > 0 ? { kind: 'deferred' } : podSync.createOutcome;
  try {
    const waitMs = await settleCreateOutcome(
      {
        key,
        uid,
        backoff: deps.createBackoff,
        now: formatTime(deps.clock.now()),
        writeConditions: async (update) => {
          await updateConditions(client, myDaemonSets, ds, update, signal);
        },
      },
      outcome,
      () => podSync.warnCreateFailure?.(),
    );
    if (waitMs !== undefined) requeue(waitMs);
  } catch (err) {
    podErrors.push(err);
  }

  // 4. history cleanup — only when every pod change went through.
  if (podErrors.length === 0) {
    for (const action of actions) {
      if (action.kind !== 'deleteRevision' || actionPhase(action) !== 'historyCleanup') continue;
      try {
        await client.delete(controllerRevisions, ns, action.revision.metadata.name ?? '', { signal });
      } catch (err) {
        if (!isNotFound(err)) {
          podErrors.push(err);
          break;
        }
      }
    }
  }

  // 5. status — written even after failures, so the counts users see stay true.
  let statusWritten = true;
  for (const action of actions) {
    if (action.kind === 'writeStatus') {
      try {
        await patchStatusFields(client, myDaemonSets, ds, action.status, signal);
      } catch (err) {
        statusWritten = false;
        podErrors.push(err);
      }
    }
  }
  for (const action of actions) {
    if (action.kind === 'requeueAfter' && actionPhase(action) === 'status' && statusWritten) requeue(action.afterMs);
  }

  // 6. outcome
  const reported = actions.filter((a): a is Of<'syncError'> => a.kind === 'syncError').map((a) => a.message);
  if (podErrors.length > 0 || reported.length > 0) {
    const messages = [...reported, ...podErrors.map(errorMessage)];
    log.debug('sync finished with errors', { errors: messages.length });
    throw new DaemonSetSyncError(messages.slice(0, 3).join('; '), { cause: podErrors[0] });
  }
  return { requeueAfterMs };
}

async function applyHistoryAction(deps: ExecutorDeps, ds: MyDaemonSet, action: DaemonSetAction, signal: AbortSignal): Promise<void> {
  const { client } = deps;
  const ns = ds.metadata.namespace ?? '';
  switch (action.kind) {
    case 'createRevision':
      return createRevision(deps, ds, action.revision, signal);
    case 'labelRevision':
      await client.patch(
        controllerRevisions,
        ns,
        action.revision.metadata.name ?? '',
        'merge',
        { metadata: { labels: { [controllerRevisionHashLabel]: action.hash } } },
        { signal },
      );
      return;
    case 'relabelPod':
      await client.patch(
        pods,
        ns,
        action.pod.metadata.name ?? '',
        'merge',
        { metadata: { labels: { [controllerRevisionHashLabel]: action.hash } } },
        { signal },
      );
      return;
    case 'updateRevisionNumber':
      await client.patch(controllerRevisions, ns, action.revision.metadata.name ?? '', 'merge', { revision: action.revisionNumber }, { signal });
      return;
    case 'deleteRevision':
      try {
        await client.delete(controllerRevisions, ns, action.revision.metadata.name ?? '', { signal });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    default:
      return;
  }
}

/**
 * upstream: update.go snapshot. AlreadyExists with our data means we made it earlier; with other
 * data, two templates share a hash: bump status.collisionCount (unless someone already did) and
 * fail, so the retry hashes with the new count. The revision is written as Go's json.Marshal
 * would write it: the API server stores `data` byte for byte, and any other bytes make every
 * later patch of the revision fail as "data: field is immutable" (go-json.ts).
 */
async function createRevision(deps: ExecutorDeps, ds: MyDaemonSet, revision: ControllerRevision, signal: AbortSignal): Promise<void> {
  const { client } = deps;
  const ns = ds.metadata.namespace ?? '';
  try {
    await client.create(controllerRevisions, revision, { signal, encode: marshalLikeGo });
    return;
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const existing = await client.get(controllerRevisions, ns, revision.metadata.name ?? '', signal);
  if (isSameRevision(existing, revision)) return;
  const live = await client.get(myDaemonSets, ns, ds.metadata.name ?? '', signal);
  const decision = collisionCountDecision(ds.status?.collisionCount, live.status?.collisionCount);
  if (decision.kind === 'bump') {
    await patchStatusFields(client, myDaemonSets, ds, { collisionCount: decision.collisionCount }, signal);
  }
  throw new DaemonSetSyncError(`found a hash collision for revision ${revision.metadata.name ?? ''}; collisionCount now ${live.status?.collisionCount ?? 0}+`);
}

/**
 * upstream: daemon_controller.go syncNodes. Expectations are raised before the first call and
 * lowered for every call that failed or was never made, so a stale cache never makes a second
 * pod for a node. A refused create's Warning FailedCreate is left to the caller (`warnCreateFailure`),
 * which records it once per cause.
 */
async function syncPods(
  deps: ExecutorDeps,
  key: string,
  ns: string,
  creates: readonly Of<'createPod'>[],
  deletes: readonly Of<'deletePod'>[],
  event: (type: 'Normal' | 'Warning', reason: string, message: string) => void,
  signal: AbortSignal,
): Promise<{ readonly errors: unknown[]; readonly createOutcome: CreateOutcome; readonly warnCreateFailure?: () => void }> {
  const { client, expectations } = deps;
  const errors: unknown[] = [];
  if (creates.length === 0 && deletes.length === 0) return { errors, createOutcome: { kind: 'succeeded' } };
  expectations.expectCreations(key, creates.length);
  expectations.expectDeletions(
    key,
    deletes.map((d) => d.pod.metadata.uid ?? ''),
  );

  let refused: string | undefined;
  const created = await slowStartBatch(creates, { initialBatchSize: 1 }, async (action) => {
    try {
      const pod = await client.create(pods, action.pod, { signal });
      event('Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name ?? ''}`);
    } catch (err) {
      if (isNamespaceTerminating(err)) return; // the namespace is going away; don't count or retry
      refused ??= errorMessage(err);
      throw err;
    }
  });
  const notCreated = created.failed.length + created.skipped.length;
  if (notCreated > 0) expectations.lowerExpectations(key, { creations: notCreated });
  errors.push(...created.failed.map((f) => f.error));

  const deleteResults = await Promise.allSettled(deletes.map((action) => deletePod(client, ns, action.pod, event, signal)));
  deleteResults.forEach((result, i) => {
    const pod = deletes[i]?.pod;
    if (result.status === 'fulfilled' || !pod) return;
    expectations.lowerExpectations(key, { deletions: [pod.metadata.uid ?? ''] });
    if (!isNotFound(result.reason)) errors.push(result.reason);
  });
  if (refused === undefined) return { errors, createOutcome: { kind: 'succeeded' } };
  const message = refused;
  return {
    errors,
    createOutcome: { kind: 'failed', message },
    warnCreateFailure: () => event('Warning', 'FailedCreate', `Error creating: ${message}`),
  };
}

async function deletePod(
  client: KubeClient,
  ns: string,
  pod: Pod,
  event: (type: 'Normal' | 'Warning', reason: string, message: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const name = pod.metadata.name ?? '';
  try {
    await client.delete(pods, ns, name, { signal });
    event('Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
  } catch (err) {
    if (!isNotFound(err)) event('Warning', 'FailedDelete', `Error deleting: ${errorMessage(err)}`);
    throw err;
  }
}
