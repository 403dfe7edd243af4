// Applies one MyStatefulSet sync's plan to the cluster, as actions.ts specifies:
//
//   revision write ─► pod and claim steps ─► claim growth ─► conditions ─► status ─► history truncation ─► requeue
//   (failure: end,    (batch by batch, as     (always; the    (always, one  (always,  (always)              (only when
//    no status)        planned; stop at the     patches at      conditional   merged;                         nothing failed)
//                      first failed batch)      once)           write)        then its Events)
//
// A one-off Event (eventOnce) is recorded before the pod work, once per notice while its state lasts.
//
// upstream: pkg/controller/statefulset/stateful_set_control.go (performUpdate, runForAll,
// slowStartBatch), stateful_pod_control.go (CreateStatefulPod, UpdateStatefulPod, DeleteStatefulPod,
// recordPodEvent, recordClaimEvent), pkg/controller/history/controller_history.go CreateControllerRevision.
import type { ControllerRevision, Pod } from '../../api/core.ts';
import type { WorkloadCondition } from '../../api/meta.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import { apiVersion } from '../../api/workloads.ts';
import { errorMessage, isAlreadyExists, isConflict, isNotFound } from '../../runtime/client/errors.ts';
import { goneOrReplaced } from '../shared/claim.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { EventType, InvolvedObject } from '../../runtime/events.ts';
import { formatMetaV1Time as formatTime } from '../../runtime/time.ts';
import type { Logger } from '../../runtime/logging.ts';
import type { PacedWrites } from '../../runtime/write-pacer.ts';
import { earliestRequeue } from '../shared/actions.ts';
import type { CreateBackoff } from '../shared/create-backoff.ts';
import { settleCreateOutcome } from '../shared/create-outcome.ts';
import type { CreateOutcome } from '../shared/replica-failure.ts';
import { sameConditions } from '../shared/rollout-control.ts';
import type { ClaimCreation, PatchClaimStorageAction, PodOperation, PodOperationPlan, PodUnit, StatefulSetSyncAction, StatefulSetWriteStatus } from './actions.ts';
import { requestedStorage } from './claim-storage.ts';
import { statefulSetKind } from './identity.ts';
import type { StatefulSetObjectManager } from './object-manager.ts';
import type { OnceNotices } from '../shared/once-notices.ts';
import { repairStatefulPod } from './pod-template.ts';
import { revisionCreateConflict, withCollisionCount } from './revisions.ts';
import { nextRolloutConditions } from './rollout-status.ts';
import type { UnwrittenStatus } from './unwritten-status.ts';
import type { StatefulSetStatusFields } from './status.ts';
import type { PacedRefresh, RefreshPacer } from '../../runtime/paced-refresh.ts';
import { startPacedRefresh } from '../../runtime/paced-refresh.ts';

/** A sync that must be retried with backoff; carries what failed. */
export class StatefulSetSyncError extends Error {
  override readonly name = 'StatefulSetSyncError';
}

/** Where Events go; EventRecorder satisfies it. */
export interface EventSink {
  event(obj: InvolvedObject, type: EventType, reason: string, message: string): void;
}

export interface ExecutorDeps {
  readonly objects: StatefulSetObjectManager;
  readonly recorder: EventSink;
  readonly log: Logger;
  /** Holds pod and claim creates back after the API server refused one (create-backoff.ts). */
  readonly createBackoff: CreateBackoff;
  readonly clock: Clock;
  /** The eventOnce notices already reported (per work queue key). */
  readonly notices: OnceNotices;
  /** Spaces the status writes that may wait (WriteStatusAction.mayWait), per key. */
  readonly statusPacer: PacedWrites;
  /** The currentReplicas of put-off status writes, read by the next plan (unwritten-status.ts). */
  readonly unwritten: UnwrittenStatus;
  /**
   * Fresh counts while the sync's pod work runs (runtime/paced-refresh.ts): `compute` plans the
   * set again from the caches as they are now and gives its status when that write may wait and
   * moves no currentReplicas by update deletions. Absent: the status is written at the end only.
   */
  readonly statusRefresh?: {
    readonly pacer: RefreshPacer;
    compute(): StatefulSetStatusFields | undefined;
    /**
     * After such pod work: the write to make instead of the sync's own, planned from the caches
     * (fresh-status.ts finalStatusWrite), or 'shown' when the stored status already says it.
     */
    finalWrite(own: StatefulSetWriteStatus): StatefulSetWriteStatus | 'shown';
  };
}

