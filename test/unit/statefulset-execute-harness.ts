// The MyStatefulSet executor under test: a fake object manager recording every write, an Event
// sink, a fake clock, and a run() that plans a snapshot and executes the plan.
import type { ControllerRevision, PersistentVolumeClaim, Pod } from '../../src/api/core.ts';
import type { OwnerReference, WorkloadCondition } from '../../src/api/meta.ts';
import type { MyStatefulSet } from '../../src/api/workloads.ts';
import type { EventType, InvolvedObject } from '../../src/runtime/events.ts';
import type { ExecutionResult } from '../../src/controllers/statefulset/execute.ts';
import { executeStatefulSetPlan } from '../../src/controllers/statefulset/execute.ts';
import type { StatefulSetWriteStatus } from '../../src/controllers/statefulset/actions.ts';
import type { StatefulSetObjectManager } from '../../src/controllers/statefulset/object-manager.ts';
import type { StatefulSetAction, StatefulSetSnapshot, StatefulSetStatusFields } from '../../src/controllers/statefulset/plan.ts';
import { plan } from '../../src/controllers/statefulset/plan.ts';
import { OnceNotices } from '../../src/controllers/shared/once-notices.ts';
import { WritePacer } from '../../src/runtime/write-pacer.ts';
import { UnwrittenStatus } from '../../src/controllers/statefulset/unwritten-status.ts';
import { CreateBackoff } from '../../src/controllers/shared/create-backoff.ts';
import { captureLogger } from '../support/capture-logger.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { apiError } from '../support/fake-lease-api.ts';
import { RecordedCalls } from '../support/recorded-calls.ts';
import { nameOf, now } from './statefulset-fixtures.ts';

/** Records every write as `<verb> <name>`; `failures` makes a write throw. */
export class FakeObjects extends RecordedCalls implements StatefulSetObjectManager {
  /** What getPod returns, by name (the pod as the API server holds it now). */
  readonly livePods = new Map<string, Pod>();
  /** Pods getPod returns once each, before `livePods` is consulted (writes by others in between). */
  readonly liveOnce = new Map<string, Pod[]>();
  /** Every pod body PUT, in order. */
  readonly updatedPods: Pod[] = [];
  /** What getRevision returns, by name. */
  readonly revisions = new Map<string, ControllerRevision>();
  readonly statuses: StatefulSetStatusFields[] = [];

  async createRevision(revision: ControllerRevision): Promise<ControllerRevision> {
    await this.call(`createRevision ${nameOf(revision)}`);
    return revision;
  }
  async getRevision(_namespace: string, name: string): Promise<ControllerRevision> {
    await this.call(`getRevision ${name}`);
    const found = this.revisions.get(name);
    if (!found) throw apiError(404, 'NotFound');
    return found;
  }
  async renumberRevision(revision: ControllerRevision, revisionNumber: number): Promise<ControllerRevision> {
    await this.call(`renumberRevision ${nameOf(revision)} #${revisionNumber}`);
    return { ...revision, revision: revisionNumber };
  }
  async deleteRevision(revision: ControllerRevision): Promise<void> {
    await this.call(`deleteRevision ${nameOf(revision)}`);
  }
  async createClaim(claim: PersistentVolumeClaim): Promise<PersistentVolumeClaim> {
    await this.call(`createClaim ${nameOf(claim)}`);
    return claim;
  }
  async patchClaimOwnerReferences(claim: PersistentVolumeClaim, ownerReferences: readonly OwnerReference[]): Promise<PersistentVolumeClaim> {
    await this.call(`patchClaimOwnerReferences ${nameOf(claim)}`);
    return { ...claim, metadata: { ...claim.metadata, ownerReferences } };
  }
  async patchClaimStorage(claim: PersistentVolumeClaim, storage: string): Promise<PersistentVolumeClaim> {
    await this.call(`patchClaimStorage ${nameOf(claim)} ${storage}`);
    return claim;
  }
  async createPod(pod: Pod): Promise<Pod> {
    await this.call(`createPod ${nameOf(pod)}`);
    return pod;
  }
  async getPod(_namespace: string, name: string): Promise<Pod> {
    await this.call(`getPod ${name}`);
    const found = this.liveOnce.get(name)?.shift() ?? this.livePods.get(name);
    if (!found) throw apiError(404, 'NotFound');
    return found;
  }
  async updatePod(pod: Pod): Promise<Pod> {
    this.updatedPods.push(pod);
    await this.call(`updatePod ${nameOf(pod)}`);
    return pod;
  }
  async deletePod(pod: Pod): Promise<void> {
    await this.call(`deletePod ${nameOf(pod)}`);
  }
  async patchStatus(_set: MyStatefulSet, status: StatefulSetStatusFields): Promise<void> {
    await this.call('patchStatus');
    this.statuses.push(status);
  }
  /** The set's conditions as the API server holds them. */
  conditions: readonly WorkloadCondition[] | undefined;
  async writeConditions(_set: MyStatefulSet, update: (conditions: readonly WorkloadCondition[] | undefined) => readonly WorkloadCondition[] | undefined): Promise<void> {
    const next = update(this.conditions);
    if (next === undefined) return;
    await this.call('writeConditions');
    this.conditions = next;
  }
}

export interface RecordedEvent {
  readonly type: EventType;
  readonly reason: string;
  readonly message: string;
}

export function harness(
  refresh?: (clock: FakeClock) => () => StatefulSetStatusFields | undefined,
  finalWrite: (own: StatefulSetWriteStatus) => StatefulSetWriteStatus | 'shown' = (own) => own,
): {
  readonly objects: FakeObjects;
  readonly events: RecordedEvent[];
  readonly clock: FakeClock;
  /** The put-off currentReplicas the controller would hand the next snapshot (unwritten-status.ts). */
  readonly unwritten: UnwrittenStatus;
  run(snap: StatefulSetSnapshot, actions?: readonly StatefulSetAction[]): Promise<ExecutionResult>;
} {
  const objects = new FakeObjects();
  const clock = new FakeClock(now);
  const createBackoff = new CreateBackoff(clock);
  const notices = new OnceNotices();
  const statusPacer = new WritePacer({ clock, intervalMs: 1000 });
  const unwritten = new UnwrittenStatus();
  const events: RecordedEvent[] = [];
  const recorder = {
    event(_obj: InvolvedObject, type: EventType, reason: string, message: string): void {
      events.push({ type, reason, message });
    },
  };
  const { logger } = captureLogger();
  return {
    objects,
    events,
    clock,
    unwritten,
    run: (snap, actions = plan(snap, clock.now())) =>
      executeStatefulSetPlan(
        {
          objects,
          recorder,
          log: logger,
          createBackoff,
          clock,
          notices,
          statusPacer,
          unwritten,
          ...(refresh !== undefined ? { statusRefresh: { pacer: statusPacer, compute: refresh(clock), finalWrite } } : {}),
        },
        snap.set, actions, (set) => plan({ ...snap, set }, clock.now())),
  };
}

export const eventLines = (events: readonly RecordedEvent[]): string[] => events.map((e) => `${e.type} ${e.reason}: ${e.message}`);
