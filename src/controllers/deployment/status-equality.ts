// Whether a computed MyDeployment status differs from the stored one, as upstream's
// reflect.DeepEqual(d.Status, newStatus) decides before UpdateStatus (sync.go
// syncDeploymentStatus, progress.go syncRolloutStatus). Go's struct has int fields (a missing
// JSON number is 0), pointer fields (collisionCount, terminatingReplicas: missing ≠ 0) and a
// condition list; JSON cannot tell an empty list from a missing one, so neither do we. Times are
// compared by instant, so a stored time the API server re-rendered is not a change. Our
// rollout-control fields (stableRevision, rollback) count too: a change to them alone is written.
import type { AutomaticRollback, DeploymentCondition, MyDeploymentStatus } from '../../api/workloads.ts';

const counts = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const;
const pointers = ['collisionCount', 'terminatingReplicas'] as const;

export function deploymentStatusEqual(a: MyDeploymentStatus | undefined, b: MyDeploymentStatus | undefined): boolean {
  const x = a ?? {};
  const y = b ?? {};
  if (counts.some((field) => (x[field] ?? 0) !== (y[field] ?? 0))) return false;
  if (pointers.some((field) => x[field] !== y[field])) return false;
  if ((x.selector ?? '') !== (y.selector ?? '')) return false;
  if (x.stableRevision !== y.stableRevision || !rollbacksEqual(x.rollback, y.rollback)) return false;
  const cx = x.conditions ?? [];
  const cy = y.conditions ?? [];
  return cx.length === cy.length && cx.every((c, i) => conditionsEqual(c, cy[i]));
}

function conditionsEqual(a: DeploymentCondition, b: DeploymentCondition | undefined): boolean {
  return (
    b !== undefined &&
    a.type === b.type &&
    a.status === b.status &&
    (a.reason ?? '') === (b.reason ?? '') &&
    (a.message ?? '') === (b.message ?? '') &&
    sameInstant(a.lastUpdateTime, b.lastUpdateTime) &&
    sameInstant(a.lastTransitionTime, b.lastTransitionTime)
  );
}

function sameInstant(a: string | undefined, b: string | undefined): boolean {
  if ((a ?? '') === (b ?? '')) return true;
  const x = Date.parse(a ?? '');
  const y = Date.parse(b ?? '');
  return !Number.isNaN(x) && x === y;
}

const rollbackFields = ['generation', 'revision', 'revisionNumber', 'failedRevision', 'failedRevisionNumber'] as const;

/** A missing rollback and a null one (what a merge patch may leave in a stored object) are alike. */
function rollbacksEqual(a: AutomaticRollback | null | undefined, b: AutomaticRollback | null | undefined): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return (a ?? undefined) === (b ?? undefined);
  return rollbackFields.every((field) => a[field] === b[field]);
}