export interface ExecutionResult {
  /** Sync again after this many ms, when the plan asked and nothing failed. */
  readonly requeueAfterMs: number | undefined;
}

type ConditionsUpdate = (conditions: readonly WorkloadCondition[] | undefined) => readonly WorkloadCondition[] | undefined;

/** Plans the same snapshot again for a set whose status.collisionCount was raised. */
export type Replan = (set: MyStatefulSet) => readonly StatefulSetSyncAction[];

/**
 * Revision names taken by other data, in a row, before the sync gives up (upstream loops without
 * bound; each round costs a create and a get, and a real FNV-32 collision is rare enough that more
 * than one in a row means something else is wrong).
 */
export const maxCollisionRetries = 10;

export async function executeStatefulSetPlan(
  deps: ExecutorDeps,
  set: MyStatefulSet,
  actions: readonly StatefulSetSyncAction[],
  replan: Replan,
): Promise<ExecutionResult> {
  let planned = { set, actions };
  for (let attempt = 0; ; attempt++) {
    const outcome = await writeRevision(deps, planned.set, planned.actions);
    if (outcome.kind === 'written') return executeSync(deps, planned.set, planned.actions);
    if (attempt >= maxCollisionRetries) {
      throw new StatefulSetSyncError(`revision names still collide after ${maxCollisionRetries} retries (collisionCount ${outcome.collisionCount})`);
    }
    deps.log.debug('revision name taken by other data, planning again', { collisionCount: outcome.collisionCount });
    const next = withCollisionCount(planned.set, outcome.collisionCount);
    planned = { set: next, actions: replan(next) };
  }
}

type RevisionOutcome = { readonly kind: 'written' } | { readonly kind: 'collision'; readonly collisionCount: number };

/** The createRevision / updateRevisionNumber actions (planned first). Any failure ends the sync here. */
async function writeRevision(deps: ExecutorDeps, set: MyStatefulSet, actions: readonly StatefulSetSyncAction[]): Promise<RevisionOutcome> {
  for (const action of actions) {
    if (action.kind !== 'createRevision' && action.kind !== 'updateRevisionNumber') continue;
    try {
      if (action.kind === 'updateRevisionNumber') {
        await deps.objects.renumberRevision(action.revision, action.revisionNumber);
        continue;
      }
      const collision = await createRevision(deps, set, action.revision);
      if (collision !== undefined) return collision;
    } catch (err) {
      throw new StatefulSetSyncError(`writing revision ${action.revision.metadata.name ?? ''}: ${errorMessage(err)}`, { cause: err });
    }
  }
  return { kind: 'written' };
}

/**
 * upstream CreateControllerRevision: AlreadyExists with our data means an earlier sync made it (the
 * cache had not shown it): use it. With other data, two templates hash alike: plan again with a
 * higher collisionCount. Returns undefined when the revision is there.
 */
async function createRevision(
  deps: ExecutorDeps,
  set: MyStatefulSet,
  revision: ControllerRevision,
): Promise<Extract<RevisionOutcome, { kind: 'collision' }> | undefined> {
  try {
    await deps.objects.createRevision(revision);
    return undefined;
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
  }
  const existing = await deps.objects.getRevision(revision.metadata.namespace ?? '', revision.metadata.name ?? '');
  const conflict = revisionCreateConflict(existing, revision, set.status?.collisionCount ?? 0);
  return conflict.kind === 'useExisting' ? undefined : { kind: 'collision', collisionCount: conflict.collisionCount };
}

