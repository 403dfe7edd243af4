// Applies one MyStatefulSet sync's plan to the cluster, as actions.ts specifies:
//
//   revision write ─► pod and claim units ─► status ─► history truncation ─► requeue
//   (failure: end,    (in order, or in slow-   (always,  (always)              (only when
//    no status)        start batches; stop at   merged)                         nothing failed)
//                      the first failure)
//
// upstream: pkg/controller/statefulset/stateful_set_control.go (performUpdate, runForAll,
// slowStartBatch), stateful_pod_control.go (CreateStatefulPod, UpdateStatefulPod, DeleteStatefulPod,
// recordPodEvent, recordClaimEvent), pkg/controller/history/controller_history.go CreateControllerRevision.
import type { ControllerRevision, Pod } from '../../api/core.ts';
import type { MyStatefulSet } from '../../api/workloads.ts';
import { apiVersion } from '../../api/workloads.ts';
import { errorMessage, isAlreadyExists, isConflict, isNotFound } from '../../runtime/client/errors.ts';
import type { Clock } from '../../runtime/clock.ts';
import type { EventType, InvolvedObject } from '../../runtime/events.ts';
import { formatMetaV1Time as formatTime } from '../../runtime/time.ts';
import type { Logger } from '../../runtime/logging.ts';
import type { CreateBackoff } from '../shared/create-backoff.ts';
import { settleCreateOutcome } from '../shared/create-outcome.ts';
import type { CreateOutcome } from '../shared/replica-failure.ts';
import type { PodOperation, StatefulSetAction, SyncStep } from './actions.ts';
import { slowStartBatch } from './actions.ts';
import { statefulSetKind } from './identity.ts';
import type { StatefulSetObjectManager } from './object-manager.ts';
import { repairStatefulPod } from './pod-template.ts';
import { revisionCreateConflict, withCollisionCount } from './revisions.ts';
import { allowsBurst } from './strategy.ts';

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
}

export interface ExecutionResult {
  /** Sync again after this many ms, when the plan asked and nothing failed. */
  readonly requeueAfterMs: number | undefined;
}

/** Plans the same snapshot again for a set whose status.collisionCount was raised. */
export type Replan = (set: MyStatefulSet) => readonly StatefulSetAction[];

/**
 * Revision names taken by other data, in a row, before the sync gives up (upstream loops without
 * bound; each round costs a create and a get, and a real FNV-32 collision is rare enough that more
 * than one in a row means something else is wrong).
 */
export const maxCollisionRetries = 10;

