// The ReplicaFailure condition, on every kind (upstream has it on ReplicaSets and Deployments only:
// replica_set.go calculateStatus sets it from manageReplicas' error and removes it once a sync
// manages without one). Pure: what the conditions become after a sync's creates, and whether the
// sync met a cause of failure it had not reported yet (then, and only then, the executor records
// one Warning FailedCreate: a quota that refuses every create is one Event, not one per retry).
import type { WorkloadCondition } from '../../api/meta.ts';

export const replicaFailureType = 'ReplicaFailure';
export const failedCreateReason = 'FailedCreate';

/**
 * What a sync's creates came to:
 * - `failed`: the API server refused a create (its message; the first one of the sync);
 * - `succeeded`: every create the sync planned went through, or none was planned;
 * - `deferred`: creates were held back by the create backoff, so nothing is known.
 */
export type CreateOutcome =
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'succeeded' }
  | { readonly kind: 'deferred' };

/**
 * A refusal's message without the name of the object refused: the generated name of a DaemonSet
 * pod differs at every try (`pods "web-x7k2p" is forbidden: exceeded quota: …`), and a StatefulSet
 * meets the same quota on each ordinal; the cause is the rest.
 */
export function failureCause(message: string): string {
  return message.replace(/^([a-z0-9.-]+) "[^"]*" /, '$1 ');
}

export interface ReplicaFailureUpdate {
  /** The conditions to write; undefined when they stay as they are. */
  readonly conditions: readonly WorkloadCondition[] | undefined;
  /** The outcome is a failure whose cause the conditions did not show yet. */
  readonly newCause: boolean;
}

/**
 * The conditions after a sync with this outcome, at `now` (RFC 3339). A failure sets
 * ReplicaFailure True with reason FailedCreate and the API server's message; a later failure with
 * the same cause leaves it alone (upstream also keeps the first message), another cause replaces
 * the message and keeps lastTransitionTime (the status did not change). Success removes it, as
 * upstream does. Every other condition is kept, in its place.
 */
export function nextReplicaFailure(
  conditions: readonly WorkloadCondition[] | undefined,
  outcome: CreateOutcome,
  now: string,
): ReplicaFailureUpdate {
  const current = conditions ?? [];
  const existing = current.find((c) => c.type === replicaFailureType);
  switch (outcome.kind) {
    case 'deferred':
      return { conditions: undefined, newCause: false };
    case 'succeeded':
      return existing === undefined
        ? { conditions: undefined, newCause: false }
        : { conditions: current.filter((c) => c !== existing), newCause: false };
    case 'failed': {
      const showing = existing?.status === 'True' && failureCause(existing.message ?? '') === failureCause(outcome.message);
      if (showing) return { conditions: undefined, newCause: false };
      const condition: WorkloadCondition = {
        type: replicaFailureType,
        status: 'True',
        lastTransitionTime: existing?.status === 'True' ? (existing.lastTransitionTime ?? now) : now,
        reason: failedCreateReason,
        message: outcome.message,
      };
      const next = existing === undefined ? [...current, condition] : current.map((c) => (c === existing ? condition : c));
      return { conditions: next, newCause: true };
    }
    default: {
      const unknown: never = outcome;
      return unknown;
    }
  }
}