/** What one sync has done so far; each unit adds to it. */
interface Run {
  readonly deps: ExecutorDeps;
  readonly set: MyStatefulSet;
  /** The work queue key (namespace/name): the create backoff's. */
  readonly key: string;
  readonly errors: unknown[];
  /** `update` deletions that went through (NotFound included), for StatefulSetWriteStatus. */
  updateDeletionsDone: number;
  /** The API server's message for the first pod or claim create it refused. */
  refusedCreate: string | undefined;
  /** The FailedCreate Warnings of this sync's refusals, recorded once per new cause. */
  readonly createWarnings: (() => void)[];
  /** A create was held back by the create backoff. */
  createsDeferred: boolean;
}

async function executeSync(deps: ExecutorDeps, set: MyStatefulSet, actions: readonly StatefulSetSyncAction[]): Promise<ExecutionResult> {
  const key = `${set.metadata.namespace ?? ''}/${set.metadata.name ?? ''}`;
  const run: Run = { deps, set, key, errors: [], updateDeletionsDone: 0, refusedCreate: undefined, createWarnings: [], createsDeferred: false };

  const notices: string[] = [];
  for (const action of actions) {
    if (action.kind !== 'eventOnce') continue;
    notices.push(action.notice);
    if (deps.notices.firstReport(key, action.notice)) recordEvent(run, action.event.type, action.event.reason, action.event.message);
  }
  // The states not planned any more have ended: reported again should they come back.
  deps.notices.retain(key, notices);
  const refresh = freshCountsDuring(run, actions);
  try {
    await runPodWork(run, actions);
  } finally {
    await refresh?.stop();
  }
  await growClaims(run, actions);
  const createsWaitMs = await settleCreates(run, actions);

  let paceMs: number | undefined;
  // Nothing to write: the stored status is what this sync computed.
  if (!actions.some((action) => action.kind === 'writeStatus')) deps.unwritten.settled(key);
  for (const planned of actions) {
    if (planned.kind !== 'writeStatus') continue;
    // The refresh wrote newer counts than the sync started from: the sync's own would go back.
    const action = refresh === undefined ? planned : (deps.statusRefresh?.finalWrite(planned) ?? planned);
    if (action === 'shown') {
      deps.unwritten.settled(key);
      continue;
    }
    // upstream decrements currentReplicas only after an update deletion went through: the plan
    // gives the value for each count (StatefulSetWriteStatus).
    const currentReplicas = action.currentReplicasAfterUpdateDeletions[run.updateDeletionsDone] ?? action.status.currentReplicas;
    // Counts that may wait and came too soon after the last write: the sync at the end of the
    // wait writes the newest ones (write-pacer.ts); until then the planner reads currentReplicas
    // from deps.unwritten.
    const wait = action.mayWait === true ? deps.statusPacer.delayMs(key) : 0;
    if (wait > 0) {
      paceMs = wait;
      deps.unwritten.putOff(key, set, { currentReplicas, currentRevision: action.status.currentRevision, updateRevision: action.status.updateRevision });
      continue;
    }
    try {
      await deps.objects.patchStatus(set, { ...action.status, currentReplicas });
      deps.statusPacer.wrote(key);
      deps.unwritten.settled(key);
    } catch (err) {
      run.errors.push(new StatefulSetSyncError(`writing status: ${errorMessage(err)}`, { cause: err }));
      continue;
    }
    for (const event of action.eventsAfterWrite) recordEvent(run, event.type, event.reason, event.message);
  }

  for (const action of actions) {
    if (action.kind !== 'deleteRevision') continue;
    try {
      await deps.objects.deleteRevision(action.revision);
    } catch (err) {
      // Gone, or replaced under the same name (UID precondition): nothing of ours to delete.
      if (isNotFound(err) || isConflict(err)) continue;
      run.errors.push(new StatefulSetSyncError(`deleting revision ${action.revision.metadata.name ?? ''}: ${errorMessage(err)}`, { cause: err }));
      break;
    }
  }

  if (run.errors.length > 0) {
    const messages = run.errors.map(errorMessage);
    throw new StatefulSetSyncError(messages.slice(0, 3).join('; ') + (messages.length > 3 ? ` (+${messages.length - 3} more)` : ''), {
      cause: run.errors[0],
    });
  }
  let requeueAfterMs = earliestRequeue([createsWaitMs, paceMs]);
  for (const action of actions) {
    if (action.kind === 'requeueAfter') requeueAfterMs = Math.min(requeueAfterMs ?? action.afterMs, action.afterMs);
  }
  return { requeueAfterMs };
}

