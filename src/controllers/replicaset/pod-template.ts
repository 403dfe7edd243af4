// The pod a MyReplicaSet creates: its template as is, plus generateName and the controller
// reference. Pure.
// upstream: pkg/controller/controller_utils.go GetPodFromTemplate (shared/pod-from-template.ts),
// RealPodControl.createPods (the refusal of a pod without labels).
import type { Pod } from '../../api/core.ts';
import type { MyReplicaSet } from '../../api/workloads.ts';
import { controllerRef } from '../shared/ownership.ts';
import { getPodFromTemplate } from '../shared/pod-from-template.ts';
import { replicaSetOwner } from './spec-defaults.ts';

/** What createPods answers for a pod without labels, word for word. */
export const noLabelsMessage = 'unable to create pods, no labels';

/**
 * The pod every create of this sync POSTs: template labels, annotations, finalizers and spec,
 * `generateName: <rs>-` (the API server cuts it to 58 characters and appends 5 random ones) and a
 * controller reference with blockOwnerDeletion, so a foreground delete of the set waits for it.
 */
export function newReplicaSetPod(rs: MyReplicaSet): Pod {
  return getPodFromTemplate(rs.spec.template, rs, controllerRef(replicaSetOwner(rs)));
}

/**
 * Why a create must not be sent, or undefined. A pod without labels could never be selected
 * again: every sync would create another one. upstream refuses it before the request, with no
 * Event, and the refusal fails the create like an API error (ReplicaFailure, expectations lowered).
 */
export function podCreateRefusal(pod: Pod): string | undefined {
  return Object.keys(pod.metadata.labels ?? {}).length === 0 ? noLabelsMessage : undefined;
}
