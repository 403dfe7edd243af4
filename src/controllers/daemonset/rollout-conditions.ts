// The MyDaemonSet's rollout conditions, Progressing and RolledBack (docs/rollout-control.md), as
// one function of the current list: the planner calls it on the cached conditions to decide
// whether to write, the executor again on the live ones when its write meets a conflict, so a
// condition another client set meanwhile is kept and ours is recomputed, not replayed. Pure.
import type { RolloutCondition } from '../../api/workloads.ts';
import type { ProgressingUpdate, RolloutObservation } from '../shared/rollout-control.ts';
import { findCondition, removeCondition, rolledBackType, sameConditions, setCondition, updateProgressing } from '../shared/rollout-control.ts';

/** What a sync wants the rollout conditions to say; applied to whatever list is current. */
export interface RolloutConditionsUpdate {
  /** What this sync observed, for updateProgressing. */
  readonly observation: RolloutObservation;
  /**
   * RolledBack while an automatic rollback is in force (set as setCondition does: one already True
   * with the same reason stays as it is); undefined: no RolledBack condition.
   */
  readonly rolledBack: RolloutCondition | undefined;
  readonly now: number;
}

export interface NextRolloutConditions {
  readonly conditions: readonly RolloutCondition[];
  /** `conditions` differ from the list given: a write is due. */
  readonly changed: boolean;
  /** updateProgressing's verdict on the list given (deadline, requeue). */
  readonly progressing: ProgressingUpdate;
  /**
   * The RolledBack condition, when these conditions turn it True: the write that puts it there
   * records the Warning RolledBack, so it is recorded once however often the rollback is planned.
   */
  readonly rolledBackAdded: RolloutCondition | undefined;
}

export function nextRolloutConditions(
  conditions: readonly RolloutCondition[] | undefined,
  update: RolloutConditionsUpdate,
): NextRolloutConditions {
  const progressing = updateProgressing(conditions, update.observation, update.now);
  const { rolledBack } = update;
  const next = rolledBack === undefined ? removeCondition(progressing.conditions, rolledBackType) : setCondition(progressing.conditions, rolledBack);
  const wasRolledBack = findCondition(conditions, rolledBackType)?.status === 'True';
  return {
    conditions: next,
    changed: !sameConditions(conditions, next),
    progressing,
    rolledBackAdded: rolledBack !== undefined && rolledBack.status === 'True' && !wasRolledBack ? rolledBack : undefined,
  };
}
