// What to do when creating a revision fails with AlreadyExists: the name `<owner>-<hash>` is taken.
// Either we created it before (same data: use it) or two templates hash alike, and the owner's
// status.collisionCount must change so the next hash differs. Pure; the executor does the GETs.
// upstream: pkg/controller/daemon/update.go snapshot, pkg/controller/history/controller_history.go
// CreateControllerRevision.
import type { ControllerRevision } from '../../api/core.ts';
import { revisionDataKey } from './revisions.ts';

/** True when the revision found under our name holds our data: it is ours, carry on with it. */
export function isSameRevision(existing: ControllerRevision, wanted: ControllerRevision): boolean {
  return revisionDataKey(existing.data) === revisionDataKey(wanted.data);
}

export type CollisionCountDecision =
  /** Write this collisionCount to the owner's status, then fail the sync so it retries with a new hash. */
  | { readonly kind: 'bump'; readonly collisionCount: number }
  /**
   * The hash was computed from a collisionCount that is no longer current (someone bumped it):
   * don't bump again, just fail the sync and retry with the fresh count.
   */
  | { readonly kind: 'stale' };

/**
 * `used` is the collisionCount the hash was computed with (from the cached owner), `live` the one
 * a fresh GET of the owner shows. Absent and 0 are distinct here, as upstream compares pointers
 * with reflect.DeepEqual: that costs one extra retry, never a wrong bump.
 */
export function collisionCountDecision(used: number | undefined, live: number | undefined): CollisionCountDecision {
  if (used !== live) return { kind: 'stale' };
  return { kind: 'bump', collisionCount: (live ?? 0) + 1 };
}
