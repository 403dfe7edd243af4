// Applies one MyDeployment pass, as actions.ts specifies: the actions in plan order, stopping at
// the first failure with an error (the key is retried with backoff), except for the old-RS
// scale-downs that swallow theirs. Each write after the first to the same object carries the
// resourceVersion the previous one returned, so the pass's own writes never conflict with each
// other while anyone else's still do.
//
// upstream: the client calls and Events in pkg/controller/deployment/sync.go (getNewReplicaSet,
// scaleReplicaSet, cleanupDeployment), rollback.go, progress.go; handleErr for the namespace
// being terminated.
import { controllerOf } from '../../api/meta.ts';
import type { MyDeployment, MyDeploymentStatus, MyReplicaSet } from '../../api/workloads.ts';
import { apiVersion, myDeploymentKind } from '../../api/workloads.ts';
import { errorMessage, isAlreadyExists, isConflict, isNamespaceTerminating, isNotFound } from '../../runtime/client/errors.ts';
import type { EventType, InvolvedObject } from '../../runtime/events.ts';
import type { Logger } from '../../runtime/logging.ts';
import type { CreateReplicaSetAction, DeploymentAction, ScaleReplicaSetAction } from './actions.ts';
import { desiredReplicasAnnotation, maxReplicasAnnotation } from './annotations.ts';
import { failedRSCreateReason, newCondition, progressingType, setCondition } from './conditions.ts';
import { replicasOf } from './fenceposts.ts';
import type { DeploymentObjectManager } from './object-manager.ts';
import { templatesEqualIgnoringHash } from './template-equality.ts';

/** A pass that must be retried with backoff; carries what failed. */
export class DeploymentSyncError extends Error {
  override readonly name = 'DeploymentSyncError';
}

/** Where Events go; EventRecorder satisfies it. */
export interface EventSink {
  event(obj: InvolvedObject, type: EventType, reason: string, message: string): void;
}

export interface ExecutorDeps {
  readonly objects: DeploymentObjectManager;
  readonly recorder: EventSink;
  readonly log: Logger;
}

export interface ExecutionResult {
  /** Sync again after this many ms, when the plan asked and nothing failed. */
  readonly requeueAfterMs: number | undefined;
}

export const scalingReplicaSetReason = 'ScalingReplicaSet';

/** What one pass has written so far. */
interface Run {
  readonly deps: ExecutorDeps;
  /** The Deployment as the snapshot holds it. */
  readonly d: MyDeployment;
  readonly now: number;
  /** The Deployment's resourceVersion after our last write to it. */
  deploymentResourceVersion: string | undefined;
  /** Each RS's resourceVersion after our last write to it in this pass, by name. */
  readonly replicaSetResourceVersions: Map<string, string | undefined>;
}

/** How a pass ends early without an error. */
type Ended = { readonly kind: 'ended' };

