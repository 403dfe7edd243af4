// Applies one sync's plan to the cluster, phase by phase, as plan.ts specifies: revision history
// first (a failure there ends the sync), then bookkeeping, pod creates and deletes under
// expectations, history cleanup, and the status write, which happens even when pod changes failed.
// Every write goes through the DaemonSetObjectManager (object-manager.ts); the executor owns the
// rules: ordering, expectations, slow start, events, the create backoff and what fails the sync.
import type { ControllerRevision } from '../../api/core.ts';
import type { MyDaemonSet, RolloutCondition } from '../../api/workloads.ts';
import { errorMessage, isAlreadyExists, isNamespaceTerminating } from '../../runtime/client/errors.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { EventType, InvolvedObject } from '../../runtime/events.ts';
import { formatMetaV1Time as formatTime } from '../../runtime/time.ts';
import type { Expectations } from '../../runtime/expectations.ts';
import type { Logger } from '../../runtime/logging.ts';
import type { PacedWrites } from '../../runtime/write-pacer.ts';
import type { PacedRefresh, RefreshPacer } from '../../runtime/paced-refresh.ts';
import { startPacedRefresh } from '../../runtime/paced-refresh.ts';
import { collisionCountDecision, isSameRevision } from '../history/collision.ts';
import { alreadyGone, deletePodWithEvents } from '../shared/pod-control.ts';
import { rolledBackReason } from '../shared/rollout-control.ts';
import { slowStartBatch } from '../shared/slow-start.ts';
import type { CreateRamp } from '../shared/create-ramp.ts';
import { burstReplicas } from './sync-nodes.ts';
import type { CreateBackoff } from '../shared/create-backoff.ts';
import { settleCreateOutcome } from '../shared/create-outcome.ts';
import type { CreateOutcome } from '../shared/replica-failure.ts';
import type { DaemonSetAction, DaemonSetStatusFields, FailedPodBackoff } from './plan.ts';
import { actionPhase } from './plan.ts';
import type { DaemonSetObjectManager } from './object-manager.ts';
import type { RolloutConditionsUpdate } from './rollout-conditions.ts';
import { nextRolloutConditions } from './rollout-conditions.ts';

/** A sync that must be retried with backoff; carries what failed. */
export class DaemonSetSyncError extends Error {
  override readonly name = 'DaemonSetSyncError';
}

/** Where Events go; EventRecorder satisfies it. */
export interface EventSink {
  event(obj: InvolvedObject, type: EventType, reason: string, message: string): void;
}

export interface ExecutorDeps {
  readonly objects: DaemonSetObjectManager;
  readonly expectations: Expectations;
  readonly recorder: EventSink;
  /**
   * Keeps a failed-pod backoff entry for later syncs. The reconciler owns the entries; the planner
   * only ever reads a copy of them (DaemonSetSnapshot.failedPodBackoff).
   */
  readonly recordFailedBackoff: (key: string, backoff: FailedPodBackoff) => void;
  readonly createBackoff: CreateBackoff;
  readonly clock: Clock;
  /** Where warnOnce remembers what it warned about, per key. */
  readonly warnings: OnceWarnings;
  /**
   * Told the resourceVersion of a status write that starts or clears an automatic rollback: the
   * next sync of the key must plan from a cache holding it (a cache without the rollback would plan
   * the failed template again for a sync, and start the rollback a second time).
   */
  readonly wroteRollback: (resourceVersion: string | undefined) => void;
  /** Spaces the status writes that may wait (WriteStatusAction.mayWait), per key. */
  readonly statusPacer: PacedWrites;
  /** Where each sync's creates start their slow start (create-ramp.ts). */
  readonly createRamp: CreateRamp;
  /**
   * Fresh counts while the sync's creates and deletes run (runtime/paced-refresh.ts): `compute`
   * plans a status-only sync from the caches as they are now; undefined when it is not a write
   * that may wait. Absent: the status is written at the end of the sync only.
   */
  readonly statusRefresh?: {
    readonly pacer: RefreshPacer;
    compute(): DaemonSetStatusFields | undefined;
    /**
     * After such pod changes: the sync's own status write with the counts the caches hold now
     * (status.ts finalDaemonSetStatus), or 'shown' when the stored status already says it.
     */
    finalStatus(own: StatusWrite): StatusWrite | 'shown';
  };
}

