// The status.currentReplicas a MyStatefulSet's last sync computed but did not write yet, because
// the write was paced (runtime/write-pacer.ts).
//
// Why it exists: under `updateStrategy: {type: RollingUpdate}` without a rollingUpdate block, upstream
// newVersionedStatefulSetPod picks a recreated pod's revision by comparing its ordinal with the
// stored status.currentReplicas (pod-template.ts revisionForOrdinal). upstream writes status at the
// end of every sync, so the next sync reads the value the previous one computed. Pacing puts that
// write off; the planner then reads the value from here instead (read-your-intended-write), which
// is what upstream reads with an up-to-date cache. Without it, a pod the rolling update deleted
// would come back at the old revision while the write waits, and be deleted again.
//
// Lost on restart or leader change: the new process plans from the stored value, as upstream does
// from a cache that missed the last write, and the rolling update corrects the pod on a later sync.
import type { MyStatefulSet } from '../../api/workloads.ts';

/** What a put-off write would have stored, with the revisions it was computed for. */
export interface UnwrittenCurrentReplicas {
  readonly currentReplicas: number;
  readonly currentRevision: string;
  readonly updateRevision: string;
}

interface Entry extends UnwrittenCurrentReplicas {
  readonly uid: string;
}

export class UnwrittenStatus {
  private readonly byKey = new Map<string, Entry>();

  /** The sync of `set` computed `value` and put its write off. */
  putOff(key: string, set: MyStatefulSet, value: UnwrittenCurrentReplicas): void {
    this.byKey.set(key, { ...value, uid: set.metadata.uid ?? '' });
  }

  /** The sync wrote its status, or had nothing to write: the stored value is the newest. */
  settled(key: string): void {
    this.byKey.delete(key);
  }

  /** The set is gone. */
  forget(key: string): void {
    this.byKey.delete(key);
  }

  /** The put-off value for this incarnation of the set (same UID), if any. */
  of(key: string, set: MyStatefulSet): UnwrittenCurrentReplicas | undefined {
    const entry = this.byKey.get(key);
    if (entry === undefined || entry.uid !== (set.metadata.uid ?? '')) return undefined;
    return { currentReplicas: entry.currentReplicas, currentRevision: entry.currentRevision, updateRevision: entry.updateRevision };
  }
}

/**
 * `set` with status.currentReplicas as the put-off write would have left it, when that write was
 * computed for the revisions this sync resolved (a revision change is never put off, so a value for
 * other revisions is out of date).
 */
export function withUnwrittenCurrentReplicas(
  set: MyStatefulSet,
  unwritten: UnwrittenCurrentReplicas | undefined,
  revisions: { readonly currentRevision: string; readonly updateRevision: string },
): MyStatefulSet {
  if (unwritten === undefined) return set;
  if (unwritten.currentRevision !== revisions.currentRevision || unwritten.updateRevision !== revisions.updateRevision) return set;
  return { ...set, status: { ...set.status, currentReplicas: unwritten.currentReplicas } };
}
