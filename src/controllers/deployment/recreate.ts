// The Recreate rollout: every old RS to 0, wait until no old pod runs, then the new RS at full
// size. upstream: pkg/controller/deployment/recreate.go.
import type { Pod } from '../../api/core.ts';
import type { MyReplicaSet } from '../../api/workloads.ts';
import { isPodTerminal } from '../shared/pod-state.ts';
import type { Pass } from './pass.ts';
import { activeReplicaSets, desiredReplicas, withNewReplicaSet } from './pass.ts';
import { deploymentComplete } from './progress.ts';
import { findOldReplicaSets } from './replica-sets.ts';
import { syncRolloutStatus } from './rollout-status.ts';
import { cleanupDeployment, getOrCreateNewReplicaSet, scaleReplicaSet } from './sync.ts';

/**
 * recreate.go rolloutRecreate. The new RS is created only once the old ones are down and their
 * pods gone; until then each pass writes status and stops.
 */
export function rolloutRecreate(pass: Pass, existing: MyReplicaSet | undefined): void {
  const olds = findOldReplicaSets(pass.d, pass.snapshot.replicaSets, existing).all;
  const all = withNewReplicaSet(olds, existing);

  // scaleDownOldReplicaSetsForRecreate
  let scaledDown = false;
  for (const old of activeReplicaSets(olds)) {
    if (scaleReplicaSet(pass, old, 0, false).scaled) scaledDown = true;
  }
  if (scaledDown || oldPodsRunning(existing, olds, pass.snapshot.podsByReplicaSet)) {
    syncRolloutStatus(pass, all, existing);
    return;
  }

  const result = getOrCreateNewReplicaSet(pass, existing);
  if (result.kind === 'ended' || result.rs === undefined) return;
  const newRS = result.rs;
  // scaleUpNewReplicaSetForRecreate
  scaleReplicaSet(pass, newRS, desiredReplicas(pass), false);
  if (deploymentComplete(pass.d, pass.d.status ?? {})) cleanupDeployment(pass, olds);
  syncRolloutStatus(pass, [...olds, newRS], newRS);
}

/**
 * recreate.go oldPodsRunning: an old RS still reports replicas, or a pod of any RS but the new one
 * is not Failed or Succeeded — terminating pods count (a Recreate rollout must not overlap them).
 */
export function oldPodsRunning(
  newRS: MyReplicaSet | undefined,
  olds: readonly MyReplicaSet[],
  podsByReplicaSet: ReadonlyMap<string, readonly Pod[]>,
): boolean {
  if (olds.some((rs) => (rs.status?.replicas ?? 0) > 0)) return true;
  for (const [uid, pods] of podsByReplicaSet) {
    if (newRS !== undefined && newRS.metadata.uid === uid) continue;
    if (pods.some((pod) => !isPodTerminal(pod))) return true;
  }
  return false;
}
