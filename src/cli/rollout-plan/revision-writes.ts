// The ControllerRevision writes of a MyDaemonSet or MyStatefulSet sync, applied to a simulated
// cluster (upstream: pkg/controller/history/controller_history.go CreateControllerRevision,
// UpdateControllerRevision).
import type { ControllerRevision } from '../../api/core.ts';
import { isSameRevision } from '../../controllers/history/collision.ts';
import type { NamedObjects } from './named-objects.ts';
import { RolloutPlanError } from './rollout-plan.ts';
import type { SimulatedPods } from './simulated-pods.ts';

/**
 * POST the revision. Its name taken by the same data is an earlier sync's (carry on); by other
 * data, a hash collision, which the controller resolves by bumping status.collisionCount: too rare
 * (a 32-bit FNV collision) to be worth simulating.
 */
export function createRevision(revisions: NamedObjects<ControllerRevision>, revision: ControllerRevision, pods: SimulatedPods): void {
  const existing = revisions.get(revision.metadata.name);
  if (existing === undefined) {
    revisions.put(pods.stamp(revision));
    return;
  }
  if (!isSameRevision(existing, revision)) {
    throw new RolloutPlanError(`revision ${revision.metadata.name ?? ''} collides with another template's: not simulated`);
  }
}

/** A rollback to an older template raises that revision's number (no new revision). */
export function renumberRevision(revisions: NamedObjects<ControllerRevision>, revision: ControllerRevision, revisionNumber: number): void {
  revisions.update(revision.metadata.name, (r) => ({ ...r, revision: revisionNumber }));
}
