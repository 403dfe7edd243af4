// What one MyReplicaSet sync decides, as data. plan() returns these in execution order; the
// executor switches on `kind` (exhaustively) and performs them. See plan.ts for the contract.
import type { Pod } from '../../api/core.ts';
import type { RequeueAfterAction, WriteStatusAction } from '../shared/actions.ts';
import type { ReplicaSetStatusFields } from './status.ts';

export type ReplicaSetAction =
  /** POST the pod (it has generateName); every createPod of a plan carries the same pod. */
  | { readonly kind: 'createPod'; readonly pod: Pod }
  /** DELETE the pod by name, with a UID precondition. */
  | { readonly kind: 'deletePod'; readonly pod: Pod }
  /** Merge-patch these status fields (conditions are the executor's: they follow the outcome). */
  | WriteStatusAction<ReplicaSetStatusFields>
  /** Sync again when the next Ready pod becomes available, if nothing failed. */
  | RequeueAfterAction<'minReadySeconds'>;