export async function executeStatefulSetPlan(
  deps: ExecutorDeps,
  set: MyStatefulSet,
  actions: readonly StatefulSetAction[],
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
async function writeRevision(deps: ExecutorDeps, set: MyStatefulSet, actions: readonly StatefulSetAction[]): Promise<RevisionOutcome> {
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

type PodAction = Extract<StatefulSetAction, { readonly kind: 'createPvc' | 'pvcTerminating' | 'createPod' | 'updatePod' | 'deletePod' | 'patchPvcOwnerRefs' | 'event' }>;

/** Consecutive pod actions with one (step, index): the work on one pod. */
interface Unit {
  readonly step: SyncStep;
  readonly index: number;
  readonly actions: PodAction[];
}

type PodItem =
  | { readonly kind: 'unit'; readonly unit: Unit }
  /** An Event planned outside any unit: recorded where it stands. */
  | { readonly kind: 'event'; readonly action: Extract<StatefulSetAction, { readonly kind: 'event' }> }
  | { readonly kind: 'syncError'; readonly message: string };

/** What one sync has done so far; each unit adds to it. */
interface Run {
  readonly deps: ExecutorDeps;
  readonly set: MyStatefulSet;
  /** The work queue key (namespace/name): the create backoff's. */
  readonly key: string;
  readonly errors: unknown[];
  updateDeletionsDone: number;
  /** The API server's message for the first pod or claim create it refused. */
  refusedCreate: string | undefined;
  /** The FailedCreate Warnings of this sync's refusals, recorded once per new cause. */
  readonly createWarnings: (() => void)[];
  /** A create was held back by the create backoff. */
  createsDeferred: boolean;
}

async function executeSync(deps: ExecutorDeps, set: MyStatefulSet, actions: readonly StatefulSetAction[]): Promise<ExecutionResult> {
  const key = `${set.metadata.namespace ?? ''}/${set.metadata.name ?? ''}`;
  const run: Run = { deps, set, key, errors: [], updateDeletionsDone: 0, refusedCreate: undefined, createWarnings: [], createsDeferred: false };

  await runPodWork(run, podItems(actions));
  const createsWaitMs = await settleCreates(run);

  // upstream decrements currentReplicas only after an update deletion went through.
  const plannedUpdateDeletions = actions.filter((a) => a.kind === 'deletePod' && a.reason === 'update').length;
  const notDeleted = plannedUpdateDeletions - run.updateDeletionsDone;
  for (const action of actions) {
    if (action.kind !== 'writeStatus') continue;
    const status = { ...action.status, currentReplicas: action.status.currentReplicas + notDeleted };
    try {
      await deps.objects.patchStatus(set, status);
    } catch (err) {
      run.errors.push(new StatefulSetSyncError(`writing status: ${errorMessage(err)}`, { cause: err }));
    }
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
  let requeueAfterMs = createsWaitMs;
  for (const action of actions) {
    if (action.kind === 'requeueAfter') requeueAfterMs = Math.min(requeueAfterMs ?? action.afterMs, action.afterMs);
  }
  return { requeueAfterMs };
}

/** The ReplicaFailure condition, the create backoff and the FailedCreate Warnings (create-outcome.ts). */
async function settleCreates(run: Run): Promise<number | undefined> {
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
        writeConditions: (update) => deps.objects.writeConditions(set, update),
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

/** The pod and claim work in plan order, consecutive actions of one (step, index) grouped. */
function podItems(actions: readonly StatefulSetAction[]): PodItem[] {
  const items: PodItem[] = [];
  for (const action of actions) {
    switch (action.kind) {
      case 'createRevision':
      case 'updateRevisionNumber':
      case 'writeStatus':
      case 'deleteRevision':
      case 'requeueAfter':
        break;
      case 'syncError':
        items.push({ kind: 'syncError', message: action.message });
        break;
      case 'event':
        if (action.work === undefined) {
          items.push({ kind: 'event', action });
          break;
        }
        addToUnit(items, action);
        break;
      case 'createPvc':
      case 'pvcTerminating':
      case 'createPod':
      case 'updatePod':
      case 'deletePod':
      case 'patchPvcOwnerRefs':
        addToUnit(items, action);
        break;
      default: {
        const unknown: never = action;
        return unknown;
      }
    }
  }
  return items;
}

function addToUnit(items: PodItem[], action: PodAction): void {
  const { work } = action;
  if (work === undefined) return;
  const last = items.at(-1);
  if (last?.kind === 'unit' && last.unit.step === work.step && last.unit.index === work.index) {
    last.unit.actions.push(action);
    return;
  }
  items.push({ kind: 'unit', unit: { step: work.step, index: work.index, actions: [action] } });
}

/**
 * Runs units step by step. OrderedReady, and the update step always: one unit after the other.
 * Parallel (replicas, condemnedClaims, condemned): the units of one slow-start batch at once. The
 * first failed unit (or batch) or syncError ends all pod work.
 */
async function runPodWork(run: Run, items: readonly PodItem[]): Promise<void> {
  const burst = allowsBurst(run.set);
  let i = 0;
  while (i < items.length) {
    const item = items[i];
    if (item === undefined) break;
    if (item.kind === 'syncError') {
      run.errors.push(new StatefulSetSyncError(item.message));
      return;
    }
    if (item.kind === 'event') {
      recordEvent(run, item.action.type, item.action.reason, item.action.message);
      i++;
      continue;
    }
    const { step } = item.unit;
    const units: Unit[] = [];
    for (let next = items[i]; next?.kind === 'unit' && next.unit.step === step; next = items[++i]) units.push(next.unit);
    const ok = step === 'update' || !burst ? await runInOrder(run, units) : await runInBatches(run, units);
    if (!ok) return;
  }
}

async function runInOrder(run: Run, units: readonly Unit[]): Promise<boolean> {
  for (const unit of units) if (!(await runUnit(run, unit))) return false;
  return true;
}

async function runInBatches(run: Run, units: readonly Unit[]): Promise<boolean> {
  const batches = new Map<number, Unit[]>();
  for (const unit of units) {
    const batch = slowStartBatch(unit.index);
    batches.set(batch, [...(batches.get(batch) ?? []), unit]);
  }
  for (const batch of [...batches.keys()].sort((a, b) => a - b)) {
    const results = await Promise.all((batches.get(batch) ?? []).map((unit) => runUnit(run, unit)));
    if (results.includes(false)) return false;
  }
  return true;
}

/** A unit may hold several operations on its pod (a Pending pod's claims, then its repair): in order. */
async function runUnit(run: Run, unit: Unit): Promise<boolean> {
  let start = 0;
  while (start < unit.actions.length) {
    const operation = operationOf(unit.actions[start]);
    let end = start + 1;
    while (end < unit.actions.length && operationOf(unit.actions[end]) === operation) end++;
    if (!(await runOperation(run, operation, unit.actions.slice(start, end)))) return false;
    start = end;
  }
  return true;
}

function operationOf(action: PodAction | undefined): PodOperation | undefined {
  return action?.work?.operation;
}

type Verb = 'create' | 'update' | 'delete';
type Stage = 'claims' | 'pod' | 'ownerReferences';

/**
 * The pod Event a failed stage of an operation records (upstream: where StatefulPodControl calls
 * recordPodEvent). A failed owner-reference patch after the pod exists is an update.
 */
function failureVerb(operation: PodOperation | undefined, stage: Stage): Verb | undefined {
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
    case undefined:
      return undefined;
    default: {
      const unknown: never = operation;
      return unknown;
    }
  }
}

function successVerb(operation: PodOperation | undefined): Verb | undefined {
  return operation === 'create' || operation === 'update' || operation === 'delete' ? operation : undefined;
}

/**
 * One operation's actions, in order: a run of claim creations is attempted in full (upstream
 * aggregates their errors), then the operation stops at its first failure.
 */
async function runOperation(run: Run, operation: PodOperation | undefined, actions: readonly PodAction[]): Promise<boolean> {
  const podName = actions[0]?.work?.podName ?? '';
  // `refused`: the API server refused a create (not AlreadyExists): its FailedCreate waits for
  // settleCreates, which records it once per cause.
  const fail = (stage: Stage, message: string, cause: unknown, refused = false): false => {
    const verb = failureVerb(operation, stage);
    if (verb === 'create' && refused) run.createWarnings.push(() => recordPodEvent(run, verb, podName, message));
    else if (verb !== undefined) recordPodEvent(run, verb, podName, message);
    run.errors.push(new StatefulSetSyncError(`${operation ?? 'sync'} pod ${podName}: ${message}`, { cause }));
    return false;
  };
  // Creates wait while the create backoff runs: the operation stops here as on a failure, without
  // one (no error, no Event); the sync is requeued for when the wait is over.
  const creates = operation === 'create' || operation === 'createMissingClaims';
  if (creates && run.deps.createBackoff.remainingMs(run.key, run.set.metadata.uid ?? '') > 0) {
    run.createsDeferred = true;
    return false;
  }
  let i = 0;
  while (i < actions.length) {
    const action = actions[i];
    if (action === undefined) break;
    if (action.kind === 'createPvc' || action.kind === 'pvcTerminating') {
      const claimErrors: string[] = [];
      let cause: unknown;
      let refused = false;
      for (let claim = actions[i]; claim?.kind === 'createPvc' || claim?.kind === 'pvcTerminating'; claim = actions[++i]) {
        const failure = await createClaim(run, claim, podName);
        if (failure !== undefined) {
          claimErrors.push(failure.message);
          cause ??= failure.cause;
          refused ||= failure.refused;
        }
      }
      if (claimErrors.length > 0) return fail('claims', aggregate(claimErrors), cause, refused);
      continue;
    }
    i++;
    switch (action.kind) {
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
 * How often a pod repair is written before a conflict fails it: upstream UpdateStatefulPod retries
 * with retry.DefaultBackoff, 4 attempts. Upstream waits 10, 50 and 250 ms between them so that its
 * lister can catch up; ours reads the pod from the API server instead, so it retries at once.
 */
export const podUpdateAttempts = 4;

/**
 * upstream UpdateStatefulPod's commit, with retry.RetryOnConflict: PUT the repaired pod; on a
 * conflict GET it again (live, so what other clients wrote since is kept), put identity and claim
 * volumes back on that copy, and PUT again. Nothing left to repair on the fresh copy (someone
 * else fixed it, or only claim owner references were off, and those are patched already) is
 * success, as upstream. The claims the repaired volumes need were created before the first PUT,
 * and a pod's volumes cannot change, so a retry needs no claim work. A pod of that name with
 * another UID is not the one planned for: the conflict stands and the next sync sees the new pod.
 */
async function updateStatefulPod(run: Run, planned: Pod): Promise<void> {
  const { objects } = run.deps;
  let pod = planned;
  for (let attempt = 1; ; attempt++) {
    let conflict: unknown;
    try {
      await objects.updatePod(pod);
      return;
    } catch (err) {
      if (!isConflict(err) || attempt >= podUpdateAttempts) throw err;
      conflict = err;
    }
    const fresh = await objects.getPod(planned.metadata.namespace ?? '', planned.metadata.name ?? '');
    if (fresh.metadata.uid !== planned.metadata.uid) throw conflict;
    const repair = repairStatefulPod(run.set, fresh);
    if (!repair.identityRepaired && !repair.storageRepaired) return;
    run.deps.log.debug('pod changed under its repair, repairing the fresh copy', { pod: planned.metadata.name, attempt });
    pod = repair.pod;
  }
}

/** Creates one claim (or reports the one being deleted); undefined on success. */
async function createClaim(
  run: Run,
  action: Extract<PodAction, { readonly kind: 'createPvc' | 'pvcTerminating' }>,
  podName: string,
): Promise<{ readonly message: string; readonly cause: unknown; readonly refused: boolean } | undefined> {
  if (action.kind === 'pvcTerminating') return { message: `pvc ${action.pvcName} is being deleted`, cause: undefined, refused: false };
  const claimName = action.pvc.metadata.name ?? '';
  try {
    await run.deps.objects.createClaim(action.pvc);
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