export async function executeDeploymentPlan(
  deps: ExecutorDeps,
  d: MyDeployment,
  actions: readonly DeploymentAction[],
  now: number,
): Promise<ExecutionResult> {
  const run: Run = { deps, d, now, deploymentResourceVersion: d.metadata.resourceVersion, replicaSetResourceVersions: new Map() };
  let requeueAfterMs: number | undefined;
  /** A swallowed scale-down failure skips the rest of its step (rolling.go reconcileOldReplicaSets). */
  let scaleDownFailed = false;
  for (const action of actions) {
    switch (action.kind) {
      case 'createReplicaSet':
        if ((await createReplicaSet(run, action)).kind === 'ended') return { requeueAfterMs: undefined };
        break;
      case 'updateReplicaSet':
        await patchReplicaSet(run, action.rs, { minReadySeconds: action.minReadySeconds, annotations: action.annotations }, 'updating');
        break;
      case 'scaleReplicaSet':
        if (action.swallowError !== true) {
          await scaleReplicaSet(run, action);
        } else if (!scaleDownFailed) {
          try {
            await scaleReplicaSet(run, action);
          } catch (err) {
            scaleDownFailed = true;
            deps.log.debug('scaling down an old replica set failed, going on', { replicaSet: action.rs.metadata.name, err: errorMessage(err) });
          }
        }
        break;
      case 'deleteReplicaSet':
        await deleteReplicaSet(run, action.rs);
        break;
      case 'rollbackDeployment':
        await writeDeployment(run, 'rolling back', (rv) => deps.objects.rollbackDeployment(d, rv, action.template, action.annotations));
        break;
      case 'setDeploymentRevision':
        await writeDeployment(run, 'setting the revision', (rv) => deps.objects.setDeploymentRevision(d, rv, action.revision));
        break;
      case 'writeStatus':
        await writeStatus(run, action.status);
        break;
      case 'event':
        recordEvent(run, action.type, action.reason, action.message);
        break;
      case 'requeueAfter':
        requeueAfterMs = Math.min(requeueAfterMs ?? action.afterMs, action.afterMs);
        break;
      case 'syncError':
        throw new DeploymentSyncError(action.message);
      default: {
        const unknown: never = action;
        return unknown;
      }
    }
  }
  return { requeueAfterMs };
}

/** CreateReplicaSetAction's contract: the outcomes of the POST. */
async function createReplicaSet(run: Run, action: CreateReplicaSetAction): Promise<Ended | { readonly kind: 'created' | 'skipped' }> {
  const { objects, log } = run.deps;
  const name = action.rs.metadata.name ?? '';
  try {
    const created = await objects.createReplicaSet(action.rs);
    run.replicaSetResourceVersions.set(name, created.metadata.resourceVersion);
  } catch (err) {
    if (isNamespaceTerminating(err)) {
      log.debug('namespace is terminating, not creating the new replica set', { replicaSet: name });
      return { kind: 'ended' };
    }
    if (action.oldForOrphanedPods === true) return oldForOrphanedPodsFailed(run, name, err);
    if (isAlreadyExists(err)) return alreadyExists(run, action, err);
    const message = `Failed to create new replica set "${name}": ${errorMessage(err)}`;
    if (action.progressDeadline) {
      const failed = newCondition(progressingType, 'False', failedRSCreateReason, message, run.now);
      // Best effort: the create's error is the one to report.
      await writeStatus(run, setCondition(action.status, failed)).catch((statusErr: unknown) =>
        log.debug('could not write the ReplicaSetCreateError condition', { err: errorMessage(statusErr) }),
      );
    }
    recordEvent(run, 'Warning', failedRSCreateReason, message);
    throw new DeploymentSyncError(message, { cause: err });
  }
  const replicas = replicasOf(action.rs);
  if (replicas > 0) recordEvent(run, 'Normal', scalingReplicaSetReason, `Scaled up replica set ${name} from 0 to ${replicas}`);
  return { kind: 'created' };
}

/** CreateReplicaSetAction.oldForOrphanedPods: a taken name skips the RS, anything else fails the pass. */
function oldForOrphanedPodsFailed(run: Run, name: string, err: unknown): { readonly kind: 'skipped' } {
  if (isAlreadyExists(err)) {
    run.deps.log.debug('replica set for orphaned pods exists already, not adopting them', { replicaSet: name });
    return { kind: 'skipped' };
  }
  throw new DeploymentSyncError(`creating replica set ${name} for orphaned pods: ${errorMessage(err)}`, { cause: err });
}

/**
 * The name is taken. Ours with this template: an earlier pass created it and the cache lags; end
 * the pass (the RS's informer event brings the next one, which sees it). Anything else is a hash
 * collision: raise status.collisionCount so the next pass hashes differently, and fail.
 */