/**
 * The ReplicaFailure condition, the create backoff and the FailedCreate Warnings (create-outcome.ts),
 * with the plan's rollout conditions (Progressing, RolledBack, VolumeResizing) in the same conditional write: one
 * request, made before the status write so it carries the resourceVersion the cache holds.
 */
async function settleCreates(run: Run, actions: readonly StatefulSetSyncAction[]): Promise<number | undefined> {
  const { deps, set } = run;
  const outcome: CreateOutcome =
    run.refusedCreate !== undefined
      ? { kind: 'failed', message: run.refusedCreate }
      : run.createsDeferred
        ? { kind: 'deferred' }
        : { kind: 'succeeded' };
  try {
    return await settleCreateOutcome(
      {
        key: run.key,
        uid: set.metadata.uid ?? '',
        backoff: deps.createBackoff,
        now: formatTime(deps.clock.now()),
        writeConditions: (update) => deps.objects.writeConditions(set, withRolloutConditions(update, actions)),
      },
      outcome,
      () => {
        for (const warn of run.createWarnings) warn();
      },
    );
  } catch (err) {
    run.errors.push(new StatefulSetSyncError(`writing the ReplicaFailure condition: ${errorMessage(err)}`, { cause: err }));
    return undefined;
  }
}

/**
 * `update` (ReplicaFailure's) followed by the plan's rolloutConditions, if any, on the same
 * conditions; undefined (no write) when together they change nothing.
 */
function withRolloutConditions(update: ConditionsUpdate, actions: readonly StatefulSetSyncAction[]): ConditionsUpdate {
  const rollout = actions.find((a) => a.kind === 'rolloutConditions');
  if (rollout?.kind !== 'rolloutConditions') return update;
  return (conditions) => {
    const afterFailure = update(conditions);
    const next = nextRolloutConditions(afterFailure ?? conditions, rollout.update);
    return afterFailure === undefined && sameConditions(conditions, next) ? undefined : next;
  };
}

/**
 * The podStep actions in plan order, each batch by batch as planned: the units of a batch at once
 * (upstream slowStartBatch; one unit per batch under OrderedReady and in the update step). The
 * first batch with a failed unit, or a syncError, ends all pod work.
 */
/**
 * The paced refresh of the counts while the pod work runs, if the controller offers one. Not while
 * a rolling update deletes pods: currentReplicas then follows the deletions that went through
 * (StatefulSetWriteStatus), which only this sync knows.
 */
function freshCountsDuring(run: Run, actions: readonly StatefulSetSyncAction[]): PacedRefresh | undefined {
  const refresh = run.deps.statusRefresh;
  if (refresh === undefined || !actions.some((action) => action.kind === 'podStep')) return undefined;
  if (actions.some((action) => action.kind === 'writeStatus' && action.currentReplicasAfterUpdateDeletions.length > 1)) return undefined;
  return startPacedRefresh({
    key: run.key,
    clock: run.deps.clock,
    pacer: refresh.pacer,
    compute: () => refresh.compute(),
    write: async (status) => {
      await run.deps.objects.patchStatus(run.set, status);
    },
    // The sync's own status write follows; a failure here only ends the refreshing.
    onError: (err) => run.deps.log.debug('refreshing the status during pod work failed', { error: errorMessage(err) }),
  });
}