/** A status write and whether the pacer may put it off. */
export interface StatusWrite {
  readonly status: DaemonSetStatusFields;
  readonly mayWait: boolean;
}

/** Which warnOnce tokens were warned about; DaemonSetSync keeps the last one per key. */
export interface OnceWarnings {
  /** True the first time `once` is seen for `key` (and remembers it), false after. */
  first(key: string, once: string): boolean;
}

export interface ExecutionResult {
  /** Sync again after this many ms (the earliest requested), if any. */
  readonly requeueAfterMs: number | undefined;
}

type Of<K extends DaemonSetAction['kind']> = Extract<DaemonSetAction, { kind: K }>;
type Emit = (type: EventType, reason: string, message: string) => void;

export async function executeDaemonSetPlan(
  deps: ExecutorDeps,
  ds: MyDaemonSet,
  key: string,
  actions: readonly DaemonSetAction[],
  log: Logger,
): Promise<ExecutionResult> {
  const event: Emit = (type, reason, message) =>
    deps.recorder.event({ ...ds, apiVersion: ds.apiVersion ?? 'apps.my.dev/v1alpha1', kind: 'MyDaemonSet' }, type, reason, message);

  // 1. history — in order; any failure ends the sync before anything else happens.
  for (const action of actions) {
    if (actionPhase(action) === 'history') await applyHistoryAction(deps.objects, ds, action);
  }

  // 2. bookkeeping
  let requeueAfterMs: number | undefined;
  const requeue = (ms: number): void => {
    requeueAfterMs = requeueAfterMs === undefined ? ms : Math.min(requeueAfterMs, ms);
  };
  for (const action of actions) {
    if (actionPhase(action) !== 'podBookkeeping') continue;
    if (action.kind === 'event') event(action.type, action.reason, action.message);
    else if (action.kind === 'warnOnce') {
      if (deps.warnings.first(key, action.once)) event('Warning', action.reason, action.message);
    } else if (action.kind === 'recordFailedBackoff') deps.recordFailedBackoff(action.key, action.backoff);
    else if (action.kind === 'requeueAfter') requeue(action.afterMs);
  }

  // 3. pod changes; creates wait while the create backoff runs.
  const creates = actions.filter((a): a is Of<'createPod'> => a.kind === 'createPod');
  const deletes = actions.filter((a): a is Of<'deletePod'> => a.kind === 'deletePod');
  const uid = ds.metadata.uid ?? '';
  const createsWait = creates.length > 0 ? deps.createBackoff.remainingMs(key, uid) : 0;
  const podChanges = createsWait > 0 ? [] : creates;
  const refresh = freshCountsDuring(deps, ds, key, podChanges.length + deletes.length, log);
  let podSync: PodSync;
  try {
    podSync = await syncPods(deps, key, podChanges, deletes, event);
  } finally {
    await refresh?.stop();
  }
  const podErrors = podSync.errors;
  const outcome: CreateOutcome = createsWait > 0 ? { kind: 'deferred' } : podSync.createOutcome;
  try {
    const waitMs = await settleCreateOutcome(
      {
        key,
        uid,
        backoff: deps.createBackoff,
        now: formatTime(deps.clock.now()),
        writeConditions: (update) => deps.objects.writeConditions(ds, update),
      },
      outcome,
      () => podSync.warnCreateFailure?.(),
    );
    if (waitMs !== undefined) requeue(waitMs);
  } catch (err) {
    podErrors.push(err);
  }

  // 4. history cleanup — only when every pod change went through (upstream: syncDaemonSet returns
  // before cleanupHistory when manage or rollingUpdate failed).
  if (podErrors.length === 0) {
    for (const action of actions) {
      if (action.kind !== 'deleteRevision' || actionPhase(action) !== 'historyCleanup') continue;
      try {
        await deleteRevision(deps.objects, action.revision);
      } catch (err) {
        podErrors.push(err);
        break;
      }
    }
  }

  // 5. status — written even after failures, so the counts users see stay true.
  let statusWritten = true;
  const planned = actions.find((a): a is Of<'writeStatus'> => a.kind === 'writeStatus');
  const conditions = actions.find((a): a is Of<'writeRolloutConditions'> => a.kind === 'writeRolloutConditions')?.update;
  // The refresh wrote newer counts than the sync started from: its own would go back.
  const final = planned === undefined || refresh === undefined ? planned : (deps.statusRefresh?.finalStatus({ status: planned.status, mayWait: planned.mayWait === true }) ?? planned);
  const statusAction = final === 'shown' ? undefined : final;
  // Counts that may wait and came too soon after the last write: the sync at the end of the wait
  // writes the newest ones.
  const paceMs = statusAction?.mayWait === true && conditions === undefined ? deps.statusPacer.delayMs(key) : 0;
  const status = paceMs > 0 ? undefined : statusAction?.status;
  if (paceMs > 0) requeue(paceMs);
  try {
    const rolledBack = await writeStatus(deps, ds, status, conditions);
    if (status !== undefined) deps.statusPacer.wrote(key);
    if (rolledBack !== undefined) event('Warning', rolledBackReason, rolledBack.message ?? '');
  } catch (err) {
    statusWritten = false;
    podErrors.push(err);
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

/** The paced refresh of the counts while `changes` pod creates and deletes run, if the controller offers one. */
function freshCountsDuring(deps: ExecutorDeps, ds: MyDaemonSet, key: string, changes: number, log: Logger): PacedRefresh | undefined {
  const refresh = deps.statusRefresh;
  if (refresh === undefined || changes === 0) return undefined;
  return startPacedRefresh({
    key,
    clock: deps.clock,
    pacer: refresh.pacer,
    compute: () => refresh.compute(),
    write: async (status) => {
      await deps.objects.patchStatus(ds, status);
    },
    // The sync's own status write follows; a failure here only ends the refreshing.
    onError: (err) => log.debug('refreshing the status during pod changes failed', { error: errorMessage(err) }),
  });
}

/**
 * The status fields, and the rollout conditions as `conditions` makes them of the live list, in one
 * write (writeStatusAndConditions) when the conditions change, else a plain patch. A write that
 * starts or clears a rollback is reported (wroteRollback). Returns the RolledBack condition when
 * the write that went through turned it True: that write, and only that one, records the Warning
 * RolledBack — after it succeeded, so a failed write leaves the Event to the retry, and a rollback
 * planned again from a cache that missed the first write records none.
 */
async function writeStatus(
  deps: ExecutorDeps,
  ds: MyDaemonSet,
  status: DaemonSetStatusFields | undefined,
  conditions: RolloutConditionsUpdate | undefined,
): Promise<RolloutCondition | undefined> {
  const reportRollback = (written: MyDaemonSet | undefined): void => {
    if (written !== undefined && status?.rollback !== undefined) deps.wroteRollback(written.metadata.resourceVersion);
  };
  if (conditions === undefined) {
    if (status !== undefined) reportRollback(await deps.objects.patchStatus(ds, status));
    return undefined;
  }
  const outcome: { rolledBackAdded?: RolloutCondition } = {};
  const written = await deps.objects.writeStatusAndConditions(ds, status, (current) => {
    const next = nextRolloutConditions(current, conditions);
    outcome.rolledBackAdded = next.rolledBackAdded;
    return next.changed ? next.conditions : undefined;
  });
  reportRollback(written);
  return written === undefined ? undefined : outcome.rolledBackAdded;
}

async function applyHistoryAction(objects: DaemonSetObjectManager, ds: MyDaemonSet, action: DaemonSetAction): Promise<void> {
  switch (action.kind) {
    case 'createRevision':
      return createRevision(objects, ds, action.revision);
    case 'labelRevision':
      return objects.labelRevision(action.revision, action.hash);
    case 'relabelPod':
      return objects.relabelPod(action.pod, action.hash);
    case 'updateRevisionNumber':
      return objects.renumberRevision(action.revision, action.revisionNumber);
    case 'deleteRevision':
      return deleteRevision(objects, action.revision);
    default:
      return;
  }
}

/** upstream: cleanupHistory and dedupCurHistories ignore nothing but a revision already gone. */
async function deleteRevision(objects: DaemonSetObjectManager, revision: ControllerRevision): Promise<void> {
  try {
    await objects.deleteRevision(revision);
  } catch (err) {
    if (!alreadyGone(err)) throw err;
  }
}

/**
 * upstream: update.go snapshot. AlreadyExists with our data means we made it earlier; with other
 * data, two templates share a hash: bump status.collisionCount (unless someone already did) and
 * fail, so the retry hashes with the new count.
 */
async function createRevision(objects: DaemonSetObjectManager, ds: MyDaemonSet, revision: ControllerRevision): Promise<void> {
  const ns = ds.metadata.namespace ?? '';
  try {
    await objects.createRevision(revision);
    return;
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const existing = await objects.getRevision(ns, revision.metadata.name ?? '');
  if (isSameRevision(existing, revision)) return;
  const live = await objects.getDaemonSet(ns, ds.metadata.name ?? '');
  const decision = collisionCountDecision(ds.status?.collisionCount, live.status?.collisionCount);
  if (decision.kind === 'bump') await objects.bumpCollisionCount(live, decision.collisionCount);
  throw new DaemonSetSyncError(`found a hash collision for revision ${revision.metadata.name ?? ''}; collisionCount now ${live.status?.collisionCount ?? 0}+`);
}

interface PodSync {
  readonly errors: unknown[];
  readonly createOutcome: CreateOutcome;
  readonly warnCreateFailure?: () => void;
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
  creates: readonly Of<'createPod'>[],
  deletes: readonly Of<'deletePod'>[],
  event: Emit,
): Promise<PodSync> {
  const { objects, expectations } = deps;
  const errors: unknown[] = [];
  if (creates.length === 0 && deletes.length === 0) return { errors, createOutcome: { kind: 'succeeded' } };
  expectations.expectCreations(key, creates.length);
  expectations.expectDeletions(
    key,
    deletes.map((d) => d.pod.metadata.uid ?? ''),
  );

  let refused: string | undefined;
  const created = await slowStartBatch(creates, { initialBatchSize: deps.createRamp.initialBatchSize(key, deps.clock.now()) }, async (action) => {
    try {
      const pod = await objects.createPod(action.pod);
      event('Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name ?? ''}`);
    } catch (err) {
      // upstream: the namespace is going away, so every later create fails too; not an error, and
      // (as upstream) its expectation is not lowered.
      if (isNamespaceTerminating(err)) return;
      refused ??= errorMessage(err);
      throw err;
    }
  });
  const notCreated = created.failed.length + created.skipped.length;
  if (notCreated > 0) expectations.lowerExpectations(key, { creations: notCreated });
  if (creates.length > 0) {
    deps.createRamp.record(
      key,
      { allSucceeded: notCreated === 0, morePending: creates.length >= burstReplicas, lastBatchSize: created.lastBatchSize },
      deps.clock.now(),
    );
  }
  errors.push(...created.failed.map((f) => f.error));

  const deleteResults = await Promise.allSettled(deletes.map((action) => deletePodWithEvents((pod) => objects.deletePod(pod), action.pod, event)));
  deleteResults.forEach((result, i) => {
    const pod = deletes[i]?.pod;
    if (result.status === 'fulfilled' || !pod) return;
    expectations.lowerExpectations(key, { deletions: [pod.metadata.uid ?? ''] });
    if (!alreadyGone(result.reason)) errors.push(result.reason);
  });
  if (refused === undefined) return { errors, createOutcome: { kind: 'succeeded' } };
  const message = refused;
  return {
    errors,
    createOutcome: { kind: 'failed', message },
    warnCreateFailure: () => event('Warning', 'FailedCreate', `Error creating: ${message}`),
  };
}