async function alreadyExists(run: Run, action: CreateReplicaSetAction, err: unknown): Promise<Ended> {
  const { objects, log } = run.deps;
  const name = action.rs.metadata.name ?? '';
  const existing = await objects.getReplicaSet(action.rs.metadata.namespace ?? '', name);
  if (controllerOf(existing)?.uid === run.d.metadata.uid && templatesEqualIgnoringHash(run.d.spec.template, existing.spec.template)) {
    log.debug('new replica set exists already, waiting for the cache to show it', { replicaSet: name });
    return { kind: 'ended' };
  }
  const collisionCount = (action.status.collisionCount ?? 0) + 1;
  try {
    await writeDeployment(run, 'raising collisionCount', (rv) => objects.setCollisionCount(run.d, rv, collisionCount));
    log.info('hash collision for the new replica set, raised collisionCount', { replicaSet: name, collisionCount });
  } catch (bumpErr) {
    log.debug('could not raise collisionCount', { err: errorMessage(bumpErr) });
  }
  throw new DeploymentSyncError(`creating replica set ${name}: ${errorMessage(err)}`, { cause: err });
}

/** sync.go scaleReplicaSet's write and its Event. */
async function scaleReplicaSet(run: Run, action: ScaleReplicaSetAction): Promise<void> {
  const from = replicasOf(action.rs);
  const annotations = { [desiredReplicasAnnotation]: String(action.desiredReplicas), [maxReplicasAnnotation]: String(action.maxReplicas) };
  await patchReplicaSet(run, action.rs, { replicas: action.replicas, annotations }, 'scaling');
  if (from === action.replicas) return;
  const direction = from < action.replicas ? 'up' : 'down';
  recordEvent(run, 'Normal', scalingReplicaSetReason, `Scaled ${direction} replica set ${action.rs.metadata.name ?? ''} from ${from} to ${action.replicas}`);
}

async function patchReplicaSet(
  run: Run,
  rs: MyReplicaSet,
  patch: Parameters<DeploymentObjectManager['patchReplicaSet']>[2],
  what: string,
): Promise<void> {
  const name = rs.metadata.name ?? '';
  const versions = run.replicaSetResourceVersions;
  const resourceVersion = versions.has(name) ? versions.get(name) : rs.metadata.resourceVersion;
  try {
    const patched = await run.deps.objects.patchReplicaSet(rs, resourceVersion, patch);
    versions.set(name, patched.metadata.resourceVersion);
  } catch (err) {
    throw new DeploymentSyncError(`${what} replica set ${name}: ${errorMessage(err)}`, { cause: err });
  }
}

async function deleteReplicaSet(run: Run, rs: MyReplicaSet): Promise<void> {
  try {
    await run.deps.objects.deleteReplicaSet(rs);
  } catch (err) {
    // Gone, or replaced under the same name (UID precondition): nothing of ours to delete.
    if (isNotFound(err) || isConflict(err)) return;
    throw new DeploymentSyncError(`deleting old replica set ${rs.metadata.name ?? ''}: ${errorMessage(err)}`, { cause: err });
  }
}

function writeStatus(run: Run, status: MyDeploymentStatus): Promise<void> {
  return writeDeployment(run, 'writing status', (rv) => run.deps.objects.updateStatus(run.d, rv, status));
}

/** One write to the Deployment at the resourceVersion our previous one left. */
async function writeDeployment(run: Run, what: string, write: (resourceVersion: string | undefined) => Promise<MyDeployment>): Promise<void> {
  try {
    const written = await write(run.deploymentResourceVersion);
    run.deploymentResourceVersion = written.metadata.resourceVersion;
  } catch (err) {
    throw new DeploymentSyncError(`${what}: ${errorMessage(err)}`, { cause: err });
  }
}

function recordEvent(run: Run, type: EventType, reason: string, message: string): void {
  const { d } = run;
  const involved: InvolvedObject = { apiVersion: d.apiVersion ?? apiVersion, kind: myDeploymentKind, metadata: d.metadata };
  run.deps.recorder.event(involved, type, reason, message);
}