async function runPodWork(run: Run, actions: readonly StatefulSetSyncAction[]): Promise<void> {
  for (const action of actions) {
    if (action.kind === 'syncError') {
      run.errors.push(new StatefulSetSyncError(action.message));
      return;
    }
    if (action.kind !== 'podStep') continue;
    for (const batch of action.batches) {
      const results = await Promise.all(batch.map((unit) => runUnit(run, unit)));
      if (results.includes(false)) return;
    }
  }
}

/**
 * The patchClaimStorage actions (actions.ts), all at once: each claim is its own object, and the
 * client's rate limit paces them. After the pod work, so the owner-reference patches planned with
 * the claims' resourceVersions do not conflict with them.
 */
async function growClaims(run: Run, actions: readonly StatefulSetSyncAction[]): Promise<void> {
  const patches = actions.filter((a): a is PatchClaimStorageAction => a.kind === 'patchClaimStorage');
  await Promise.all(patches.map((patch) => patchClaimStorage(run, patch)));
}

async function patchClaimStorage(run: Run, { claim, storage }: PatchClaimStorageAction): Promise<void> {
  const name = claim.metadata.name ?? '';
  try {
    await run.deps.objects.patchClaimStorage(claim, storage);
  } catch (err) {
    if (goneOrReplaced(err)) return;
    recordEvent(run, 'Warning', 'ClaimResizeFailed', `could not raise the storage request of claim ${name} to ${storage}: ${errorMessage(err)}`);
    run.errors.push(new StatefulSetSyncError(`raising the storage request of claim ${name}: ${errorMessage(err)}`, { cause: err }));
    return;
  }
  recordEvent(run, 'Normal', 'ResizingClaim', `raised the storage request of claim ${name} from ${requestedStorage(claim)?.text ?? 'none'} to ${storage}`);
}

/** A unit may hold several calls on its pod (a Pending pod's claims, then its repair): in order. */
async function runUnit(run: Run, unit: PodUnit): Promise<boolean> {
  for (const operation of unit.operations) if (!(await runOperation(run, operation))) return false;
  return true;
}

type Verb = 'create' | 'update' | 'delete';
type Stage = 'claims' | 'pod' | 'ownerReferences';

/**
 * The pod Event a failed stage of an operation records (upstream: where StatefulPodControl calls
 * recordPodEvent). A failed owner-reference patch after the pod exists is an update.
 */
function failureVerb(operation: PodOperation, stage: Stage): Verb | undefined {
  switch (operation) {
    case 'create':
      return stage === 'ownerReferences' ? 'update' : 'create';
    case 'createMissingClaims':
      return stage === 'ownerReferences' ? 'update' : undefined;
    case 'update':
      return 'update';
    case 'delete':
      return 'delete';
    case 'updateClaims':
      return undefined;
    default: {
      const unknown: never = operation;
      return unknown;
    }
  }
}

function successVerb(operation: PodOperation): Verb | undefined {
  return operation === 'create' || operation === 'update' || operation === 'delete' ? operation : undefined;
}

