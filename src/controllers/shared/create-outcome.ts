// What an executor does with a sync's create outcome, the same for every kind: move the object's
// create backoff, bring the ReplicaFailure condition up to date, record the kind's Warning
// FailedCreate once per new cause, and say when to sync again.
import type { WorkloadCondition } from '../../api/meta.ts';
import type { CreateBackoff } from './create-backoff.ts';
import type { CreateOutcome } from './replica-failure.ts';
import { nextReplicaFailure } from './replica-failure.ts';

/** Writes conditions computed by `update` from the object's current ones (updateConditions). */
export type ConditionsWriter = (
  update: (conditions: readonly WorkloadCondition[] | undefined) => readonly WorkloadCondition[] | undefined,
) => Promise<void>;

export interface CreateOutcomeTarget {
  /** The work queue key, and the object's UID (a new object under the key starts afresh). */
  readonly key: string;
  readonly uid: string;
  readonly backoff: CreateBackoff;
  readonly writeConditions: ConditionsWriter;
  /** RFC 3339, for lastTransitionTime. */
  readonly now: string;
}

/**
 * Settles one sync's creates. `warn` records the kind's FailedCreate Warning(s) for the sync's
 * first refusal; it runs only when the refusal's cause is not on the condition yet (also when the
 * condition could not be written: better a second Event than none). Returns the ms until creates
 * may be tried again (undefined after a success); the condition write's error is thrown, after
 * the backoff moved and the Warning went out.
 */
export async function settleCreateOutcome(target: CreateOutcomeTarget, outcome: CreateOutcome, warn: () => void): Promise<number | undefined> {
  const { backoff, key, uid } = target;
  if (outcome.kind === 'failed') backoff.failed(key, uid);
  else if (outcome.kind === 'succeeded') backoff.succeeded(key);

  let newCause = false;
  try {
    await target.writeConditions((conditions) => {
      const update = nextReplicaFailure(conditions, outcome, target.now);
      newCause = update.newCause;
      return update.conditions;
    });
  } finally {
    if (newCause) warn();
  }
  return outcome.kind === 'succeeded' ? undefined : backoff.remainingMs(key, uid) || undefined;
}