/** One call's actions, in order, stopping at the first failure; its pod Event (actions.ts PodOperation). */
async function runOperation(run: Run, { operation, podName, actions }: PodOperationPlan): Promise<boolean> {
  // `refused`: the API server refused a create (not AlreadyExists): its FailedCreate waits for
  // settleCreates, which records it once per cause.
  const fail = (stage: Stage, message: string, cause: unknown, refused = false): false => {
    const verb = failureVerb(operation, stage);
    if (verb === 'create' && refused) run.createWarnings.push(() => recordPodEvent(run, verb, podName, message));
    else if (verb !== undefined) recordPodEvent(run, verb, podName, message);
    run.errors.push(new StatefulSetSyncError(`${operation} pod ${podName}: ${message}`, { cause }));
    return false;
  };
  // Creates wait while the create backoff runs: the operation stops here as on a failure, without
  // one (no error, no Event); the sync is requeued for when the wait is over.
  const creates = operation === 'create' || operation === 'createMissingClaims';
  if (creates && run.deps.createBackoff.remainingMs(run.key, run.set.metadata.uid ?? '') > 0) {
    run.createsDeferred = true;
    return false;
  }
  for (const action of actions) {
    switch (action.kind) {
      case 'createClaims': {
        const failure = await createClaims(run, action.claims, podName);
        if (failure !== undefined) return fail('claims', failure.message, failure.cause, failure.refused);
        break;
      }
      case 'event':
        recordEvent(run, action.type, action.reason, action.message);
        break;
      case 'createPod':
        try {
          await run.deps.objects.createPod(action.pod);
        } catch (err) {
          // A pod of this name exists, the cache had not shown it: no Event, the next sync sees it.
          if (isAlreadyExists(err)) {
            run.errors.push(new StatefulSetSyncError(`create pod ${podName}: ${errorMessage(err)}`, { cause: err }));
            return false;
          }
          run.refusedCreate ??= errorMessage(err);
          return fail('pod', errorMessage(err), err, true);
        }
        break;
      case 'updatePod':
        try {
          await updateStatefulPod(run, action.pod);
        } catch (err) {
          return fail('pod', errorMessage(err), err);
        }
        break;
      case 'deletePod':
        try {
          await run.deps.objects.deletePod(action.pod);
        } catch (err) {
          // NotFound, or a newer pod of the name (UID precondition): the pod we meant is gone.
          if (!isNotFound(err) && !isConflict(err)) return fail('pod', errorMessage(err), err);
        }
        if (action.reason === 'update') run.updateDeletionsDone++;
        break;
      case 'patchPvcOwnerRefs':
        try {
          await run.deps.objects.patchClaimOwnerReferences(action.pvc, action.ownerReferences);
        } catch (err) {
          return fail('ownerReferences', `could not update claim ${action.pvc.metadata.name ?? ''} for delete policy ownerRefs: ${errorMessage(err)}`, err);
        }
        break;
      default: {
        const unknown: never = action;
        return unknown;
      }
    }
  }
  const verb = successVerb(operation);
  if (verb !== undefined) recordPodEvent(run, verb, podName, undefined);
  return true;
}

/**
 * How many PUTs a pod repair gets before a conflict fails it: upstream UpdateStatefulPod retries
 * with retry.DefaultBackoff, 4 attempts. Upstream waits 10, 50 and 250 ms between them so that its
 * lister can catch up; ours reads the pod from the API server instead, so it retries at once.
 */
export const podUpdateAttempts = 4;

/**
 * upstream UpdateStatefulPod's commit, with retry.RetryOnConflict, writing only what it just read:
 * GET the pod (live, not the cache), put identity and claim volumes back on that copy, and PUT it
 * with the resourceVersion the GET returned. What other clients wrote is kept, and a write in
 * between makes the PUT conflict instead of being overwritten; then it starts over.
 *
 * Whether to write is decided as upstream decides: the first PUT goes out because the plan found
 * the pod off (from the cache, as upstream's lister), also when the fresh copy needs no repair
 * (only the claims' owner references were off, and those are patched already); after a conflict,
 * a fresh copy with nothing left to repair is success, as upstream's retry re-checks. The claims
 * the repaired volumes need were created before the first PUT, and a pod's volumes cannot change,
 * so a retry needs no claim work. A pod of that name with another UID is not the one planned for:
 * the unit fails and the next sync plans for the new pod.
 */
async function updateStatefulPod(run: Run, planned: Pod): Promise<void> {
  const { objects } = run.deps;
  const namespace = planned.metadata.namespace ?? '';
  const name = planned.metadata.name ?? '';
  for (let attempt = 1; ; attempt++) {
    const fresh = await objects.getPod(namespace, name);
    if (fresh.metadata.uid !== planned.metadata.uid) {
      throw new StatefulSetSyncError(`pod ${name} is another pod now (uid ${fresh.metadata.uid ?? ''}, planned for ${planned.metadata.uid ?? ''})`);
    }
    const repair = repairStatefulPod(run.set, fresh);
    if (attempt > 1 && !repair.identityRepaired && !repair.storageRepaired) return;
    try {
      await objects.updatePod(repair.pod);
      return;
    } catch (err) {
      if (!isConflict(err) || attempt >= podUpdateAttempts) throw err;
    }
    run.deps.log.debug('pod changed under its repair, repairing a fresh copy', { pod: name, attempt });
  }
}

/**
 * upstream createPersistentVolumeClaims: every claim is attempted; undefined when all are there,
 * else their errors as one.
 */
async function createClaims(
  run: Run,
  claims: readonly ClaimCreation[],
  podName: string,
): Promise<{ readonly message: string; readonly cause: unknown; readonly refused: boolean } | undefined> {
  const failures: { readonly message: string; readonly cause: unknown; readonly refused: boolean }[] = [];
  for (const claim of claims) {
    const failure = await createClaim(run, claim, podName);
    if (failure !== undefined) failures.push(failure);
  }
  if (failures.length === 0) return undefined;
  return {
    message: aggregate(failures.map((f) => f.message)),
    cause: failures.find((f) => f.cause !== undefined)?.cause,
    refused: failures.some((f) => f.refused),
  };
}

/** Creates one claim (or reports the one being deleted); undefined on success. */
async function createClaim(
  run: Run,
  claim: ClaimCreation,
  podName: string,
): Promise<{ readonly message: string; readonly cause: unknown; readonly refused: boolean } | undefined> {
  if (claim.kind === 'pvcTerminating') return { message: `pvc ${claim.pvcName} is being deleted`, cause: undefined, refused: false };
  const claimName = claim.pvc.metadata.name ?? '';
  try {
    await run.deps.objects.createClaim(claim.pvc);
    recordClaimEvent(run, claimName, podName, undefined);
    return undefined;
  } catch (err) {
    // AlreadyExists: the cache had not shown the claim; no Event, the next sync reuses it.
    const refused = !isAlreadyExists(err);
    if (refused) {
      run.refusedCreate ??= errorMessage(err);
      run.createWarnings.push(() => recordClaimEvent(run, claimName, podName, errorMessage(err)));
    }
    return { message: `failed to create PVC ${claimName}: ${errorMessage(err)}`, cause: err, refused };
  }
}

/** As upstream's error aggregate prints one or several errors. */
function aggregate(messages: readonly string[]): string {
  return messages.length === 1 ? (messages[0] ?? '') : `[${messages.join(', ')}]`;
}

function involvedObject(set: MyStatefulSet): InvolvedObject {
  return { apiVersion: set.apiVersion ?? apiVersion, kind: statefulSetKind, metadata: set.metadata };
}

function recordEvent(run: Run, type: EventType, reason: string, message: string): void {
  run.deps.recorder.event(involvedObject(run.set), type, reason, message);
}

const titles: Readonly<Record<Verb, string>> = { create: 'Create', update: 'Update', delete: 'Delete' };

/** upstream recordPodEvent: `Create Pod web-0 in StatefulSet web successful` / `… failed error: …`. */
function recordPodEvent(run: Run, verb: Verb, podName: string, error: string | undefined): void {
  const setName = run.set.metadata.name ?? '';
  const title = titles[verb];
  if (error === undefined) {
    recordEvent(run, 'Normal', `Successful${title}`, `${title} Pod ${podName} in StatefulSet ${setName} successful`);
  } else {
    recordEvent(run, 'Warning', `Failed${title}`, `${title} Pod ${podName} in StatefulSet ${setName} failed error: ${error}`);
  }
}

/** upstream recordClaimEvent: `Create Claim www-web-0 Pod web-0 in StatefulSet web success` / `… failed error: …`. */
function recordClaimEvent(run: Run, claimName: string, podName: string, error: string | undefined): void {
  const setName = run.set.metadata.name ?? '';
  if (error === undefined) {
    recordEvent(run, 'Normal', 'SuccessfulCreate', `Create Claim ${claimName} Pod ${podName} in StatefulSet ${setName} success`);
  } else {
    recordEvent(run, 'Warning', 'FailedCreate', `Create Claim ${claimName} for Pod ${podName} in StatefulSet ${setName} failed error: ${error}`);
  }
}
